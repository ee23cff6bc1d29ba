#!/usr/bin/env python3
"""Makes the committed Python-made reference fixtures under test/fixtures/ (see tools/README.md).

    .venv/bin/python tools/make_fixtures.py [--only models|tokenizers|quants] [--out DIR] [--shared DIR]
"""
import argparse
import json
import os
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ beside the committed helpers
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from fixtures.paths import DEFAULT_SHARED_DIR, FIXTURES_DIR  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", choices=["models", "tokenizers", "quants"])
    ap.add_argument("--out", type=Path, default=FIXTURES_DIR, help="fixtures folder (default test/fixtures)")
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED_DIR, help="shared data (default ../shared)")
    args = ap.parse_args()

    if args.only in (None, "quants"):
        from fixtures.quant_blocks import write_quant_fixtures

        print("quants", json.dumps(write_quant_fixtures(args.out)))
    if args.only == "quants":
        return

    import torch

    torch.manual_seed(0)
    torch.set_num_threads(1)  # the reductions' order then does not depend on the core count

    if args.only in (None, "models"):
        from fixtures.model_fixtures import write_model_fixtures
        from fixtures.tiny_models import TINY_LLAMA, TINY_QWEN2

        for spec in (TINY_LLAMA, TINY_QWEN2):
            m = write_model_fixtures(spec, args.out)
            print(spec.name, json.dumps(m["prompt_margin_stats"]),
                  [(p["name"], len(p["ids"]), p["greedy_min_top2_margin"]) for p in m["prompts"]])
    if args.only in (None, "tokenizers"):
        if not (args.shared / "tokenizers").is_dir():
            sys.exit(f"shared data not found at {args.shared} (use --shared DIR)")
        from fixtures.tokenizer_fixtures import write_tokenizer_fixtures

        print(json.dumps(write_tokenizer_fixtures(args.shared, args.out)))


if __name__ == "__main__":
    main()
