"""Trains the default model on CPU (or CUDA where present) with a length curriculum; checkpoints every few
minutes and resumes from the last checkpoint of the run folder.

Usage: python tools/train/train.py --run runs/main [--steps N] [--seed 1234] [--probe]
"""
import argparse
import json
import math
import os
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from data import ANSWER_WEIGHT, Corpus
from model import Config, Llama

# The curriculum: (steps, sequence length, rows per batch, share of task rows, task mix of data.py).
PHASES = [(200, 128, 16, 1.0, 'copy'), (150, 128, 16, 0.9, 'tasks'), (150, 512, 4, 0.9, 'tasks'),
          (40, 2048, 1, 0.9, 'tasks'), (20, 4096, 1, 0.9, 'tasks')]
TOTAL_STEPS = sum(p[0] for p in PHASES)
CFG = Config()


def phase_at(step: int):
    end = 0
    for steps, *rest in PHASES:
        end += steps
        if step < end:
            return rest
    return PHASES[-1][1:]


def lr_at(step: int, total: int, peak: float) -> float:
    warm = max(1, total // 30)
    if step < warm:
        return peak * (step + 1) / warm
    t = (step - warm) / max(1, total - warm)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * t)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('--run', required=True)
    ap.add_argument('--steps', type=int, default=TOTAL_STEPS, help='stop early (the schedule is fixed)')
    ap.add_argument('--seed', type=int, default=1234)
    ap.add_argument('--lr', type=float, default=2.5e-3)
    ap.add_argument('--ckpt-minutes', type=float, default=4.0)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--probe', action='store_true', help='time a few steps of each phase, then stop')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    run = Path(args.run)
    run.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(args.seed)
    model = Llama(CFG).to(device)
    decay = [p for p in model.parameters() if p.dim() == 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.1}, {'params': no_decay, 'weight_decay': 0.0}],
                            lr=args.lr, betas=(0.9, 0.95), eps=1e-8)
    step = 0
    ckpt = run / 'last.pt'
    if ckpt.exists() and not args.probe:
        state = torch.load(ckpt, map_location=device)
        model.load_state_dict(state['model'])
        opt.load_state_dict(state['opt'])
        step = state['step']
        print(f'resumed at step {step}', flush=True)
    n_params = sum(p.numel() for p in model.parameters())
    (run / 'config.json').write_text(json.dumps({'model': CFG.to_dict(), 'args': vars(args), 'phases': PHASES,
                                                 'params': n_params}, indent=1))
    print(f'{n_params / 1e6:.2f}M parameters on {device}', flush=True)
    corpus = Corpus()
    log = open(run / 'log.jsonl', 'a')
    last_save = time.time()
    probe_steps = [0, 1] + [sum(p[0] for p in PHASES[:i]) for i in range(1, len(PHASES))]
    for step in (probe_steps if args.probe else range(step, args.steps)):
        t0 = time.time()
        length, rows, task_share, mix = phase_at(step)
        ids, w = corpus.batch(args.seed, step, length, rows, task_share, mix)
        ids, w = ids.to(device), w.to(device)
        lr = lr_at(step, TOTAL_STEPS, args.lr)
        for g in opt.param_groups:
            g['lr'] = lr
        logits = model(ids[:, :-1])
        nll = F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), ids[:, 1:].reshape(-1), reduction='none')
        nll = nll.view_as(w)
        loss = (nll * w).sum() / w.sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        plain = (nll * (w == 1)).sum() / (w == 1).sum()
        ans = w >= ANSWER_WEIGHT  # answers of the retrieval tasks (copies of repeated text weigh less)
        ans_loss = ((nll * ans).sum() / ans.sum()).item() if ans.any() else None
        dt = time.time() - t0
        rec = {'step': step, 'len': length, 'loss': round(loss.item(), 4), 'text_loss': round(plain.item(), 4),
               'answer_loss': None if ans_loss is None else round(ans_loss, 4), 'lr': round(lr, 6),
               'gnorm': round(gnorm.item(), 3), 'sec': round(dt, 2), 'tok_s': round(ids.numel() / dt)}
        print(json.dumps(rec), flush=True)
        if not args.probe:
            log.write(json.dumps(rec) + '\n')
            log.flush()
            if time.time() - last_save > args.ckpt_minutes * 60 or step + 1 == args.steps:
                tmp = run / 'last.pt.tmp'
                torch.save({'model': model.state_dict(), 'opt': opt.state_dict(), 'step': step + 1}, tmp)
                os.replace(tmp, ckpt)
                last_save = time.time()
    if not args.probe:
        torch.save(model.state_dict(), run / 'final.pt')
        print('done', flush=True)


if __name__ == '__main__':
    main()
