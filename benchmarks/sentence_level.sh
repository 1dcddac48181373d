#!/usr/bin/env bash
# Sentence-level benchmarks on this machine's CPU (not in CI): char-ID baseline vs Glyce, same seed and budget.
#
#   benchmarks/sentence_level.sh chnsenticorp [EPOCHS] [SEEDS]   # bilstm vs glyce_bilstm (default 2 epochs, seed 13)
#   benchmarks/sentence_level.sh lcqmc [EPOCHS] [SEEDS]          # bimpm vs glyce_bimpm   (default 1 epoch, seed 13)
#
# Data are read by path from $DATA (default ../shared/data), never copied into the repository. Runs go under
# $OUT (default runs/sentence_level, git-ignored); the baseline and the Glyce run of a seed train in parallel, one
# thread each (OMP_NUM_THREADS=1: on 2 shared cores torch's default threads are ~10x slower). Checkpoint selected on
# the validation set (+accuracy), test evaluated once at the end. A table is printed at the end
# (benchmarks/sentence_level_summary.py).
#
# ChnSentiCorp: train/dev/test as distributed (ERNIE/UER split: 9,600/1,200/1,200).
# LCQMC: NOT the paper's protocol. The official train split (238,766 pairs) is not available here, so we train on
# test.txt (12,500 pairs), select the checkpoint on one half of dev.txt and report accuracy on the other half. dev.txt
# is split deterministically (random.Random(13) shuffle of its lines, first 4,401 → dev_select.txt, last 4,401 →
# dev_report.txt) into $OUT/lcqmc/.
set -euo pipefail
cd "$(dirname "$0")/.."
TASK=${1:?usage: benchmarks/sentence_level.sh chnsenticorp|lcqmc [EPOCHS] [SEEDS]}
DATA=${DATA:-../shared/data}
OUT=${OUT:-runs/sentence_level}
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

case "$TASK" in
  chnsenticorp)
    EPOCHS=${2:-2}
    # CPU budget: reviews cut to their first 128 characters (median length 213; the config's default is 256)
    MAX_CHARS=${MAX_CHARS:-128}
    export TRAIN_DATA_PATH=$DATA/chnsenticorp/train.tsv
    export VALIDATION_DATA_PATH=$DATA/chnsenticorp/dev.tsv
    export TEST_DATA_PATH=$DATA/chnsenticorp/test.tsv
    CONFIGS="classification/bilstm classification/glyce_bilstm"
    ;;
  lcqmc)
    EPOCHS=${2:-1}
    MAX_CHARS=${MAX_CHARS:-64}  # the config's default; LCQMC questions are short
    mkdir -p "$OUT/lcqmc"
    .venv/bin/python - "$DATA/lcqmc/dev.txt" "$OUT/lcqmc" <<'PY'
import random, sys
from pathlib import Path
lines = Path(sys.argv[1]).read_text(encoding="utf-8").splitlines(keepends=True)
order = list(range(len(lines)))
random.Random(13).shuffle(order)
half = len(lines) // 2
out = Path(sys.argv[2])
(out / "dev_select.txt").write_text("".join(lines[i] for i in sorted(order[:half])), encoding="utf-8")
(out / "dev_report.txt").write_text("".join(lines[i] for i in sorted(order[half:])), encoding="utf-8")
print(f"dev.txt: {len(lines)} pairs -> dev_select.txt {half}, dev_report.txt {len(lines) - half}")
PY
    export TRAIN_DATA_PATH=$DATA/lcqmc/test.txt
    export VALIDATION_DATA_PATH=$OUT/lcqmc/dev_select.txt
    export TEST_DATA_PATH=$OUT/lcqmc/dev_report.txt
    CONFIGS="pair/bimpm pair/glyce_bimpm"
    ;;
  *) echo "unknown task $TASK (chnsenticorp|lcqmc)" >&2; exit 2 ;;
esac
SEEDS=${3:-13}
OVERRIDES_EXTRA="\"dataset_reader.max_chars\": $MAX_CHARS"

mkdir -p "$OUT/$TASK"
dirs=()
failed=0
for seed in $SEEDS; do
  pids=()
  for config in $CONFIGS; do
    name=$(basename "$config")
    dir="$OUT/$TASK/$name-seed$seed"
    rm -rf "$dir"
    dirs+=("$dir")
    echo "+ TRAIN_DATA_PATH=$TRAIN_DATA_PATH VALIDATION_DATA_PATH=$VALIDATION_DATA_PATH TEST_DATA_PATH=$TEST_DATA_PATH" \
         "OMP_NUM_THREADS=1 allennlp train training_configs/$config.jsonnet -s $dir --include-package glyce_allennlp" \
         "-o '{\"trainer.num_epochs\": $EPOCHS, \"random_seed\": $seed, \"numpy_seed\": $seed, \"pytorch_seed\": $seed, $OVERRIDES_EXTRA}'"
    .venv/bin/allennlp train "training_configs/$config.jsonnet" -s "$dir" --include-package glyce_allennlp \
      -o "{\"trainer.num_epochs\": $EPOCHS, \"random_seed\": $seed, \"numpy_seed\": $seed, \"pytorch_seed\": $seed, $OVERRIDES_EXTRA}" \
      --file-friendly-logging > "$dir.log" 2>&1 &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do  # one seed (baseline ∥ glyce) at a time: 2 cores
    wait "$pid" || { echo "a run failed: see $OUT/$TASK/*.log" >&2; failed=1; }
  done
done
.venv/bin/python benchmarks/sentence_level_summary.py "${dirs[@]}"
exit $failed
