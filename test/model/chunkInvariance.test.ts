// A prompt's logits do not depend on how it is cut into chunks, nor on decoding its last tokens one by one:
// the kernels compute every row and every query the same way in any batch. Checked bit for bit, at the
// loader's defaults, on a Q8_0 model (int8 GEMM, bf16 attention on a bf16 KV cache), an F16 one (F32
// products on an F16 cache), an F32 one (F32 cache) and the real stories260K (whose FFN width, 172, is not a
// whole number of vectors: siluMul's scalar tail once moved its logits with the chunk size).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadModel } from '../../src/model/load.js';
import { SequenceRunner } from '../../src/engine/sequenceRunner.js';
import { sharedPath, sharedSkip } from '../helpers/paths.js';

const FILES = ['models/random/qwen2-pub-q8_0.gguf', 'models/random/qwen2-pub-f16.gguf', 'models/random/qwen2-pub-f32.gguf',
  'models/stories260K.gguf'];

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
        ` (attention ${m.transformer.attentionPrecision}, ${m.transformer.kvCacheType(16)} cache)`);
    }
  });
}
