"""Trains the default model with a length curriculum on CPU, or on a CUDA GPU where present (bf16 autocast);
checkpoints every few minutes and resumes from the last checkpoint of the run folder.

Usage: python tools/train/train.py --run runs/main [--preset default] [--scale 1.0 | --time-budget MIN]
       [--steps N] [--seed 1234] [--init WEIGHTS] [--parts-out DIR]
"""
import argparse
import json
import math
import os
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from checkpoint_io import load_weights, save_parts
from data import ANSWER_WEIGHT
from model import Llama
from presets import PRESETS, scaled_phases
from step_batches import batch_loader, Corpus


def phase_at(phases: list[tuple], step: int) -> tuple:
    end = 0
    for steps, *rest in phases:
        end += steps
        if step < end:
            return tuple(rest)
    return tuple(phases[-1][1:])


def lr_at(step: int, total: int, peak: float) -> float:
    warm = max(1, total // 30)
    if step < warm:
        return peak * (step + 1) / warm
    t = (step - warm) / max(1, total - warm)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * t)))


def make_optimizer(model: Llama, lr: float) -> torch.optim.AdamW:
    decay = [p for p in model.parameters() if p.dim() == 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    return torch.optim.AdamW([{'params': decay, 'weight_decay': 0.1}, {'params': no_decay, 'weight_decay': 0.0}],
                             lr=lr, betas=(0.9, 0.95), eps=1e-8)


def train_step(model, opt, ids, w, lr, device, bf16: bool) -> dict:
    for g in opt.param_groups:
        g['lr'] = lr
    with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=bf16):
        logits = model(ids[:, :-1])
    nll = F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), ids[:, 1:].reshape(-1), reduction='none')
    nll = nll.view_as(w)
    loss = (nll * w).sum() / w.sum()
    opt.zero_grad(set_to_none=True)
    loss.backward()
    gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    plain = (nll * (w == 1)).sum() / (w == 1).sum().clamp(min=1)
    ans = w >= ANSWER_WEIGHT  # answers of the retrieval tasks (copies of repeated text weigh less)
    ans_loss = ((nll * ans).sum() / ans.sum()).item() if ans.any() else None
    return {'loss': round(loss.item(), 4), 'text_loss': round(plain.item(), 4),
            'answer_loss': None if ans_loss is None else round(ans_loss, 4), 'gnorm': round(gnorm.item(), 3)}


def choose_scale(preset: dict, budget_s: float, max_scale: float, seed: int, device: str, bf16: bool) -> float:
    """Times a few training steps of every phase on a throwaway model and returns the largest scale (2 decimals)
    whose whole schedule fits the budget. The run records the scale, so it can be replayed exactly."""
    corpus = Corpus()
    model = Llama(preset['model']).to(device)
    opt = make_optimizer(model, 1e-4)
    predicted = 0.0
    for steps, length, rows, share, mix in preset['phases']:
        ids, w = corpus.batch(seed, 0, length, rows, share, mix)
        ids, w = ids.to(device), w.to(device)
        times = []
        for _ in range(3):
            t0 = time.time()
            train_step(model, opt, ids, w, 1e-4, device, bf16)
            if device == 'cuda':
                torch.cuda.synchronize()
            times.append(time.time() - t0)
        per_step = min(times[1:])
        predicted += steps * per_step
        print(json.dumps({'probe_len': length, 'rows': rows, 'sec_per_step': round(per_step, 4)}), flush=True)
    scale = min(max_scale, math.floor(100 * budget_s / predicted) / 100)
    print(json.dumps({'predicted_s_at_scale_1': round(predicted, 1), 'scale': scale}), flush=True)
    return scale


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('--run', required=True)
    ap.add_argument('--preset', default='default', choices=sorted(PRESETS))
    ap.add_argument('--scale', type=float, default=None, help='multiplies the steps of every phase')
    ap.add_argument('--time-budget', type=float, default=None, help='minutes: probe and pick the scale')
    ap.add_argument('--max-scale', type=float, default=4.0)
    ap.add_argument('--steps', type=int, default=None, help='stop early (the schedule stays the same)')
    ap.add_argument('--seed', type=int, default=1234)
    ap.add_argument('--ckpt-minutes', type=float, default=4.0)
    ap.add_argument('--init', default=None, help='start from these weights (a stage-two run)')
    ap.add_argument('--parts-out', default=None, help='also write the weights as <=15 MB parts here')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--cpu-bf16', action='store_true',
                    help='bf16 autocast on CPU too (about 2x faster where the CPU has AVX-512 BF16); always on CUDA')
    ap.add_argument('--workers', type=int, default=0, help='batch-building processes (0: in this process)')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    if device == 'cuda':
        torch.backends.cuda.matmul.allow_tf32 = True
    bf16 = device == 'cuda' or args.cpu_bf16
    preset = PRESETS[args.preset]
    run = Path(args.run)
    run.mkdir(parents=True, exist_ok=True)
    cfg_file = run / 'config.json'
    if args.scale is None and cfg_file.exists():
        args.scale = json.loads(cfg_file.read_text())['scale']  # a resumed run keeps its schedule
    if args.scale is None:
        args.scale = choose_scale(preset, args.time_budget * 60, args.max_scale, args.seed, device, bf16) \
            if args.time_budget else 1.0
    phases = scaled_phases(preset, args.scale)
    total = sum(p[0] for p in phases)
    cfg = preset['model']
    torch.manual_seed(args.seed)
    model = Llama(cfg).to(device)
    opt = make_optimizer(model, preset['lr'])
    start = 0
    ckpt = run / 'last.pt'
    if ckpt.exists():
        state = torch.load(ckpt, map_location=device)
        model.load_state_dict(state['model'])
        opt.load_state_dict(state['opt'])
        start = state['step']
        print(f'resumed at step {start}', flush=True)
    elif args.init:
        state, init_cfg = load_weights(Path(args.init))
        assert init_cfg == cfg, f'{args.init} holds a model of another shape than preset {args.preset}'
        model.load_state_dict(state)
        print(f'initialised from {args.init}', flush=True)
    n_params = sum(p.numel() for p in model.parameters())
    cfg_file.write_text(json.dumps({'model': cfg.to_dict(), 'preset': args.preset, 'scale': args.scale,
                                    'phases': phases, 'lr': preset['lr'], 'seed': args.seed, 'init': args.init, 'params': n_params, 'bf16': bf16,
                                    'device': torch.cuda.get_device_name() if device == 'cuda' else 'cpu'}, indent=1))
    print(f'{n_params / 1e6:.2f}M parameters on {device}, {total} steps (scale {args.scale})', flush=True)
    stop = min(total, args.steps or total)
    log = open(run / 'log.jsonl', 'a')
    last_save = time.time()
    t_run = time.time()
    batches = batch_loader(args.seed, [phase_at(phases, s) for s in range(start, stop)], start, args.workers)
    for step, (ids, w) in zip(range(start, stop), batches):
        t0 = time.time()
        length = ids.shape[1]
        ids, w = ids.to(device, non_blocking=True), w.to(device, non_blocking=True)
        lr = lr_at(step, total, preset['lr'])
        rec = {'step': step, 'len': length, **train_step(model, opt, ids, w, lr, device, bf16), 'lr': round(lr, 6)}
        dt = time.time() - t0
        rec.update({'sec': round(dt, 3), 'tok_s': round(ids.numel() / dt), 'elapsed': round(time.time() - t_run)})
        print(json.dumps(rec), flush=True)
        log.write(json.dumps(rec) + '\n')
        log.flush()
        if time.time() - last_save > args.ckpt_minutes * 60 or step + 1 == stop:
            tmp = run / 'last.pt.tmp'
            torch.save({'model': model.state_dict(), 'opt': opt.state_dict(), 'step': step + 1,
                        'config': cfg.to_dict()}, tmp)
            os.replace(tmp, ckpt)
            if args.parts_out:
                save_parts(model.state_dict(), Path(args.parts_out), cfg)
            last_save = time.time()
    if stop == total:
        torch.save({'model': model.state_dict(), 'config': cfg.to_dict()}, run / 'final.pt')
        print('done', flush=True)


if __name__ == '__main__':
    main()
