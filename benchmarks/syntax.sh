#!/usr/bin/env bash
# UD Chinese GSD v1.4 ("UD1"): biaffine vs glyce_biaffine dependency parsing, and (optionally) char-level BMES-POS
# ud_bilstm_crf vs ud_glyce_bilstm_crf. Same seed (13) and budget for each pair; the pair runs in parallel, one thread
# each (OMP_NUM_THREADS=1); dev-selected checkpoint (parser: LAS, tagger: span F1), test evaluated once at the end.
# Usage: benchmarks/syntax.sh [PARSER_EPOCHS] [POS_EPOCHS] [OUT]     (POS_EPOCHS=0 skips the POS pair)
# Data read by path from $UD (default ../shared/data/ud_chinese_gsd/v1.4); never copied into the project.
set -euo pipefail
cd "$(dirname "$0")/.."
PARSER_EPOCHS=${1:-10}
POS_EPOCHS=${2:-0}
OUT=${3:-runs/syntax}
UD=${UD:-../shared/data/ud_chinese_gsd/v1.4}
export TRAIN_DATA_PATH=$UD/zh-ud-train.conllu
export VALIDATION_DATA_PATH=$UD/zh-ud-dev.conllu
export TEST_DATA_PATH=$UD/zh-ud-test.conllu
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
mkdir -p "$OUT"

run_pair() {  # task epochs name1 name2
  local task=$1 epochs=$2; shift 2
  for name in "$@"; do
    rm -rf "$OUT/$name"
    .venv/bin/allennlp train "training_configs/$task/$name.jsonnet" -s "$OUT/$name" --include-package glyce_allennlp \
      -o "{\"trainer.num_epochs\": $epochs, \"trainer.patience\": $epochs}" --file-friendly-logging \
      > "$OUT/$name.log" 2>&1 &
  done
  wait
}

if [ "$PARSER_EPOCHS" -gt 0 ]; then
  run_pair dependency "$PARSER_EPOCHS" biaffine glyce_biaffine
fi
if [ "$POS_EPOCHS" -gt 0 ]; then
  run_pair pos "$POS_EPOCHS" ud_bilstm_crf ud_glyce_bilstm_crf
fi
.venv/bin/python benchmarks/syntax_summary.py "$OUT"/*/
