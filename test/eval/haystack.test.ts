import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Haystack, insertNeedles } from '../../src/eval/haystack.js';
import { EvalRandom } from '../../src/eval/random.js';

const words = { encode: (text: string) => text.trim().split(/\s+/) };

test('insertNeedles puts depth 0 first, 1 last and 0.5 in the middle', () => {
  const items = ['a.', 'b.', 'c.', 'd.'];
  assert.equal(insertNeedles(items, [{ depth: 0, text: 'N.' }]), ' N. a. b. c. d.');
  assert.equal(insertNeedles(items, [{ depth: 1, text: 'N.' }]), ' a. b. c. d. N.');
  assert.equal(insertNeedles(items, [{ depth: 0.5, text: 'N.' }]), ' a. b. N. c. d.');
  assert.equal(insertNeedles(items, [{ depth: 0.25, text: 'X.' }, { depth: 0.25, text: 'Y.' }]), ' a. X. Y. b. c. d.');
  assert.equal(insertNeedles([], [{ depth: 0.7, text: 'N.' }]), ' N.');
});

test('a haystack window is consecutive sentences within the token budget', () => {
  const text = Array.from({ length: 50 }, (_, i) => `sentence number ${i} here.`).join('\n');
  const hay = Haystack.fromText(text, words);
  const rng = new EvalRandom(7);
  for (const budget of [0, 3, 4, 17, 40, 1000]) {
    const window = hay.window(rng, budget);
    const tokens = window.reduce((n, s) => n + words.encode(s).length, 0);
    assert.ok(tokens <= budget, `${tokens} > ${budget}`);
    assert.equal(window.length, Math.min(50, Math.floor(budget / 4)));
    const first = Number(/\d+/.exec(window[0] ?? 'x 0')![0]);
    window.forEach((s, i) => assert.equal(s, `sentence number ${(first + i) % 50} here.`));
  }
});

test('an empty haystack text is refused', () => {
  assert.throws(() => Haystack.fromText('\n \n', words), /no sentences/);
});
