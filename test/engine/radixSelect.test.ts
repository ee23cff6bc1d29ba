import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RadixScratch, thresholdReaching } from '../../src/engine/sampling/radixSelect.js';
import { createRng } from '../../src/engine/rng.js';

/** Sort-based reference: the largest value whose ">= value" set weighs at least target. */
function referenceThreshold(values: Float32Array, target: number, weighting: 'count' | 'value'): number {
  const sorted = [...values].sort((a, b) => b - a);
  let weight = 0;
  for (let i = 0; i < sorted.length; i++) {
    weight += weighting === 'count' ? 1 : sorted[i]!;
    // include every tie of this value before testing
    if (i + 1 < sorted.length && sorted[i + 1] === sorted[i]) continue;
    if (weight >= target) return sorted[i]!;
  }
  return -Infinity;
}

const scratch = new RadixScratch();

test('count mode finds the k-th largest value, negatives, zeros and infinities included', () => {
  const values = Float32Array.from([3.5, -1, 0, -0.25, 7, -Infinity, 2, 2, 1e-30, -1e30, -0]);
  const expected = [7, 3.5, 2, 2, 1e-30, 0, 0, -0.25, -1, -1e30, -Infinity].map(Math.fround);
  expected.forEach((value, k) => assert.equal(thresholdReaching(values, k + 1, 'count', scratch), value, `k=${k + 1}`));
  assert.equal(thresholdReaching(values, 12, 'count', scratch), -Infinity);
});

test('value mode finds where the descending cumulative mass reaches the target', () => {
  const weights = Float32Array.from([0.1, 0.4, 0, 0.2, 0.3]);
  assert.equal(thresholdReaching(weights, 0.35, 'value', scratch), Math.fround(0.4));
  assert.equal(thresholdReaching(weights, 0.45, 'value', scratch), Math.fround(0.3));
  assert.equal(thresholdReaching(weights, 0.95, 'value', scratch), Math.fround(0.1));
  assert.equal(thresholdReaching(weights, 2, 'value', scratch), -Infinity);
});

test('random arrays agree with the sort-based reference in both modes', () => {
  const rng = createRng(77);
  for (let trial = 0; trial < 100; trial++) {
    const n = 1 + Math.floor(rng.nextFloat() * 2000);
    const spread = 10 ** (rng.nextFloat() * 8 - 4);
    // coarse values in some trials, so that ties are common
    const coarse = rng.nextFloat() < 0.3;
    const logits = Float32Array.from({ length: n }, () => {
      const v = (rng.nextFloat() - 0.5) * spread;
      return coarse ? Math.round(v * 4 / spread) : v;
    });
    const k = 1 + Math.floor(rng.nextFloat() * n);
    const threshold = thresholdReaching(logits, k, 'count', scratch);
    assert.ok(threshold === referenceThreshold(logits, k, 'count'), `trial ${trial}: ${threshold}`); // -0 === 0
    const weights = logits.map((v) => Math.exp(v / spread));
    const total = weights.reduce((a, b) => a + b, 0);
    // targets away from the sums' last bits, where float32 vs float64 summation order could matter
    const target = total * (0.05 + 0.9 * rng.nextFloat());
    assert.equal(thresholdReaching(weights, target, 'value', scratch), referenceThreshold(weights, target, 'value'), `trial ${trial}`);
  }
});
