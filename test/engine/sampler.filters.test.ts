import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sampler, type SamplingParams } from '../../src/engine/sampler.js';
import { createRng } from '../../src/engine/rng.js';
import { keptIds, referenceDistribution } from './reference.js';

const defaults = { temperature: 1, topK: 0, topP: 1, minP: 0 };

function weightsOf(logits: number[], params: Partial<SamplingParams>): number[] {
  const sampler = new Sampler({ seed: 0, ...params }, logits.length);
  const weights = sampler.filteredWeights(Float32Array.from(logits));
  const total = weights.reduce((a, b) => a + b, 0);
  return [...weights].map((w) => w / total);
}

function keptBy(logits: number[], params: Partial<SamplingParams>): number[] {
  return keptIds(weightsOf(logits, params));
}

// probabilities at temperature 1: about .53 .20 .12 .07 .04 .02 .01 ...
const LOGITS = [0.5, 3, -1, 2, 1.5, 1, 0, -2];

test('top-k keeps exactly the k largest logits', () => {
  assert.deepEqual(keptBy(LOGITS, { topK: 1 }), [1]);
  assert.deepEqual(keptBy(LOGITS, { topK: 3 }), [1, 3, 4]);
  assert.deepEqual(keptBy(LOGITS, { topK: 7 }), [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(keptBy(LOGITS, { topK: 8 }), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(keptBy(LOGITS, { topK: 100 }), [0, 1, 2, 3, 4, 5, 6, 7]);
  // top-k ranks logits, so temperature cannot change its set
  assert.deepEqual(keptBy(LOGITS, { topK: 3, temperature: 25 }), [1, 3, 4]);
  // ties with the k-th logit are all kept
  assert.deepEqual(keptBy([1, 2, 2, 0, 2], { topK: 2 }), [1, 2, 4]);
});

test('top-p keeps the smallest most-likely set reaching p', () => {
  const p = referenceDistribution(LOGITS, defaults).slice().sort((a, b) => b - a);
  assert.deepEqual(keptBy(LOGITS, { topP: p[0]! - 0.01 }), [1]);
  assert.deepEqual(keptBy(LOGITS, { topP: p[0]! + 0.01 }), [1, 3]);
  assert.deepEqual(keptBy(LOGITS, { topP: p[0]! + p[1]! + 0.01 }), [1, 3, 4]);
  assert.deepEqual(keptBy(LOGITS, { topP: 0.999 }).length, 8);
  // a lower temperature sharpens the distribution, so the same p keeps fewer tokens
  assert.deepEqual(keptBy(LOGITS, { topP: 0.8, temperature: 0.3 }), [1]);
  assert.deepEqual(keptBy(LOGITS, { topP: 0.8, temperature: 1 }), [1, 3, 4]);
});

test('min-p keeps tokens at least minP times as likely as the best', () => {
  // relative probabilities at T=1: exp(logit - 3)
  assert.deepEqual(keptBy(LOGITS, { minP: Math.exp(-1) - 1e-6 }), [1, 3]);
  assert.deepEqual(keptBy(LOGITS, { minP: Math.exp(-1.5) - 1e-6 }), [1, 3, 4]);
  assert.deepEqual(keptBy(LOGITS, { minP: 1 }), [1]);
  // at T=2 the ratios are exp((logit - 3) / 2)
  assert.deepEqual(keptBy(LOGITS, { minP: Math.exp(-1) - 1e-6, temperature: 2 }), [1, 3, 4, 5]);
});

test('the cuts compose in the order top-k -> top-p -> min-p, renormalizing between', () => {
  // top-p after top-k measures mass over the top-k survivors only
  const topKOnly = referenceDistribution(LOGITS, { ...defaults, topK: 3 });
  assert.ok(topKOnly[1]! + topKOnly[3]! > 0.85);
  assert.deepEqual(keptBy(LOGITS, { topK: 3, topP: 0.85 }), [1, 3]);
  assert.deepEqual(keptBy(LOGITS, { topP: 0.85 }), [1, 3, 4, 5]);
  // min-p is relative to the best token, so it cuts the same wherever it sits; top-p's mass ignores it
  assert.deepEqual(keptBy(LOGITS, { topP: 0.85, minP: Math.exp(-1.5) - 1e-6 }), [1, 3, 4]);
});

test('random vocabularies: kept sets and probabilities match the sort-based reference', () => {
  const rng = createRng(2024);
  for (let trial = 0; trial < 200; trial++) {
    const n = 2 + Math.floor(rng.nextFloat() * 300);
    const scale = 0.5 + rng.nextFloat() * 6;
    const logits = Array.from({ length: n }, () => Math.fround((rng.nextFloat() - 0.5) * scale * 4));
    const params = {
      temperature: 0.2 + rng.nextFloat() * 2,
      topK: rng.nextFloat() < 0.5 ? 0 : 1 + Math.floor(rng.nextFloat() * n),
      topP: rng.nextFloat() < 0.3 ? 1 : 0.05 + rng.nextFloat() * 0.95,
      minP: rng.nextFloat() < 0.5 ? 0 : rng.nextFloat() * 0.5,
    };
    const expected = referenceDistribution(logits, params);
    const actual = weightsOf(logits, params);
    const context = JSON.stringify({ trial, n, params });
    assert.deepEqual(keptIds(actual), keptIds(expected), context);
    actual.forEach((p, i) => assert.ok(Math.abs(p - expected[i]!) <= 1e-6 + 1e-5 * expected[i]!, context));
  }
});

test('a 150k vocabulary: top-k and top-p sets match the reference', () => {
  const rng = createRng(150_000);
  const n = 151_936;
  const logits = Array.from({ length: n }, (_, i) => Math.fround((rng.nextFloat() - 0.5) * 12 + (i % 997 === 0 ? 6 : 0)));
  for (const params of [
    { ...defaults, topK: 40 },
    { ...defaults, topP: 0.5, temperature: 0.7 },
    { ...defaults, topK: 1000, topP: 0.9, minP: 0.01 },
  ]) {
    assert.deepEqual(keptBy(logits, params), keptIds(referenceDistribution(logits, params)), JSON.stringify(params));
  }
});
