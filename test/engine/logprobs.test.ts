import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logSumExp, logprobOf, topLogprobs } from '../../src/engine/logprobs.js';
import { createRng } from '../../src/engine/rng.js';

/** float64 reference: log(softmax) through exact sums of exp in a stable form, sorted by a full sort. */
function referenceLogprobs(logits: Float32Array): { id: number; logprob: number }[] {
  const values = [...logits];
  const max = Math.max(...values);
  const lse = max + Math.log(values.reduce((sum, v) => sum + Math.exp(v - max), 0));
  return values.map((v, id) => ({ id, logprob: v - lse })).sort((a, b) => b.logprob - a.logprob || a.id - b.id);
}

test('topLogprobs matches a float64 reference on random logits, best first', () => {
  const rng = createRng(3);
  for (let trial = 0; trial < 50; trial++) {
    const n = 1 + Math.floor(rng.nextFloat() * 500);
    const logits = Float32Array.from({ length: n }, () => (rng.nextFloat() - 0.5) * 40);
    const k = Math.floor(rng.nextFloat() * 25);
    const expected = referenceLogprobs(logits).slice(0, k);
    const actual = topLogprobs(logits, k);
    assert.deepEqual(actual.map((t) => t.id), expected.map((t) => t.id));
    actual.forEach((t, i) => assert.ok(Math.abs(t.logprob - expected[i]!.logprob) < 1e-9));
    const id = Math.floor(rng.nextFloat() * n);
    const reference = expected.length > 0 ? referenceLogprobs(logits).find((t) => t.id === id)!.logprob : undefined;
    if (reference !== undefined) assert.ok(Math.abs(logprobOf(logits, id) - reference) < 1e-9);
  }
});

test('stable for huge logits, exp of which overflows', () => {
  const logits = Float32Array.from([1000, 1000, 999, -1000]);
  const top = topLogprobs(logits, 4);
  const expectedTop = -Math.log(2 + Math.exp(-1));
  assert.deepEqual(top.map((t) => t.id), [0, 1, 2, 3]);
  assert.ok(Math.abs(top[0]!.logprob - expectedTop) < 1e-12);
  assert.ok(Math.abs(top[2]!.logprob - (expectedTop - 1)) < 1e-12);
  assert.ok(Math.abs(logSumExp(logits) - (1000 - expectedTop)) < 1e-9);
  // the probabilities still sum to one
  const sum = [...logits].reduce((s, _, id) => s + Math.exp(logprobOf(logits, id)), 0);
  assert.ok(Math.abs(sum - 1) < 1e-12);
});

test('ties keep the lower id first; k is clamped to the vocabulary; k = 0 is empty', () => {
  const logits = Float32Array.from([1, 3, 3, 2, 3]);
  assert.deepEqual(topLogprobs(logits, 3).map((t) => t.id), [1, 2, 4]);
  assert.deepEqual(topLogprobs(logits, 9).map((t) => t.id), [1, 2, 4, 3, 0]);
  assert.deepEqual(topLogprobs(logits, 0), []);
  const lse = logSumExp(logits);
  assert.equal(logprobOf(logits, 3, lse), logprobOf(logits, 3));
});

test('bad inputs get clear errors', () => {
  const logits = Float32Array.from([0, 1]);
  assert.throws(() => logprobOf(logits, 2), /token id 2 is outside the vocabulary \(size 2\)/);
  assert.throws(() => topLogprobs(logits, -1), /integer >= 0/);
  assert.throws(() => logSumExp(Float32Array.from([-Infinity, -Infinity])), /every logit is -Infinity/);
  assert.throws(() => logSumExp(new Float32Array(0)), /there are none/);
  assert.throws(() => logSumExp(Float32Array.from([0, Infinity])), /\+Infinity/);
  assert.throws(() => logSumExp(Float32Array.from([0, Number.NaN])), /NaN/);
});
