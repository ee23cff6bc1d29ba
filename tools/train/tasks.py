"""Builds long-context task examples in the formats of models/default/tasks.json (the eval harness in
src/eval/ follows the same file). An example is (prompt, answer): the model should continue prompt with
' ' + answer. Haystack sentences are each preceded by one space; needles are inserted between sentences."""
import json
import random
from dataclasses import dataclass
from pathlib import Path

SPEC = json.loads((Path(__file__).resolve().parents[2] / 'models' / 'default' / 'tasks.json').read_text())
LETTERS = 'abcdefghijklmnopqrstuvwxyz'


@dataclass
class Haystack:
    sentences: list[str]
    counts: list[int]  # tokens of ' ' + sentence, for sizing

    def window(self, rng: random.Random, budget: int) -> list[str]:
        start = rng.randrange(len(self.sentences))
        out, used, i = [], 0, start
        while True:
            c = self.counts[i % len(self.sentences)]
            if used + c > budget:
                return out
            out.append(self.sentences[i % len(self.sentences)])
            used += c
            i += 1


def digits(rng: random.Random, n: int) -> str:
    return str(rng.randrange(1, 10)) + ''.join(str(rng.randrange(10)) for _ in range(n - 1))


def insert_at(items: list[str], needles: list[tuple[float, str]]) -> str:
    """Inserts each (depth 0..1, text) between items, depth 0 = before the first, 1 = after the last."""
    slots = sorted(((round(d * len(items)), k, t) for k, (d, t) in enumerate(needles)))
    out, j = [], 0
    for i in range(len(items) + 1):
        while j < len(slots) and slots[j][0] == i:
            out.append(slots[j][2])
            j += 1
        if i < len(items):
            out.append(items[i])
    return ''.join(' ' + s for s in out)


def passkey(rng, hay: Haystack, length: int, depth: float, count) -> tuple[str, str]:
    s = SPEC['passkey']
    key = digits(rng, s['key_digits'])
    needle = s['needle'].format(key=key)
    fixed = count(s['intro'] + ' ' + needle + s['question']) + 8
    body = insert_at(hay.window(rng, length - fixed), [(depth, needle)])
    return s['intro'] + body + s['question'], s['answer'].format(key=key)


def kv_pairs(rng, length: int, count, reserved_tokens: int) -> list[tuple[str, str]]:
    """Distinct random keys with random values, as many lines as fit `length` after the intro and
    `reserved_tokens` for the question(s)."""
    s = SPEC['kv']
    line_tokens = count(' ' + s['line'].format(key='abcdef', value='12345')) + 1
    n = max(2, (length - count(s['intro']) - reserved_tokens) // line_tokens)
    keys: dict[str, None] = {}  # insertion-ordered: a set's order depends on the process's string hash seed
    while len(keys) < n:
        keys[''.join(rng.choice(LETTERS) for _ in range(s['key_letters']))] = None
    pairs = [(k, digits(rng, s['value_digits'])) for k in keys]
    rng.shuffle(pairs)
    return pairs


def kv_list(pairs: list[tuple[str, str]]) -> str:
    s = SPEC['kv']
    return s['intro'] + ''.join(' ' + s['line'].format(key=k, value=v) for k, v in pairs)


def kv(rng, hay: Haystack, length: int, depth: float, count) -> tuple[str, str]:
    s = SPEC['kv']
    pairs = kv_pairs(rng, length, count, count(s['question'].format(key='abcdef')) + 8)
    target = min(len(pairs) - 1, round(depth * (len(pairs) - 1)))
    key, value = pairs[target]
    return kv_list(pairs) + s['question'].format(key=key), s['answer'].format(value=value)


def kv_drill(rng, length: int, count, questions: int, early: float) -> list[tuple[str, bool]]:
    """One kv list of about `length` tokens followed by several questions, each answered: segments of
    (text, is_answer). The first question reads exactly like the eval's; later ones follow earlier answers.
    A share `early` of the asked keys comes from the first 30 % of the list, the lines furthest from the
    questions (the shipped model's weakest cells)."""
    s = SPEC['kv']
    # random keys take more tokens than 'abcdef': a margin keeps the last answer inside the row
    qa_tokens = count(s['question'].format(key='abcdef') + ' ' + s['answer'].format(value='12345')) + 6
    pairs = kv_pairs(rng, length, count, questions * qa_tokens)
    asked: list[int] = []
    while len(asked) < min(questions, len(pairs)):
        i = rng.randrange(max(1, round(0.3 * len(pairs))) if rng.random() < early else len(pairs))
        if i not in asked:
            asked.append(i)
    segments = [(kv_list(pairs), False)]
    for i in asked:
        k, v = pairs[i]
        segments += [(s['question'].format(key=k), False), (' ' + s['answer'].format(value=v), True)]
    return segments


def niah_drill(rng, hay: Haystack, length: int, count, early: float) -> list[tuple[str, bool]]:
    """A multi-needle haystack of about `length` tokens followed by a question about every needle, in a random
    order, each answered: segments of (text, is_answer). Each needle lies in the first 30 % of the text with
    probability `early`, else anywhere."""
    s = SPEC['niah']
    names = rng.sample(s['names'], s['needles'])
    numbers = [digits(rng, s['number_digits']) for _ in names]
    needles = [(rng.random() * (0.3 if rng.random() < early else 1.0), s['needle'].format(name=n, number=v))
               for n, v in zip(names, numbers)]
    qa = [(s['question'].format(name=n), ' ' + s['answer'].format(number=v)) for n, v in zip(names, numbers)]
    fixed = count(s['intro'] + ''.join(' ' + t for _, t in needles)) + sum(count(q + a) + 2 for q, a in qa) + 8
    segments = [(s['intro'] + insert_at(hay.window(rng, length - fixed), needles), False)]
    for i in rng.sample(range(len(names)), len(names)):
        segments += [(qa[i][0], False), (qa[i][1], True)]
    return segments


def niah(rng, hay: Haystack, length: int, depth: float, count, hop: bool = False) -> tuple[str, str]:
    s = SPEC['niah']
    names = rng.sample(s['names'], s['needles'] + 1)
    numbers = [digits(rng, s['number_digits']) for _ in names]
    needles = [(depth, s['needle'].format(name=names[0], number=numbers[0]))]
    needles += [(rng.random(), s['needle'].format(name=n, number=v)) for n, v in zip(names[1:-1], numbers[1:-1])]
    asked = names[0]
    if hop:  # a second needle points at the first: the answer is the first one's number
        asked = names[-1]
        needles.append((rng.uniform(depth, 1.0), s['hop_needle'].format(name=asked, other=names[0])))
    fixed = count(s['intro'] + ''.join(' ' + t for _, t in needles) + s['question'].format(name=asked)) + 8
    body = insert_at(hay.window(rng, length - fixed), needles)
    return s['intro'] + body + s['question'].format(name=asked), s['answer'].format(number=numbers[0])


BUILDERS = {'passkey': passkey, 'kv': kv, 'niah': niah,
            'hop': lambda rng, hay, length, depth, count: niah(rng, hay, length, depth, count, hop=True)}
