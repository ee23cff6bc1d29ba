"""Greedy continuations of a few prompts from PyTorch (our model.py on the exported F16 weights) and from
`fastfill run` on the exported folder and the GGUF must be the same text.

Usage: python tools/train/check_parity.py [--dir models/default] [-n 24]
"""
import argparse
import json
import subprocess
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file
from tokenizers import Tokenizer

from model import Config, Llama

REPO = Path(__file__).resolve().parents[2]
PROMPTS = ['The man said that', 'In the morning, the city', 'There is a pass key hidden in the text below. Find it '
           'and remember it. The sun was up. The pass key is 40721. Remember it. 40721 is the pass key. '
           'It rained all day.\nWhat is the pass key? The pass key is']


def torch_greedy(model: Llama, ids: list[int], n: int, eos: int) -> list[int]:
    out = list(ids)
    with torch.no_grad():
        for _ in range(n):
            nxt = int(model(torch.tensor([out]))[0, -1].argmax())
            if nxt == eos:
                break
            out.append(nxt)
    return out[len(ids):]


def check_transformers(model: Llama, folder: Path, ids: list[int]) -> int:
    """Our model.py and transformers' LlamaForCausalLM on the exported folder give the same logits."""
    try:
        from transformers import LlamaForCausalLM
    except ImportError:
        print('transformers is not installed: skipping the cross-check against LlamaForCausalLM')
        return 0
    hf = LlamaForCausalLM.from_pretrained(str(folder), torch_dtype=torch.float32).eval()
    with torch.no_grad():
        diff = (hf(torch.tensor([ids])).logits - model(torch.tensor([ids]))).abs().max().item()
    print(f'max |logit difference| between model.py and transformers LlamaForCausalLM: {diff:.2e}')
    return int(diff > 1e-3)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('--dir', default=str(REPO / 'models' / 'default'))
    ap.add_argument('-n', type=int, default=24)
    args = ap.parse_args()
    d = Path(args.dir)
    cfg = json.loads((d / 'hf' / 'config.json').read_text())
    model = Llama(Config(**{k: cfg[k] for k in Config().to_dict()}))
    weights = {k: v.float() for k, v in load_file(str(d / 'hf' / 'model.safetensors')).items()}
    model.load_state_dict(weights)
    model.eval()
    tok = Tokenizer.from_file(str(d / 'hf' / 'tokenizer.json'))
    failures = check_transformers(model, d / 'hf', tok.encode(PROMPTS[0]).ids)
    eos = cfg['eos_token_id']
    targets = [d / 'hf'] + sorted(d.glob('*.gguf'))
    for prompt in PROMPTS:
        ids = tok.encode(prompt).ids
        expected = torch_greedy(model, ids, args.n, eos)
        print(f'prompt {prompt[-40:]!r}\n  torch:   {tok.decode(expected)!r}')
        for target in targets:
            run = subprocess.run(['node', str(REPO / 'dist/src/cli/main.js'), 'run', str(target), '--prompt', prompt,
                                  '-n', str(args.n), '--temp', '0', '--json'], check=True, capture_output=True, text=True)
            got = json.loads(run.stdout.strip().splitlines()[-1])
            same = got['prompt_ids'] == ids and got['ids'][:len(expected)] == expected
            failures += not same
            print(f'  {target.name}: {got["text"]!r} {"same" if same else "DIFFERENT"}')
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
