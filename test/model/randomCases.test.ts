// llama.cpp reference cases on random-weight Qwen2/Llama GGUFs in many weight types
// (../shared/models/random, see its README for the schema and the tolerance rules used here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadModel, type LoadedModel } from '../../src/model/load.js';
import { SequenceRunner } from '../../src/engine/sequenceRunner.js';
import { generate } from '../../src/engine/generate.js';
import { sharedPath, sharedSkip } from '../helpers/paths.js';
import { argmax, logSoftmax } from '../helpers/logSoftmax.js';

interface Case {
  id: string; model_file: string; prompt_text: string; prompt_ids: number[]; greedy_ids: number[];
  greedy_text: string; top5_logprobs: [number, number][][]; f32_math_top5_logprobs: [number, number][][];
}

// Greedy-divergence tolerance per weight type (log-prob units), from the README's table.
const TOLERANCE: Record<string, number> = {
  'qwen2-pub-f32': 0.04, 'qwen2-pub-f16': 0.08, 'qwen2-pub-bf16': 0.2, 'qwen2-pub-q8_0': 0.6,
  'qwen2-pub-q6_k': 0.8, 'qwen2-pub-q5_0': 0.6, 'qwen2-pub-q4_k_m': 0.8, 'qwen2-pub-q4_0': 0.5,
  'llama-pub-f16': 0.05, 'llama-pub-q8_0': 0.5, 'llama-pub-q5_k_m': 0.5, 'llama-pub-q4_k_m': 0.4,
};
const DEFAULT_TOLERANCE = 0.8;
const F32_MATH_TOLERANCE = 2e-3;

const CASES = 'models/random/cases.json';
const skip = sharedSkip(CASES);
const cases: Case[] = skip ? [] : JSON.parse(readFileSync(sharedPath(CASES), 'utf8')).cases;
const models = new Map<string, LoadedModel>();
/** 'f32': exact F32 math on the weights; 'int8': the loader's default (int8 activations for quantized weights) */
const modelFor = (file: string, precision: 'f32' | 'int8' = 'f32') => {
  let m = models.get(file + precision);
  if (!m) models.set(file + precision, (m = loadModel(sharedPath(file), { precision })));
  return m;
};

/** Teacher-forced logits at the positions that predict greedy_ids[i]. */
function teacherForced(m: LoadedModel, c: Case): Float32Array[] {
  const runner = new SequenceRunner(m.transformer, 512);
  const logits = runner.feed([...c.prompt_ids, ...c.greedy_ids.slice(0, -1)], { allLogits: true, chunkSize: 37 });
  const vocab = m.config.vocabSize;
  return c.greedy_ids.map((_, i) => logits.subarray((c.prompt_ids.length - 1 + i) * vocab, (c.prompt_ids.length + i) * vocab));
}
const baseName = (file: string) => file.replace(/^.*\//, '').replace(/\.gguf$/, '');

test('random-weight reference cases are present', { skip }, () => {
  assert.ok(cases.length >= 36);
});

/** The engine's argmax is llama.cpp's, or a near-tie listed in its top 5 within the file's tolerance. */
function assertArgmaxAllowed(ours: number, c: Case, i: number, tol: number): void {
  const refTop = c.top5_logprobs[i]!;
  const listed = refTop.find(([id]) => id === ours);
  assert.ok(ours === c.greedy_ids[i] || (listed && refTop[0]![1] - listed[1] <= tol),
    `position ${i}: argmax ${ours}, reference ${c.greedy_ids[i]}`);
}

for (const c of cases) {
  test(`${c.id}: tokenizer gives llama.cpp's prompt ids`, () => {
    const m = modelFor(c.model_file);
    assert.deepEqual(m.tokenizer.encode(c.prompt_text), c.prompt_ids);
  });

  test(`${c.id}: teacher-forced log-probs match llama.cpp's F32 math (f32 precision)`, () => {
    const rows = teacherForced(modelFor(c.model_file), c);
    const tol = TOLERANCE[baseName(c.model_file)] ?? DEFAULT_TOLERANCE;
    let worst = 0;
    c.f32_math_top5_logprobs.forEach((top5, i) => {
      const lp = logSoftmax(rows[i]!);
      for (const [id, ref] of top5) worst = Math.max(worst, Math.abs(lp[id]! - ref));
      assertArgmaxAllowed(argmax(rows[i]!), c, i, tol);
    });
    assert.ok(worst <= F32_MATH_TOLERANCE, `max |log-prob difference| ${worst} > ${F32_MATH_TOLERANCE}`);
  });

  test(`${c.id}: teacher-forced log-probs within llama.cpp's noise at the default precision`, () => {
    const rows = teacherForced(modelFor(c.model_file, 'int8'), c);
    const tol = TOLERANCE[baseName(c.model_file)] ?? DEFAULT_TOLERANCE;
    c.top5_logprobs.forEach((top5, i) => {
      const lp = logSoftmax(rows[i]!);
      for (const [id, ref] of top5) {
        assert.ok(Math.abs(lp[id]! - ref) <= tol, `position ${i} token ${id}: ${lp[id]} vs llama.cpp ${ref} (tolerance ${tol})`);
      }
      assertArgmaxAllowed(argmax(rows[i]!), c, i, tol);
    });
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
    const tol = TOLERANCE[name] ?? DEFAULT_TOLERANCE;
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
