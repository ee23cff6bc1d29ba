// Attention at precision 'bf16' against a float64 reference on bf16-rounded q, k and v. The kernel
// also rounds each softmax weight p to bf16 before P V (relative error <= 2^-9 per weight), while
// the normalising sum uses the F32 weights, so an output moves by at most 2^-9 * max |v| (<= 1
// here) from the reference, plus F32 rounding. A query's result does not depend on its tile: decode
// and a chunk of the prompt give exactly the prefill's rows. Levels without AVX512-BF16 compute
// 'bf16' requests as 'f32', bit for bit. Covered: odd and tail head dims (7, 24, 80), GQA, partial
// blocks (odd key counts: a value pair with one key), a last tile of 10 rows, decode, and a
// 300-token prompt whose queries take several 128-key steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attention, type AttentionArgs } from '../../src/kernels/native.js';
import { rounded } from './support/halfFloats.js';
import { assertClose, assertIdentical } from './support/close.js';
import { forEachLevel } from './support/levels.js';
import { Rng } from './support/random.js';
import { denseCausalPlan, pagedCache, promptCase, referenceAttention, type Shape } from './support/attentionCases.js';

const TOLERANCE = 2 ** -9 + 1e-5;

function run(args: Omit<AttentionArgs, 'out'>): Float32Array {
  const out = new Float32Array(args.q.length).fill(NaN);
  attention({ ...args, out });
  return out;
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  let most = 0;
  for (let i = 0; i < a.length; i++) most = Math.max(most, Math.abs(a[i]! - b[i]!));
  return most;
}

const CASES: { shape: Shape; tokens: number }[] = [
  { shape: { nHeads: 4, nKvHeads: 2, headDim: 7, blockSize: 16 }, tokens: 45 },
  { shape: { nHeads: 5, nKvHeads: 1, headDim: 24, blockSize: 16 }, tokens: 45 },
  { shape: { nHeads: 4, nKvHeads: 2, headDim: 80, blockSize: 16 }, tokens: 37 },
  { shape: { nHeads: 14, nKvHeads: 2, headDim: 64, blockSize: 16 }, tokens: 300 },
];

test('attention bf16: within 2^-9 of float64 on bf16 inputs; decode and chunks equal the prefill rows; F32 without AVX512-BF16', () => {
  const rng = new Rng(77);
  for (const { shape, tokens } of CASES) {
    const { seq, numBlocks, blockTable, q, qPositions, qRow, prefill, decode: decodeArgs } = promptCase(rng, shape, tokens, 1);
    const { kCache, vCache } = pagedCache(seq, shape, blockTable, numBlocks);
    const scale = 1 / Math.sqrt(shape.headDim);
    const last = tokens - 1;
    // queries 16..31 as one chunk of 16 (the cache holds every key: later keys are masked for them)
    const chunkArgs = { q: q.subarray(16 * qRow, 32 * qRow), qPositions: qPositions.subarray(16, 32),
      ...denseCausalPlan(16, 16, blockTable, shape.blockSize, 16) };
    const common = { kCache, vCache, scale, ...shape };
    const want = referenceAttention({ ...common, kCache: rounded(kCache), vCache: rounded(vCache), ...prefill, q: rounded(q),
      out: new Float32Array(q.length) });
    forEachLevel((level) => {
      const what = `d=${shape.headDim} heads=${shape.nHeads}/${shape.nKvHeads} tokens=${tokens} ${level}`;
      const bf16 = run({ ...common, ...prefill, precision: 'bf16' });
      const f32 = run({ ...common, ...prefill, precision: 'f32' });
      const decode = run({ ...common, ...decodeArgs, precision: 'bf16' });
      const chunk = run({ ...common, ...chunkArgs, precision: 'bf16' });
      assertIdentical(decode, bf16.subarray(last * qRow), `decode against the prefill's last row, ${what}`);
      assertIdentical(chunk, bf16.subarray(16 * qRow, 32 * qRow), `chunk of queries 16..31 against the prefill, ${what}`);
      if (level === 'avx512bf16' || level === 'amx') {
        assertClose(bf16, want, () => TOLERANCE, `prefill ${what}`);
        // the bf16 path really ran: rounding q and k moves scores by far more than F32 noise
        assert.ok(maxDifference(bf16, f32) > 1e-4, `${what}: bf16 and f32 results are too close to tell apart`);
      } else {
        assertIdentical(bf16, f32, `bf16 request at ${what}`);
      }
    });
  }
});

test('attention: an unknown precision is a RangeError', () => {
  const shape: Shape = { nHeads: 2, nKvHeads: 1, headDim: 8, blockSize: 4 };
  const kCache = new Float32Array(4 * 8);
  assert.throws(() => attention({
    q: new Float32Array(16), out: new Float32Array(16), kCache, vCache: new Float32Array(kCache.length),
    qPositions: Int32Array.of(0), tiles: Int32Array.of(0, 1, 0, 1), keyBlocks: Int32Array.of(0, 0, 1, 1), scale: 1,
    ...shape, precision: 'f16' as never,
  }), /precision f16 is not one of f32, bf16/);
});
