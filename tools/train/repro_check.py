"""Same seed, same loss curve: trains two short runs from scratch with the same seed, the second one killed
part-way and resumed from its checkpoint, and prints how far apart their losses are step by step.

Usage: python tools/train/repro_check.py [--steps 12] [--kill-after 40]
"""
import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def losses(run: Path) -> dict[int, float]:
    out = {}
    for line in (run / 'log.jsonl').read_text().splitlines():
        rec = json.loads(line)
        out[rec['step']] = rec['loss']  # a step redone after a resume overwrites its first record
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('--preset', default='smoke', help='smoke: the default model shape with small batches')
    ap.add_argument('--scale', default='2')
    ap.add_argument('--steps', type=int, default=12)
    ap.add_argument('--kill-after', type=float, default=40.0, help='seconds before the second run is interrupted')
    args = ap.parse_args()
    runs = [HERE / 'runs' / 'repro-a', HERE / 'runs' / 'repro-b']
    for run in runs:
        shutil.rmtree(run, ignore_errors=True)
    base = [sys.executable, str(HERE / 'train.py'), '--preset', args.preset, '--scale', args.scale,
            '--steps', str(args.steps), '--ckpt-minutes', '0']
    subprocess.run(base + ['--run', str(runs[0])], check=True, capture_output=True)
    try:
        subprocess.run(base + ['--run', str(runs[1])], capture_output=True, timeout=args.kill_after)
        print('note: the second run finished before it could be interrupted')
    except subprocess.TimeoutExpired:
        pass
    interrupted_at = len(losses(runs[1])) if (runs[1] / 'log.jsonl').exists() else 0
    subprocess.run(base + ['--run', str(runs[1])], check=True, capture_output=True)
    a, b = losses(runs[0]), losses(runs[1])
    diffs = [abs(a[s] - b[s]) for s in sorted(a)]
    print(json.dumps({'steps': len(a), 'interrupted_after_steps': interrupted_at, 'max_abs_loss_diff': max(diffs),
                      'loss_a': [a[s] for s in sorted(a)], 'loss_b': [b[s] for s in sorted(b)]}))


if __name__ == '__main__':
    main()
