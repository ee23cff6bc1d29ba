"""Weights on disk: one .pt file, or a folder of parts no larger than a size limit (for transports that cap
the size of a file), and the run's model config beside them."""
import json
from pathlib import Path

import torch

from model import Config

PART_BYTES = 15 * 1024 * 1024


def save_parts(state: dict, folder: Path, config: Config) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob('weights-*.pt'):
        old.unlink()
    part, size, index = {}, 0, 0
    for name, tensor in state.items():
        nbytes = tensor.numel() * tensor.element_size()
        if part and size + nbytes > PART_BYTES:
            torch.save(part, folder / f'weights-{index}.pt')
            part, size, index = {}, 0, index + 1
        part[name] = tensor.detach().cpu()
        size += nbytes
    torch.save(part, folder / f'weights-{index}.pt')
    (folder / 'model.json').write_text(json.dumps(config.to_dict(), indent=1))


def load_weights(path: Path) -> tuple[dict, Config]:
    """A final.pt/last.pt of train.py, a folder written by save_parts, or an exported Hugging Face folder
    (config.json + model.safetensors, as models/default/hf); returns (state dict in fp32, model config)."""
    path = Path(path)
    if path.is_dir() and (path / 'model.safetensors').exists():
        from safetensors.torch import load_file
        hf = json.loads((path / 'config.json').read_text())
        config = Config(**{k: hf[k] for k in Config().to_dict()})
        return {k: v.float() for k, v in load_file(str(path / 'model.safetensors')).items()}, config
    if path.is_dir():
        state = {}
        for part in sorted(path.glob('weights-*.pt')):
            state.update(torch.load(part, map_location='cpu'))
        return state, Config(**json.loads((path / 'model.json').read_text()))
    blob = torch.load(path, map_location='cpu')
    state = blob.get('model', blob)
    config = blob.get('config')
    if config is None:  # files of the first runs, before the config travelled with the weights
        config = json.loads((path.parent / 'config.json').read_text())['model']
    return state, Config(**config)
