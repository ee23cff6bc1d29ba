// A prompt's logits do not depend on how it is cut into chunks, nor on decoding its last tokens one by one:
// the kernels compute every row and every query the same way in any batch. Checked on a Q8_0 model at the
// loader's defaults (int8 GEMM, bf16 attention products) and on an F16 one (exact F32), bit for bit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadModel } from '../../src/model/load.js';
import { SequenceRunner } from '../../src/engine/sequenceRunner.js';
import { sharedPath, sharedSkip } from '../helpers/paths.js';

const FILES = ['models/random/qwen2-pub-q8_0.gguf', 'models/random/qwen2-pub-f16.gguf'];

for (const file of FILES) {
  test(`chunking does not change the logits: ${file}`, { skip: sharedSkip(file) }, () => {
    const m = loadModel(sharedPath(file));
    const tokens = Array.from({ length: 70 }, (_, i) => (i * 7919 + 13) % (m.config.vocabSize - 50) + 20);
    const lastLogits = (chunkSize: number, decodeLast: number): Float32Array => {
      const runner = new SequenceRunner(m.transformer, 512);
      const prompt = tokens.slice(0, tokens.length - decodeLast);
      let logits = runner.feed(prompt, { chunkSize });
      for (const t of tokens.slice(tokens.length - decodeLast)) logits = runner.feed([t]);
      return logits;
    };
    const whole = lastLogits(512, 0);
    assert.equal(whole.length, m.config.vocabSize);
    for (const [chunkSize, decodeLast] of [[7, 0], [32, 5], [512, 3]] as const) {
      const other = lastLogits(chunkSize, decodeLast);
      const at = whole.findIndex((v, i) => !Object.is(v, other[i]));
      assert.equal(at, -1, `chunks of ${chunkSize}, last ${decodeLast} decoded: logit ${at} is ${other[at]}, not ${whole[at]}` +
        ` (attention ${m.transformer.attentionPrecision})`);
    }
  });
}
