// The loader's default attention precision: bf16 products for models on int8 activations (block-quantized
// weights at 'int8') and for F16 files loaded at precision bf16, F32 for other float files and for any model
// loaded at precision f32; the load option and FASTFILL_ATTENTION_PRECISION override it, and a bad value of
// the variable is a clear error.
// The KV cache follows: bf16 for bf16 attention, F32 where everything is exact (F32 files, precision 'f32'),
// F16 otherwise, unless FASTFILL_KV_CACHE says otherwise.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GgmlType } from '../../src/formats/ggmlTypes.js';
import { attentionPrecisionFor } from '../../src/model/attentionPrecision.js';
import { loadModel } from '../../src/model/load.js';
import { sharedPath, sharedSkip } from '../helpers/paths.js';

const Q8_FILE = 'models/random/qwen2-pub-q8_0.gguf';
const F16_FILE = 'models/random/qwen2-pub-f16.gguf';
const F32_FILE = 'models/random/qwen2-pub-f32.gguf';

function withEnv<T>(value: string | undefined, body: () => T, name = 'FASTFILL_ATTENTION_PRECISION'): T {
  const saved = process.env[name];
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  try {
    return body();
  } finally {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  }
}

test('attention precision from the query matrix: bf16 for int8 activations and for F16 matrices at bf16', () => {
  withEnv(undefined, () => {
    assert.equal(attentionPrecisionFor(GgmlType.Q8_0, 'int8'), 'bf16');
    assert.equal(attentionPrecisionFor(GgmlType.Q8_0, 'f32'), 'f32');
    assert.equal(attentionPrecisionFor(GgmlType.F16, 'bf16'), 'bf16');
    assert.equal(attentionPrecisionFor(GgmlType.F16, 'int8'), 'f32');
    assert.equal(attentionPrecisionFor(GgmlType.BF16, 'bf16'), 'f32');
    assert.equal(attentionPrecisionFor(undefined, undefined), 'f32');
  });
});

test('attention precision: bf16 for a Q8_0 model at int8 and F16 files at bf16, f32 for F16 files by default and at f32',
  { skip: sharedSkip(Q8_FILE) || sharedSkip(F16_FILE) }, () => {
    withEnv(undefined, () => {
      assert.equal(loadModel(sharedPath(Q8_FILE), { precision: 'int8' }).transformer.attentionPrecision, 'bf16');
      assert.equal(loadModel(sharedPath(Q8_FILE), { precision: 'f32' }).transformer.attentionPrecision, 'f32');
      assert.equal(loadModel(sharedPath(F16_FILE), { precision: 'int8' }).transformer.attentionPrecision, 'f32');
      assert.equal(loadModel(sharedPath(F16_FILE), { precision: 'bf16' }).transformer.attentionPrecision, 'bf16');
      assert.equal(loadModel(sharedPath(Q8_FILE), { precision: 'int8', attentionPrecision: 'f32' }).transformer.attentionPrecision, 'f32');
    });
    withEnv('bf16', () => assert.equal(loadModel(sharedPath(F16_FILE)).transformer.attentionPrecision, 'bf16'));
    withEnv('f32', () => assert.equal(loadModel(sharedPath(Q8_FILE)).transformer.attentionPrecision, 'f32'));
    withEnv('fp8', () => assert.throws(() => loadModel(sharedPath(Q8_FILE)), /FASTFILL_ATTENTION_PRECISION=fp8 is not one of f32, bf16/));
  });

test('the KV cache: bf16 for bf16 attention, F16 for other half-precision models, F32 where everything is exact',
  { skip: sharedSkip(Q8_FILE) || sharedSkip(F16_FILE) || sharedSkip(F32_FILE) }, () => {
    withEnv(undefined, () => {
      const q8 = loadModel(sharedPath(Q8_FILE), { precision: 'int8' }).transformer;
      const f16 = loadModel(sharedPath(F16_FILE)).transformer;
      const f16Exact = loadModel(sharedPath(F16_FILE), { precision: 'f32' }).transformer;
      const f32 = loadModel(sharedPath(F32_FILE)).transformer;
      const type = (t: typeof q8) => t.newKvStorage(3, 16).type;
      assert.deepEqual([type(q8), type(f16), type(f16Exact), type(f32)], ['bf16', 'f16', 'f32', 'f32']);
      const bf16Kv = q8.newKvStorage(3, 16);
      assert.ok(bf16Kv.k[0] instanceof Uint16Array && bf16Kv.v[0] instanceof Uint16Array);
      assert.ok(f32.newKvStorage(3, 16).k[0] instanceof Float32Array);
      const c = q8.config;
      assert.equal(bf16Kv.bytes, 2 * c.numLayers * 3 * 16 * c.numKvHeads * c.headDim * 2);
      assert.equal(f32.newKvStorage(3, 16).bytes, 2 * bf16Kv.bytes, 'the files share their shape');
      assert.equal(f16.newKvStorage(3, 16).bytes, bf16Kv.bytes);
      assert.equal(q8.kvCacheType(15), 'f16', 'an odd block size cannot hold bf16 value pairs');
      withEnv('f32', () => assert.equal(type(q8), 'f32'), 'FASTFILL_KV_CACHE');
      withEnv('f16', () => assert.equal(type(f32), 'f16'), 'FASTFILL_KV_CACHE');
      withEnv('bf16', () => assert.throws(() => f16Exact.newKvStorage(1, 16), /a bf16 KV cache needs bf16 attention/),
        'FASTFILL_KV_CACHE');
      withEnv('q8', () => assert.throws(() => q8.newKvStorage(1, 16), /FASTFILL_KV_CACHE=q8 is not one of f32, bf16, f16/),
        'FASTFILL_KV_CACHE');
    });
  });

test('fastfill inspect states the attention precision and KV cache the loader picks, without loading the weights',
  { skip: sharedSkip(Q8_FILE) || sharedSkip(F16_FILE) || sharedSkip(F32_FILE) }, () => {
    const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
    for (const file of [Q8_FILE, F16_FILE, F32_FILE]) {
      for (const precision of ['int8', 'f32'] as const) {
        const env: NodeJS.ProcessEnv = { ...process.env, FASTFILL_PRECISION: precision };
        delete env.FASTFILL_ATTENTION_PRECISION;
        delete env.FASTFILL_KV_CACHE;
        const stated = JSON.parse(execFileSync(process.execPath, [main, 'inspect', sharedPath(file), '--json'], { env, encoding: 'utf8' }));
        const t = withEnv(undefined, () => loadModel(sharedPath(file), { precision }).transformer);
        const what = `${file} at ${precision}`;
        assert.equal(stated.attentionPrecision, t.attentionPrecision, what);
        assert.equal(stated.kvCache, t.kvCacheType(16), what);
        assert.equal(stated.kvBytesPerToken, t.newKvStorage(1, 16).bytes / 16, what);
      }
    }
  });
