// Q3_K, Q2_K, IQ4_NL and IQ4_XS end to end against llama.cpp: qwen2-pub re-encoded by our quantizers
// (test/helpers/lowBitModels.ts), llama.cpp's greedy ids and top-5 log-probs on the same files from
// node-llama-cpp (test/fixtures/reference/lowbit-llamacpp.json, tools/lowBitReference.ts). llama.cpp
// quantizes the activations of these dot products to 8 bits (Q8_K / Q8_0), so its log-probs carry that
// noise; TOLERANCE is the log-prob difference allowed, at exact F32 math and at the default precision (measured
// worst: Q3_K 0.36 / 0.32, Q2_K 0.38 / 0.38, IQ4_NL 0.21 / 0.18, IQ4_XS 0.37 / 0.43; the shared cases allow
// 0.6-0.8 for Q8_0 and the K-quant mixes, their README's measure of llama.cpp's own noise on these models).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GgmlType, ggmlTypeName } from '../../src/formats/ggmlTypes.js';
import { loadModel, type LoadedModel } from '../../src/model/load.js';
import { generate } from '../../src/engine/generate.js';
import { SequenceRunner } from '../../src/engine/sequenceRunner.js';
import { argmax, logSoftmax } from '../helpers/logSoftmax.js';
import { lowBitModel, LOW_BIT_SOURCE, LOW_BIT_TYPES } from '../helpers/lowBitModels.js';
import { FIXTURES_DIR, sharedSkip } from '../helpers/paths.js';

interface Prompt { prompt_ids: number[]; greedy_ids: number[]; top5_logprobs: [number, number][][] }
const reference = JSON.parse(readFileSync(path.join(FIXTURES_DIR, 'reference', 'lowbit-llamacpp.json'), 'utf8')) as {
  models: { type: string; sha256: string; prompts: Prompt[] }[];
};
const skip = sharedSkip(LOW_BIT_SOURCE);
const TOLERANCE = 0.6;

function teacherForcedRows(m: LoadedModel, p: Prompt): Float32Array[] {
  const logits = new SequenceRunner(m.transformer, 512).feed([...p.prompt_ids, ...p.greedy_ids.slice(0, -1)], { allLogits: true, chunkSize: 29 });
  const vocab = m.config.vocabSize;
  return p.greedy_ids.map((_, i) => logits.subarray((p.prompt_ids.length - 1 + i) * vocab, (p.prompt_ids.length + i) * vocab));
}

/** Ours is llama.cpp's argmax, or a near-tie listed in its top 5. */
function argmaxAllowed(ours: number, p: Prompt, i: number): boolean {
  const listed = p.top5_logprobs[i]!.find(([id]) => id === ours);
  return ours === p.greedy_ids[i] || (listed !== undefined && p.top5_logprobs[i]![0]![1] - listed[1] <= TOLERANCE);
}

for (const type of LOW_BIT_TYPES) {
  const name = ggmlTypeName(type);
  const ref = reference.models.find((m) => m.type === name)!;
  test(`${name} qwen2-pub: teacher-forced log-probs and free-running greedy follow llama.cpp at f32 and the default precision`, { skip }, () => {
    const file = lowBitModel(type);
    const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
    assert.equal(sha, ref.sha256, `${file} is not the file llama.cpp's reference was made on (quantizer changed? re-run tools/lowBitReference.ts)`);
    for (const precision of ['f32', 'int8'] as const) {
      const model = loadModel(file, { precision });
      const matrix = model.transformer.weights.layers[0]!.wq;
      assert.equal(matrix.type, type as GgmlType, 'the matrices are of the type under test');
      let worst = 0;
      for (const p of ref.prompts) {
        teacherForcedRows(model, p).forEach((row, i) => {
          const lp = logSoftmax(row);
          for (const [id, want] of p.top5_logprobs[i]!) worst = Math.max(worst, Math.abs(lp[id]! - want));
          assert.ok(argmaxAllowed(argmax(row), p, i), `${name} ${precision} position ${i}: argmax ${argmax(row)}, llama.cpp ${p.greedy_ids[i]}`);
        });
        const run = generate(model, { promptIds: p.prompt_ids, maxTokens: p.greedy_ids.length, sampling: { temperature: 0 }, contextLength: 512,
          ignoreEos: true });
        const diverged = run.ids.findIndex((id, i) => id !== p.greedy_ids[i]);
        if (diverged >= 0) assert.ok(argmaxAllowed(run.ids[diverged]!, p, diverged), `${name} ${precision} greedy step ${diverged}: ${run.ids[diverged]} vs ${p.greedy_ids[diverged]}`);
      }
      console.log(`${name} ${precision}: worst |log-prob - llama.cpp's| ${worst.toFixed(4)}`);
      assert.ok(worst <= TOLERANCE, `${name} ${precision}: worst log-prob difference ${worst} > ${TOLERANCE}`);
    }
  });
}
