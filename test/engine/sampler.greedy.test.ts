import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sampler } from '../../src/engine/sampler.js';

const f32 = (values: number[]) => Float32Array.from(values);

test('temperature 0 is argmax', () => {
  const sampler = new Sampler({ temperature: 0 }, 6);
  assert.equal(sampler.sample(f32([0.1, -3, 7.5, 7.25, 2, -Infinity])), 2);
  assert.equal(sampler.sample(f32([-5, -4, -3, -2, -1, -0.5])), 5);
  // greedy ignores the cuts and never touches the RNG: the same answer every time
  const withCuts = new Sampler({ temperature: 0, topK: 1, topP: 0.1, minP: 0.9 }, 6);
  for (let i = 0; i < 5; i++) assert.equal(withCuts.sample(f32([1, 2, 3, 9, 4, 5])), 3);
});

test('greedy ties go to the lowest id', () => {
  const sampler = new Sampler({ temperature: 0 }, 5);
  assert.equal(sampler.sample(f32([1, 4, 2, 4, 4])), 1);
  assert.equal(sampler.sample(f32([3, 3, 3, 3, 3])), 0);
  assert.equal(sampler.sample(f32([-Infinity, -2, Number.NaN, -2, -3])), 1);
});

test('greedy applies the penalties first', () => {
  // id 1 leads by 0.5; repetition 2 halves it to 2.0, below id 3
  const logits = f32([0, 4, 1, 3.5, 2]);
  assert.equal(new Sampler({ temperature: 0 }, 5).sample(logits, [1]), 1);
  assert.equal(new Sampler({ temperature: 0, repetitionPenalty: 2 }, 5).sample(logits, [1]), 3);
  assert.equal(new Sampler({ temperature: 0, presencePenalty: 0.6 }, 5).sample(logits, [1, 1]), 3);
  assert.equal(new Sampler({ temperature: 0, frequencyPenalty: 0.3 }, 5).sample(logits, [1]), 1);
  assert.equal(new Sampler({ temperature: 0, frequencyPenalty: 0.3 }, 5).sample(logits, [1, 1]), 3);
  // the caller's logits are left as they were
  assert.deepEqual([...logits], [0, 4, 1, 3.5, 2]);
});

test('filteredWeights is one-hot when greedy', () => {
  const sampler = new Sampler({ temperature: 0 }, 4);
  assert.deepEqual([...sampler.filteredWeights(f32([1, 5, 5, 2]))], [0, 1, 0, 0]);
});

test('bad inputs get clear errors', () => {
  assert.throws(() => new Sampler({ topP: 0 }, 4), /invalid sampling parameters: topP must be in/);
  assert.throws(() => new Sampler({}, 0), /vocabulary size must be a positive integer/);
  const sampler = new Sampler({ seed: 1 }, 4);
  assert.throws(() => sampler.sample(f32([1, 2, 3])), /logits have 3 entries; the vocabulary has 4/);
  assert.throws(() => sampler.sample([1, 2, 3, 4] as unknown as Float32Array), /must be a Float32Array/);
  assert.throws(() => sampler.sample(f32([-Infinity, -Infinity, -Infinity, -Infinity])), /every logit is -Infinity/);
  assert.throws(() => sampler.sample(f32([1, Number.NaN, 2, 3])), /NaN or \+Infinity/);
  assert.throws(() => sampler.sample(f32([1, Infinity, 2, 3])), /NaN or \+Infinity/);
  assert.throws(() => new Sampler({ temperature: 0 }, 4).sample(f32([-Infinity, NaN, -Infinity, NaN])), /every logit/);
  const penalized = new Sampler({ repetitionPenalty: 1.1, seed: 1 }, 4);
  assert.throws(() => penalized.sample(f32([1, 2, 3, 4]), [0, 4]), /history\[1\] = 4 is not a token id/);
});
