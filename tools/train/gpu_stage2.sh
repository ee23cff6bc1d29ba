#!/usr/bin/env bash
# Stage two of the default model on one CUDA GPU: preset default-stage2 from the stage-one weights in
# runs/stage1 (parts written by gpu_run.sh), then a PyTorch retrieval check. Outputs go to $OUT.
set -u
cd "$(dirname "$0")"
OUT=${OUT:-runs/gpu-out2}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
timeout 180 ${PYTHON:-python3} train.py --run /tmp/ff-stage2 --preset default-stage2 --scale 1 --init runs/stage1 \
  --workers 8 --threads 4 --ckpt-minutes 0.5 --parts-out "$OUT/parts" > "$OUT/train2.log" 2>&1
echo "train rc=$?" >> "$OUT/train2.log"
cp /tmp/ff-stage2/config.json "$OUT/config2.json" 2>/dev/null
timeout 50 ${PYTHON:-python3} quick_eval.py "$OUT/parts" --lengths "${EVAL_LENGTHS:-2048,4096,8192}" \
  --samples "${SAMPLES:-20}" --json "$OUT/quick_eval2.json" > "$OUT/eval2.txt" 2>&1
echo "eval rc=$?" >> "$OUT/eval2.txt"
