import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPenalties, penaltiesActive } from '../../src/engine/sampling/penalties.js';
import { DEFAULT_SAMPLING_PARAMS, Sampler } from '../../src/engine/sampler.js';

const base = { ...DEFAULT_SAMPLING_PARAMS };

function penalize(logits: number[], history: number[], params: Partial<typeof base>): number[] {
  const values = Float32Array.from(logits);
  applyPenalties(values, history, { ...base, ...params }, new Map());
  return [...values];
}

test('repetition penalty divides positive logits and multiplies negative ones, once per distinct token', () => {
  const out = penalize([2, -2, 0, 3, 1.5], [0, 1, 2, 0, 0], { repetitionPenalty: 1.25 });
  assert.deepEqual(out, [2 / 1.25, -2 * 1.25, 0, 3, 1.5].map(Math.fround));
});

test('presence and frequency penalties follow the OpenAI formula', () => {
  // counts: id0 x3, id1 x1, id3 x2
  const history = [0, 3, 1, 0, 3, 0];
  const out = penalize([1, 1, 1, 1], history, { presencePenalty: 0.5, frequencyPenalty: 0.25 });
  assert.deepEqual(out, [1 - 0.5 - 0.75, 1 - 0.5 - 0.25, 1, 1 - 0.5 - 0.5].map(Math.fround));
  const negative = penalize([1, 1, 1, 1], history, { presencePenalty: -1, frequencyPenalty: 0 });
  assert.deepEqual(negative, [2, 2, 1, 2]);
});

test('repetition comes before presence and frequency', () => {
  const out = penalize([3, -1], [0, 0, 1], { repetitionPenalty: 2, presencePenalty: 0.1, frequencyPenalty: 0.2 });
  assert.deepEqual(out, [3 / 2 - 0.1 - 0.4, -1 * 2 - 0.1 - 0.2].map(Math.fround));
});

test('only the last penaltyLastN tokens count; -1 means all of them, 0 none', () => {
  const history = [0, 0, 1, 2, 2];
  assert.deepEqual(penalize([1, 1, 1], history, { frequencyPenalty: 1, penaltyLastN: 3 }), [1, 0, -1]);
  assert.deepEqual(penalize([1, 1, 1], history, { frequencyPenalty: 1, penaltyLastN: -1 }), [-1, 0, -1]);
  assert.deepEqual(penalize([1, 1, 1], history, { frequencyPenalty: 1, penaltyLastN: 100 }), [-1, 0, -1]);
  assert.equal(penaltiesActive({ ...base, frequencyPenalty: 1, penaltyLastN: 0 }), false);
  assert.equal(penaltiesActive(base), false);
  assert.equal(penaltiesActive({ ...base, repetitionPenalty: 1.1 }), true);
});

test('the default window is 64 tokens, seen through the sampler', () => {
  // id 0 occurred 65 tokens ago: outside the window, so it keeps its lead; inside, it loses it
  const logits = Float32Array.from([2, 1.9, 0]);
  const old = [0, ...new Array<number>(64).fill(2)];
  const sampler = new Sampler({ temperature: 0, presencePenalty: 0.5 }, 3);
  assert.equal(sampler.sample(logits, old), 0);
  assert.equal(sampler.sample(logits, old.slice(1).concat([0])), 1);
  assert.equal(new Sampler({ temperature: 0, presencePenalty: 0.5, penaltyLastN: -1 }, 3).sample(logits, old), 1);
});

test('presence and frequency count only generated tokens; repetition counts the prompt too', () => {
  // history = prompt [0, 0, 1] + output [1, 2]; firstOutput = 3
  const values = Float32Array.from([2, 2, 2, 2]);
  applyPenalties(values, [0, 0, 1, 1, 2], { ...base, repetitionPenalty: 2, presencePenalty: 0.5, frequencyPenalty: 0.25 },
    new Map(), 3);
  // id0: prompt only -> repetition alone; id1: prompt + once in output; id2: once in output; id3: never seen
  assert.deepEqual([...values], [1, 1 - 0.5 - 0.25, 1 - 0.5 - 0.25, 2]);
  const sampler = new Sampler({ temperature: 0, presencePenalty: 1.5, penaltyLastN: -1 }, 2);
  const logits = Float32Array.from([3, 2]);
  assert.equal(sampler.sample(logits, [0, 0, 0], 3), 0, 'a token of the prompt alone is not penalized');
  assert.equal(sampler.sample(logits, [0, 0, 0], 2), 1, 'once generated, it is');
});
