// End to end at every dispatch level this CPU supports (scalar, avx2, avx512, avx512bf16; amx where it runs),
// each level set before the model loads: the real stories260K's greedy output equals llama.cpp's token for
// token, and random-weight files of every kernel family (F32, F16, BF16, Q8_0, Q4_0, Q4_K mix) stay within
// llama.cpp's noise at the loader's default precision (int8 GEMM, bf16 attention and bf16 GEMM where the level
// has them; lower levels compute those at F32 or with plain loops). The kernel tests check each level against
// float64; this checks that a whole model still agrees with llama.cpp on all of them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { generate } from '../../src/engine/generate.js';
import { cpuInfo } from '../../src/kernels/native.js';
import { loadModel } from '../../src/model/load.js';
import { sharedPath, sharedSkip } from '../helpers/paths.js';
import { assertWithinLlamaNoise, casesSkip, randomCases } from '../helpers/randomCases.js';
import { atLevel, LEVELS } from '../kernels/support/levels.js';

const FILES = ['qwen2-pub-f32', 'qwen2-pub-f16', 'qwen2-pub-bf16', 'qwen2-pub-q8_0', 'qwen2-pub-q4_0', 'llama-pub-q4_k_m'];
const STORIES = 'models/reference-greedy.json';

for (const level of LEVELS) {
  test(`level ${level}: random-weight files of every kernel family stay within llama.cpp's noise`, { skip: casesSkip }, () => {
    atLevel(level, () => {
      assert.equal(cpuInfo().level, level);
      for (const file of FILES) {
        const c = randomCases.find((x) => x.model_file.endsWith(`/${file}.gguf`) && x.id.endsWith('/chat-code'));
        assert.ok(c, `no chat-code case for ${file}`);
        assertWithinLlamaNoise(loadModel(sharedPath(c.model_file)), c, `${level} ${file}: `);
      }
    });
  });

  test(`level ${level}: stories260K greedy output equals llama.cpp's`, { skip: sharedSkip(STORIES) }, () => {
    const ref = JSON.parse(readFileSync(sharedPath(STORIES), 'utf8')).stories260K as
      { gguf: string; prompt_ids: number[]; generated_ids: number[] };
    atLevel(level, () => {
      assert.equal(cpuInfo().level, level);
      const model = loadModel(sharedPath(`models/${ref.gguf}`));
      const result = generate(model, { promptIds: ref.prompt_ids, maxTokens: ref.generated_ids.length,
        sampling: { temperature: 0 }, contextLength: 512, ignoreEos: true });
      assert.deepEqual(result.ids, ref.generated_ids);
    });
  });
}
