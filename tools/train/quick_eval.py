"""Retrieval accuracy of a checkpoint in PyTorch, for watching a run (the reported numbers come from
`fastfill eval`). Prompts are built as the eval harness builds them, from the held-out text; a sample counts
as right when greedy decoding would produce ' ' + answer: one forward pass over prompt + answer, checking the
argmax at every answer position (teacher forcing gives the same verdict as greedy decoding for exact match).

Usage: python tools/train/quick_eval.py WEIGHTS [--lengths 1024,2048,4096] [--samples 20] [--json OUT]
WEIGHTS: final.pt / last.pt of train.py, or a folder of parts (checkpoint_io.save_parts).
"""
import argparse
import json
import random
import time
from pathlib import Path

import torch
from tokenizers import Tokenizer

from checkpoint_io import load_weights
from model import Llama
from tasks import BUILDERS, Haystack, SPEC

HERE = Path(__file__).resolve().parent
DEPTHS = [0.0, 0.25, 0.5, 0.75, 1.0]


def held_out_haystack(tok: Tokenizer) -> Haystack:
    text = (HERE.parents[1] / 'models' / 'default' / 'heldout.txt').read_text(encoding='utf-8')
    sentences = [s for s in text.split('\n') if s.strip()]
    counts = [len(e.ids) for e in tok.encode_batch([' ' + s for s in sentences])]
    return Haystack(sentences, counts)


def correct(model: Llama, tok: Tokenizer, prompt: str, answer: str, device: str) -> bool:
    p = tok.encode(prompt).ids
    a = tok.encode(' ' + answer).ids
    ids = torch.tensor([p + a], device=device)
    with torch.no_grad(), torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=device == 'cuda'):
        logits = model(ids[:, :-1])
    guess = logits[0, len(p) - 1:].argmax(-1).tolist()
    return guess == a


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('weights')
    ap.add_argument('--tasks', default='passkey,kv,niah')
    ap.add_argument('--lengths', default='1024,2048,4096')
    ap.add_argument('--samples', type=int, default=20)
    ap.add_argument('--seed', type=int, default=7)
    ap.add_argument('--json', default=None)
    args = ap.parse_args()
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    state, cfg = load_weights(Path(args.weights))
    model = Llama(cfg)
    model.load_state_dict(state)
    model.to(device).eval()
    tok = Tokenizer.from_file(str(HERE / 'runs' / 'data' / 'tokenizer.json'))
    hay = held_out_haystack(tok)
    count = lambda text: len(tok.encode(text).ids)
    results = []
    for task in args.tasks.split(','):
        for length in [int(x) for x in args.lengths.split(',')]:
            row = {'task': task, 'length': length}
            t0 = time.time()
            for depth in DEPTHS:
                rng = random.Random(f'{args.seed}/{task}/{length}/{depth}')
                hits = sum(correct(model, tok, *BUILDERS[task](rng, hay, length, depth, count), device)
                           for _ in range(args.samples))
                row[f'd{round(depth * 100)}'] = hits / args.samples
            row['mean'] = round(sum(row[f'd{round(d * 100)}'] for d in DEPTHS) / len(DEPTHS), 3)
            row['sec'] = round(time.time() - t0, 1)
            results.append(row)
            print(json.dumps(row), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == '__main__':
    main()
