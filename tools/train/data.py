"""Training batches: windows of plain text and long-context task examples, drawn from an RNG seeded by
(seed, step) so a resumed run sees exactly the batches it would have seen."""
import random
from pathlib import Path

import numpy as np
import torch
from tokenizers import Tokenizer

from tasks import BUILDERS, Haystack, SPEC, kv_drill, niah_drill

DATA = Path(__file__).resolve().parent / 'runs' / 'data'
# Share of task examples by kind; the rest of a batch is plain text.
TASK_MIXES = {
    # warm-up: only copies of repeated text, so induction (copying) heads form before anything else
    'copy': {'repeat': 1.0},
    'tasks': {'repeat': 0.5, 'passkey': 0.2, 'kv': 0.15, 'niah': 0.1, 'hop': 0.05},
    # second stage: more of the hardest lookups (kv: one 6-letter key among hundreds of similar ones)
    'retrieval': {'repeat': 0.2, 'passkey': 0.15, 'kv': 0.4, 'niah': 0.2, 'hop': 0.05},
    # kv-heavy rows (default-stage3 for a GPU, never run; default-stage3-cpu, tried and not shipped)
    'kv-focus': {'repeat': 0.15, 'passkey': 0.1, 'kv': 0.55, 'niah': 0.15, 'hop': 0.05},
    # CPU-sized third stage (shipped): kv lists with several answered questions each, a few other lookups so they are
    # not forgotten; only answer tokens carry loss (see ANSWERS_ONLY)
    'kv-drill': {'kv-drill': 0.7, 'passkey': 0.1, 'niah': 0.1, 'hop': 0.05, 'kv': 0.05},
    # and the same for the multi-needle task, which the kv drill left weaker
    'retrieval-drill': {'kv-drill': 0.35, 'niah-drill': 0.4, 'passkey': 0.1, 'hop': 0.1, 'kv': 0.05},
}
# Mixes whose rows carry loss on answer tokens only: with a few rows a step, the unlearnable random letters
# and digits of kv lists would otherwise dominate the gradient.
ANSWERS_ONLY = {'kv-drill', 'retrieval-drill'}
DRILL_QUESTIONS = 6
DRILL_EARLY = 0.5
# Chance that an example takes all the room left in its row (0.5 where not listed).
FULL_ROOM = {'kv-drill': 0.75, 'retrieval-drill': 0.75}
ANSWER_WEIGHT = 2.0
REPEAT_WEIGHT = 1.5
# A task row packs examples of random lengths (at least this many tokens) until it is full, so a step sees
# many answers; about half the examples take all the room left, so full-length examples stay common.
MIN_EXAMPLE = 48


class Corpus:
    def __init__(self):
        self.tok = Tokenizer.from_file(str(DATA / 'tokenizer.json'))
        self.eos = self.tok.token_to_id(SPEC['eos'])
        docs = [d.split('\n') for d in (DATA / 'train.txt').read_text(encoding='utf-8').strip().split('\n\n')]
        sentences = [s for d in docs for s in d]
        counts = [len(e.ids) for e in self.tok.encode_batch([' ' + s for s in sentences])]
        self.hay = Haystack(sentences, counts)
        stream = []
        for d in docs:
            stream.extend(self.tok.encode(''.join(' ' + s for s in d)).ids)
            stream.append(self.eos)
        self.stream = np.array(stream, dtype=np.int64)

    def count(self, text: str) -> int:
        return len(self.tok.encode(text).ids)

    def task_example(self, rng: random.Random, length: int, mix: dict) -> tuple[list[int], list[float]]:
        kind = rng.choices(list(mix), weights=list(mix.values()))[0]
        if kind in ('kv-drill', 'niah-drill'):
            segments = kv_drill(rng, length, self.count, DRILL_QUESTIONS, DRILL_EARLY) if kind == 'kv-drill' \
                else niah_drill(rng, self.hay, length, self.count, DRILL_EARLY)
            ids, weights = [], []
            for text, is_answer in segments:
                t = self.tok.encode(text).ids
                ids, weights = ids + t, weights + [ANSWER_WEIGHT if is_answer else 1.0] * len(t)
            return ids + [self.eos], weights + [ANSWER_WEIGHT]
        if kind == 'repeat':
            # a span of text and then the same span again: every token of the copy can be found by looking back,
            # which makes induction (copying) heads form early; the retrieval tasks build on them
            half = length // 2
            start = rng.randrange(len(self.stream) - half)
            span = self.stream[start:start + half].tolist()
            return span + span, [1.0] * half + [REPEAT_WEIGHT] * half
        prompt, answer = BUILDERS[kind](rng, self.hay, length, rng.random(), self.count)
        p = self.tok.encode(prompt).ids
        a = self.tok.encode(' ' + answer).ids + [self.eos]
        return p + a, [1.0] * len(p) + [ANSWER_WEIGHT] * len(a)

    def batch(self, seed: int, step: int, length: int, rows: int, task_share: float, mix: str = 'tasks'):
        """ids [rows, length] and per-target weights [rows, length-1] (0 on padding)."""
        rng = random.Random(seed * 1_000_003 + step)
        ids = np.full((rows, length), self.eos, dtype=np.int64)
        w = np.zeros((rows, length), dtype=np.float32)
        for r in range(rows):
            if rng.random() < task_share:
                toks, weights = [], []
                while length - len(toks) >= MIN_EXAMPLE:
                    room = length - len(toks)
                    n = room if rng.random() < FULL_ROOM.get(mix, 0.5) else rng.randint(MIN_EXAMPLE, room)
                    t, wt = self.task_example(rng, n, TASK_MIXES[mix])
                    toks, weights = toks + t, weights + wt
                toks, weights = toks[:length], weights[:length]
            else:
                start = rng.randrange(len(self.stream) - length)
                toks, weights = self.stream[start:start + length].tolist(), [1.0] * length
            if mix in ANSWERS_ONLY:
                weights = [x if x == ANSWER_WEIGHT else 0.0 for x in weights]
            ids[r, :len(toks)] = toks
            w[r, :len(weights)] = weights
        # weight of predicting token t+1 from position t
        return torch.from_numpy(ids), torch.from_numpy(w[:, 1:])
