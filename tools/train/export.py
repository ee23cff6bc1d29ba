"""Writes a trained checkpoint as a Hugging Face Llama folder (config.json, model.safetensors in F16,
tokenizer.json, tokenizer_config.json), then converts it to GGUF with fastfill's own converter.

Usage: python tools/train/export.py runs/main/final.pt [--out models/default]
(or a folder of weight parts written by train.py --parts-out)
"""
import argparse
import json
import shutil
import subprocess
from pathlib import Path

import torch
from safetensors.torch import save_file

from checkpoint_io import load_weights
from model import Config
from tasks import SPEC

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


def hf_config(cfg: Config, eos_id: int) -> dict:
    return {
        'architectures': ['LlamaForCausalLM'], 'model_type': 'llama',
        'vocab_size': cfg.vocab_size, 'hidden_size': cfg.hidden_size, 'intermediate_size': cfg.intermediate_size,
        'num_hidden_layers': cfg.num_hidden_layers, 'num_attention_heads': cfg.num_attention_heads,
        'num_key_value_heads': cfg.num_key_value_heads, 'head_dim': cfg.hidden_size // cfg.num_attention_heads,
        'hidden_act': 'silu', 'rms_norm_eps': cfg.rms_norm_eps, 'rope_theta': cfg.rope_theta,
        'max_position_embeddings': cfg.max_position_embeddings, 'tie_word_embeddings': True,
        'attention_bias': False, 'mlp_bias': False, 'bos_token_id': None, 'eos_token_id': eos_id,
        'torch_dtype': 'float16',
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('checkpoint')
    ap.add_argument('--out', default=str(REPO / 'models' / 'default'))
    ap.add_argument('--gguf-type', default='F16')
    args = ap.parse_args()
    state, cfg = load_weights(Path(args.checkpoint))
    out = Path(args.out)
    hf = out / 'hf'
    hf.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.to(torch.float16).contiguous() for k, v in state.items()}
    save_file(tensors, str(hf / 'model.safetensors'), metadata={'format': 'pt'})
    shutil.copy(HERE / 'runs' / 'data' / 'tokenizer.json', hf / 'tokenizer.json')
    tok = json.loads((hf / 'tokenizer.json').read_text())
    eos_id = next(t['id'] for t in tok['added_tokens'] if t['content'] == SPEC['eos'])
    (hf / 'config.json').write_text(json.dumps(hf_config(cfg, eos_id), indent=1) + '\n')
    (hf / 'generation_config.json').write_text(json.dumps({'eos_token_id': eos_id}, indent=1) + '\n')
    (hf / 'tokenizer_config.json').write_text(json.dumps({
        'tokenizer_class': 'PreTrainedTokenizerFast', 'eos_token': SPEC['eos'], 'bos_token': None,
        'add_bos_token': False, 'add_eos_token': False, 'model_max_length': cfg.max_position_embeddings,
    }, indent=1) + '\n')
    gguf = out / f'fastfill-default-{args.gguf_type.lower()}.gguf'
    subprocess.run(['node', str(REPO / 'dist' / 'src' / 'cli' / 'main.js'), 'convert', str(hf), str(gguf),
                    '--type', args.gguf_type], check=True)
    print(f'wrote {hf} and {gguf}')


if __name__ == '__main__':
    main()
