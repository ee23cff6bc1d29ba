#!/usr/bin/env bash
# Stage three (prepared, NOT yet run): preset default-stage3 from the shipped weights (models/default/hf),
# then a PyTorch retrieval check. Outputs go to $OUT. See models/default/MODEL.md, "Next".
set -u
cd "$(dirname "$0")"
OUT=${OUT:-runs/gpu-out3}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
timeout 180 ${PYTHON:-python3} train.py --run /tmp/ff-stage3 --preset default-stage3 --scale 1 --init ../../models/default/hf \
  --workers 8 --threads 4 --ckpt-minutes 0.5 --parts-out "$OUT/parts" > "$OUT/train3.log" 2>&1
echo "train rc=$?" >> "$OUT/train3.log"
cp /tmp/ff-stage3/config.json "$OUT/config3.json" 2>/dev/null
timeout 50 ${PYTHON:-python3} quick_eval.py "$OUT/parts" --lengths "${EVAL_LENGTHS:-2048,4096,8192}" \
  --samples "${SAMPLES:-20}" --json "$OUT/quick_eval3.json" > "$OUT/eval3.txt" 2>&1
echo "eval rc=$?" >> "$OUT/eval3.txt"
