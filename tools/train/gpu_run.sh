#!/usr/bin/env bash
# The GPU run that produced models/default: trains the `default` preset on one CUDA GPU, sizing the schedule
# (--scale) to a time budget, then checks retrieval in PyTorch. Outputs go to $OUT (default: runs/gpu-out).
# Needs tools/train/runs/data from prepare_data.py. Usage: bash tools/train/gpu_run.sh [budget-minutes]
set -u
cd "$(dirname "$0")"
OUT=${OUT:-runs/gpu-out}
BUDGET=${1:-6.3}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
{ date -u; nvidia-smi -L; nproc; free -g | head -2; ${PYTHON:-python3} -c 'import torch; print("torch", torch.__version__)'
  grep -m1 'model name' /proc/cpuinfo; grep -o -w 'amx_[a-z0-9]*\|avx512_bf16\|avx512_vnni' /proc/cpuinfo | sort -u
} > "$OUT/env.txt" 2>&1
timeout 470 ${PYTHON:-python3} train.py --run /tmp/ff-run --preset "${PRESET:-default}" --time-budget "$BUDGET" --max-scale 2 \
  --workers 8 --threads 4 --ckpt-minutes 1 --parts-out "$OUT/parts" > "$OUT/train.log" 2>&1
echo "train rc=$?" >> "$OUT/env.txt"
cp /tmp/ff-run/config.json "$OUT/config.json" 2>/dev/null
timeout 100 ${PYTHON:-python3} quick_eval.py "$OUT/parts" --lengths "${EVAL_LENGTHS:-1024,2048,4096,8192,16384}" --samples "${SAMPLES:-20}" \
  --json "$OUT/quick_eval.json" >> "$OUT/env.txt" 2>&1
echo "eval rc=$?" >> "$OUT/env.txt"; date -u >> "$OUT/env.txt"
