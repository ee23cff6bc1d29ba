"""Fits one softmax temperature for a trained model on held-out text (Guo et al., 2017, "On Calibration of
Modern Neural Networks"). A model that has seen its small corpus hundreds of times is over-confident on new
text; dividing the logits by T > 1 fixes much of that without changing any argmax, so greedy outputs and the
retrieval accuracy stay the same. export.py folds 1/T into the final RMSNorm weight (the LM head is tied to
the embeddings, so the norm is the one place where a scale reaches the logits alone).

T is fitted on the second half of the held-out tokens only; `fastfill eval` measures perplexity on the first
8,192, so the reported perplexity is on text the fit never saw.

Usage: python tools/train/calibrate.py WEIGHTS [--windows 16]
"""
import argparse
import json
import math
from pathlib import Path

import torch
import torch.nn.functional as F
from tokenizers import Tokenizer

from checkpoint_io import load_weights
from model import Llama

HERE = Path(__file__).resolve().parent
WINDOW = 1024


def held_out_ids(tok: Tokenizer) -> list[int]:
    """The held-out text tokenized as src/eval/perplexity.ts does: documents of ' '-prefixed sentences."""
    text = (HERE.parents[1] / 'models' / 'default' / 'heldout.txt').read_text(encoding='utf-8')
    ids = []
    for doc in text.split('\n\n'):
        ids += tok.encode(''.join(' ' + s.strip() for s in doc.split('\n') if s.strip())).ids
    return ids


def window_logits(model: Llama, ids: list[int], start: int, count: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    out = []
    with torch.no_grad():
        for w in range(count):
            chunk = torch.tensor([ids[start + w * WINDOW: start + (w + 1) * WINDOW]])
            out.append((model(chunk[:, :-1])[0].float(), chunk[0, 1:]))
    return out


def ppl(pairs, temperature: float) -> float:
    nll = sum(F.cross_entropy(lg / temperature, tg, reduction='sum').item() for lg, tg in pairs)
    return math.exp(nll / sum(len(tg) for _, tg in pairs))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('weights')
    ap.add_argument('--windows', type=int, default=16)
    args = ap.parse_args()
    torch.set_num_threads(1)
    state, cfg = load_weights(Path(args.weights))
    model = Llama(cfg)
    model.load_state_dict(state)
    model.eval()
    ids = held_out_ids(Tokenizer.from_file(str(HERE / 'runs' / 'data' / 'tokenizer.json')))
    half = len(ids) // 2
    fit = window_logits(model, ids, half, min(args.windows, (len(ids) - half) // WINDOW))
    report = window_logits(model, ids, 0, 8)
    grid = [round(1 + 0.25 * i, 2) for i in range(0, 60)]
    best = min(grid, key=lambda t: ppl(fit, t))
    fine = [round(best - 0.25 + 0.01 * i, 2) for i in range(51) if best - 0.25 + 0.01 * i > 0.5]
    best = min(fine, key=lambda t: ppl(fit, t))
    print(json.dumps({'temperature': best, 'fit_tokens': sum(len(t) for _, t in fit),
                      'fit_ppl_t1': round(ppl(fit, 1.0), 1), 'fit_ppl': round(ppl(fit, best), 1),
                      'eval_ppl_t1': round(ppl(report, 1.0), 1), 'eval_ppl': round(ppl(report, best), 1)}))


if __name__ == '__main__':
    main()
