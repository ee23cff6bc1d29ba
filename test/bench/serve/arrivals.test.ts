import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arrivalTimes, sampleGamma } from '../../../src/bench/serve/arrivals.js';
import { Xoshiro128StarStar } from '../../../src/engine/rng.js';

test('an infinite rate sends everything at once', () => {
  assert.deepEqual(arrivalTimes(4, Infinity, 1, 0), [0, 0, 0, 0]);
});

test('a finite rate: increasing times, the last at N / rate, the same for the same seed', () => {
  const times = arrivalTimes(50, 10, 1, 3);
  assert.equal(times.length, 50);
  for (let i = 1; i < times.length; i++) assert.ok(times[i]! >= times[i - 1]!);
  assert.ok(Math.abs(times.at(-1)! - 5) < 1e-9);
  assert.deepEqual(arrivalTimes(50, 10, 1, 3), times);
  assert.notDeepEqual(arrivalTimes(50, 10, 1, 4), times);
});

/** Mean and coefficient of variation of n draws. */
function moments(shape: number, n: number): { mean: number; cv: number } {
  const rng = Xoshiro128StarStar.fromSeed(12345);
  const xs = Array.from({ length: n }, () => sampleGamma(rng, shape));
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / n;
  return { mean, cv: Math.sqrt(variance) / mean };
}

test('Gamma(shape, 1) has mean = shape and coefficient of variation 1 / sqrt(shape)', () => {
  // 20000 draws: the standard error of the mean is sqrt(shape / 20000), under 1% of the mean here
  for (const shape of [0.5, 1, 4]) {
    const { mean, cv } = moments(shape, 20000);
    assert.ok(Math.abs(mean - shape) / shape < 0.04, `shape ${shape}: mean ${mean}`);
    assert.ok(Math.abs(cv - 1 / Math.sqrt(shape)) < 0.05, `shape ${shape}: cv ${cv}`);
  }
});
