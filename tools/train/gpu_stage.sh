#!/usr/bin/env bash
# A later stage of the default model on one CUDA GPU: a preset started from earlier weights (--init), then a
# PyTorch retrieval check. Outputs go to $OUT.
#   bash tools/train/gpu_stage.sh default-stage2 runs/stage1              (what made models/default, stage 2)
#   bash tools/train/gpu_stage.sh default-stage3 ../../models/default/hf  (prepared, never run)
# INIT is relative to tools/train/. Needs tools/train/runs/data from prepare_data.py.
set -u
PRESET=${1:?preset}
INIT=${2:?weights to start from}
cd "$(dirname "$0")"
OUT=${OUT:-runs/gpu-$PRESET}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
timeout 180 ${PYTHON:-python3} train.py --run "/tmp/ff-$PRESET" --preset "$PRESET" --scale 1 --init "$INIT" \
  --workers 8 --threads 4 --ckpt-minutes 0.5 --parts-out "$OUT/parts" > "$OUT/train.log" 2>&1
echo "train rc=$?" >> "$OUT/train.log"
cp "/tmp/ff-$PRESET/config.json" "$OUT/config.json" 2>/dev/null
timeout 50 ${PYTHON:-python3} quick_eval.py "$OUT/parts" --lengths "${EVAL_LENGTHS:-2048,4096,8192}" \
  --samples "${SAMPLES:-20}" --json "$OUT/quick_eval.json" > "$OUT/eval.txt" 2>&1
echo "eval rc=$?" >> "$OUT/eval.txt"
