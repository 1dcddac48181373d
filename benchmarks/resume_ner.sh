#!/usr/bin/env bash
# Resume NER, char-ID BiLSTM-CRF vs Glyce BiLSTM-CRF, same seed (13) and budget, on this machine's CPU.
# Usage: benchmarks/resume_ner.sh [EPOCHS] [OUT]   (data read by path from $DATA, default ../shared/data)
# Both runs go in parallel, one thread each; dev-selected checkpoint, test evaluated once at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
EPOCHS=${1:-15}
OUT=${2:-runs/resume_ner}
DATA=${DATA:-../shared/data}
export TRAIN_DATA_PATH=$DATA/resume_ner/train.char.bmes
export VALIDATION_DATA_PATH=$DATA/resume_ner/dev.char.bmes
export TEST_DATA_PATH=$DATA/resume_ner/test.char.bmes
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
mkdir -p "$OUT"
for name in bilstm_crf glyce_bilstm_crf; do
  rm -rf "$OUT/$name"
  .venv/bin/allennlp train training_configs/ner/$name.jsonnet -s "$OUT/$name" --include-package glyce_allennlp \
    -o "{\"trainer.num_epochs\": $EPOCHS, \"trainer.patience\": $EPOCHS}" --file-friendly-logging \
    > "$OUT/$name.log" 2>&1 &
done
wait
.venv/bin/python benchmarks/summarize_runs.py "$OUT"/bilstm_crf "$OUT"/glyce_bilstm_crf
