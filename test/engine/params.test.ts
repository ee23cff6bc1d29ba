import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_SAMPLING_PARAMS,
  validateSamplingParams,
  withSamplingDefaults,
  type SamplingParams,
} from '../../src/engine/sampler.js';

test('defaults turn every step off except temperature 1', () => {
  assert.deepEqual(
    { ...DEFAULT_SAMPLING_PARAMS },
    {
      temperature: 1, topK: 0, topP: 1, minP: 0, repetitionPenalty: 1, penaltyLastN: 64,
      presencePenalty: 0, frequencyPenalty: 0,
    },
  );
  assert.equal(DEFAULT_SAMPLING_PARAMS.seed, undefined);
});

test('withSamplingDefaults fills absent and undefined fields and drops unknown keys', () => {
  const params = withSamplingDefaults({ topK: 5, topP: undefined, bogus: 1 } as Partial<SamplingParams>);
  assert.equal(params.topK, 5);
  assert.equal(params.topP, 1);
  assert.equal('bogus' in params, false);
});

test('valid parameters give no errors', () => {
  assert.deepEqual(validateSamplingParams({}), []);
  assert.deepEqual(
    validateSamplingParams({
      temperature: 0, topK: 40, topP: 1, minP: 1, repetitionPenalty: 1.3, penaltyLastN: -1,
      presencePenalty: -2, frequencyPenalty: 2, seed: -5,
    }),
    [],
  );
});

test('each out-of-range value gets a message naming the parameter and the value', () => {
  const cases: [Partial<SamplingParams>, keyof SamplingParams, RegExp][] = [
    [{ temperature: -0.1 }, 'temperature', /temperature must be a finite number >= 0.*got -0\.1/],
    [{ temperature: Infinity }, 'temperature', /got Infinity/],
    [{ topK: -1 }, 'topK', /topK must be an integer >= 0/],
    [{ topK: 2.5 }, 'topK', /got 2\.5/],
    [{ topP: 0 }, 'topP', /topP must be in \(0, 1\]/],
    [{ topP: 1.01 }, 'topP', /got 1\.01/],
    [{ minP: -0.01 }, 'minP', /minP must be in \[0, 1\]/],
    [{ minP: 2 }, 'minP', /got 2/],
    [{ repetitionPenalty: 0 }, 'repetitionPenalty', /repetitionPenalty must be a finite number > 0/],
    [{ penaltyLastN: -2 }, 'penaltyLastN', /penaltyLastN must be an integer >= -1/],
    [{ presencePenalty: 2.5 }, 'presencePenalty', /presencePenalty must be in \[-2, 2\]/],
    [{ frequencyPenalty: -3 }, 'frequencyPenalty', /frequencyPenalty must be in \[-2, 2\]/],
    [{ seed: 0.5 }, 'seed', /seed must be an integer/],
    [{ temperature: Number.NaN }, 'temperature', /got NaN/],
    [{ topP: '0.5' as unknown as number }, 'topP', /got "0\.5"/],
  ];
  for (const [params, param, message] of cases) {
    const errors = validateSamplingParams(params);
    assert.equal(errors.length, 1, JSON.stringify(params));
    assert.equal(errors[0]!.param, param);
    assert.match(errors[0]!.message, message);
  }
  assert.equal(validateSamplingParams({ topK: -1, topP: 0, minP: 3 }).length, 3);
});
