// llama.cpp reference cases on random-weight Qwen2/Llama GGUFs in many weight types
// (../shared/models/random, see its README for the schema and the tolerance rules used here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel, type LoadedModel } from '../../src/model/load.js';
import { generate } from '../../src/engine/generate.js';
import { sharedPath } from '../helpers/paths.js';
import { argmax, logSoftmax } from '../helpers/logSoftmax.js';
import {
  assertArgmaxAllowed, assertWithinLlamaNoise, baseName, casesSkip as skip, randomCases as cases, teacherForced, toleranceFor,
} from '../helpers/randomCases.js';

const F32_MATH_TOLERANCE = 2e-3;

const models = new Map<string, LoadedModel>();
/** 'f32': exact F32 math on the weights; 'int8': the loader's default (int8 activations for quantized weights) */
const modelFor = (file: string, precision: 'f32' | 'int8' = 'f32') => {
  let m = models.get(file + precision);
  if (!m) models.set(file + precision, (m = loadModel(sharedPath(file), { precision })));
  return m;
};

test('random-weight reference cases are present', { skip }, () => {
  assert.ok(cases.length >= 36);
});

for (const c of cases) {
  test(`${c.id}: tokenizer gives llama.cpp's prompt ids`, () => {
    const m = modelFor(c.model_file);
    assert.deepEqual(m.tokenizer.encode(c.prompt_text), c.prompt_ids);
  });

  test(`${c.id}: teacher-forced log-probs match llama.cpp's F32 math (f32 precision)`, () => {
    const rows = teacherForced(modelFor(c.model_file), c);
    const tol = toleranceFor(c);
    let worst = 0;
    c.f32_math_top5_logprobs.forEach((top5, i) => {
      const lp = logSoftmax(rows[i]!);
      for (const [id, ref] of top5) worst = Math.max(worst, Math.abs(lp[id]! - ref));
      assertArgmaxAllowed(argmax(rows[i]!), c, i, tol);
    });
    assert.ok(worst <= F32_MATH_TOLERANCE, `max |log-prob difference| ${worst} > ${F32_MATH_TOLERANCE}`);
  });

  test(`${c.id}: teacher-forced log-probs within llama.cpp's noise at the default precision`, () => {
    assertWithinLlamaNoise(modelFor(c.model_file, 'int8'), c);
  });

  test(`${c.id}: free-running greedy follows llama.cpp (default precision)`, () => {
    const m = modelFor(c.model_file, 'int8');
    const result = generate(m, { promptIds: c.prompt_ids, maxTokens: c.greedy_ids.length, sampling: { temperature: 0 },
      contextLength: 512, ignoreEos: true });
    const name = baseName(c.model_file);
    if (name.endsWith('-f32')) {
      assert.deepEqual(result.ids, c.greedy_ids);
      assert.equal(result.text, c.greedy_text);
      return;
    }
    const tol = toleranceFor(c);
    for (let i = 0; i < c.greedy_ids.length; i++) {
      if (result.ids[i] === c.greedy_ids[i]) continue;
      const listed = c.top5_logprobs[i]!.find(([id]) => id === result.ids[i]);
      assert.ok(listed && c.top5_logprobs[i]![0]![1] - listed[1] <= tol,
        `step ${i}: generated ${result.ids[i]}, reference ${c.greedy_ids[i]}, not a near-tie within ${tol}`);
      return; // contexts differ after a legitimate divergence
    }
    assert.equal(result.text, c.greedy_text);
  });
}
