// Attention at precision 'bf16' against a float64 reference on bf16-rounded q, k and v. The kernel
// also rounds each softmax weight p to bf16 before P V (relative error <= 2^-9 per weight), while
// the normalising sum uses the F32 weights, so an output moves by at most 2^-9 * max |v| (<= 1
// here) from the reference, plus F32 rounding. Tiles with at most 16 (query, head) rows per KV head
// (decode) compute at F32, as do levels without AVX512-BF16: bit for bit as 'f32'. Covered: odd
// and tail head dims (7, 24, 80), GQA, partial blocks (odd key counts: a value pair with one key),
// a last tile of 10 rows, decode, and a 300-token prompt whose queries take several 128-key steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attention, type AttentionArgs } from '../../src/kernels/native.js';
import { assertClose, assertIdentical } from './support/close.js';
import { forEachLevel } from './support/levels.js';
import { Rng } from './support/random.js';
import { denseCausalPlan, pagedCache, randomSequence, referenceAttention, shuffledBlocks, type Shape } from './support/attentionCases.js';

const TOLERANCE = 2 ** -9 + 1e-5;

const bits = new Uint32Array(1);
const value = new Float32Array(bits.buffer);
/** x rounded to the nearest bf16 (ties to even); NaN stays NaN. */
function roundBf16(x: number): number {
  if (Number.isNaN(x)) return x;
  value[0] = x;
  const u = bits[0]!;
  const lower = u & 0xffff;
  let upper = u >>> 16;
  if (lower > 0x8000 || (lower === 0x8000 && (upper & 1) === 1)) upper += 1;
  bits[0] = upper << 16;
  return value[0]!;
}
const rounded = (x: Float32Array): Float32Array => x.map(roundBf16);

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

/** Whether tile t of the plan runs bf16 products at a level with AVX512-BF16: more than 16 rows. */
function pairedQueries(tiles: Int32Array, nQ: number, group: number): boolean[] {
  const paired = new Array<boolean>(nQ).fill(false);
  for (let t = 0; t < tiles.length / 4; t++) {
    const [qStart, qCount] = [tiles[4 * t]!, tiles[4 * t + 1]!];
    for (let i = qStart; i < qStart + qCount; i++) paired[i] = qCount * group > 16;
  }
  return paired;
}

test('attention bf16: prefill within 2^-9 of float64 on bf16 inputs; decode and levels without AVX512-BF16 at F32', () => {
  const rng = new Rng(77);
  for (const { shape, tokens } of CASES) {
    const seq = randomSequence(rng, shape, tokens);
    const numBlocks = Math.ceil(tokens / shape.blockSize) + 1;
    const blockTable = shuffledBlocks(rng, numBlocks);
    const { kCache, vCache } = pagedCache(seq, shape, blockTable, numBlocks);
    const q = rng.floats(tokens * shape.nHeads * shape.headDim);
    const qPositions = Int32Array.from({ length: tokens }, (_, i) => i);
    const scale = 1 / Math.sqrt(shape.headDim);
    const prefillPlan = denseCausalPlan(0, tokens, blockTable, shape.blockSize, 32);
    const qRow = shape.nHeads * shape.headDim;
    const last = tokens - 1;
    const decodeArgs = { q: q.subarray(last * qRow), qPositions: Int32Array.of(last), ...denseCausalPlan(last, 1, blockTable, shape.blockSize, 1) };
    const common = { kCache, vCache, scale, ...shape };
    const want = referenceAttention({ ...common, kCache: rounded(kCache), vCache: rounded(vCache), q: rounded(q), qPositions,
      ...prefillPlan, out: new Float32Array(q.length) });
    forEachLevel((level) => {
      const what = `d=${shape.headDim} heads=${shape.nHeads}/${shape.nKvHeads} tokens=${tokens} ${level}`;
      const bf16 = run({ ...common, q, qPositions, ...prefillPlan, precision: 'bf16' });
      const f32 = run({ ...common, q, qPositions, ...prefillPlan, precision: 'f32' });
      const decode = run({ ...common, ...decodeArgs, precision: 'bf16' });
      const decodeF32 = run({ ...common, ...decodeArgs, precision: 'f32' });
      assertIdentical(decode, decodeF32, `decode bf16 request at ${what}`);
      if (level === 'avx512bf16' || level === 'amx') {
        pairedQueries(prefillPlan.tiles, tokens, shape.nHeads / shape.nKvHeads).forEach((paired, i) => {
          const rows = [i * qRow, (i + 1) * qRow] as const;
          if (paired) {
            assertClose(bf16.subarray(...rows), want.subarray(...rows), () => TOLERANCE, `prefill ${what} query ${i}`);
          } else {
            assertIdentical(bf16.subarray(...rows), f32.subarray(...rows), `prefill ${what} query ${i} (F32 tile)`);
          }
        });
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
