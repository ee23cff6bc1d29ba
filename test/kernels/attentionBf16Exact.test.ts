// Attention at precision 'bf16' on inputs where every operation of the pair levels is exact in F32, so
// those levels (avx512bf16, and amx: AMX tiles with FASTFILL_AMX_ATTENTION=1) must all give one exact
// answer, bit for bit, whatever order they add in: scores are small whole numbers (q and k hold 0s and
// 1s on their first 8 dims), and scale = fround(ln 2) makes scale * log2(e) exactly 1 in F32, so in
// log2 units a weight is exactly 2^(s - max) (the exp2 polynomial is exactly 1 at a whole number, and
// a max correction is exactly 2^-n); V holds whole numbers in [-3, 3], so with scores spread over at
// most 8 every product, running sum and rescaled output is a multiple of 2^-8 below 2^11: exact. The
// answer is then fround(num * fround(1 / sum)) with num and sum computed exactly here. A key's ones
// grow with its position, so the running max rises from step to step. F32, bf16 and F16 caches (the
// AMX path's three key copies), prefill, decode and a chunk of queries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attention, kvWrite, type AttentionArgs } from '../../src/kernels/native.js';
import { assertIdentical } from './support/close.js';
import { atLevel, LEVELS } from './support/levels.js';
import { Rng } from './support/random.js';
import { denseCausalPlan, pagedCache, shuffledBlocks, type Sequence, type Shape } from './support/attentionCases.js';

const PAIR_LEVELS = LEVELS.filter((level) => level === 'avx512bf16' || level === 'amx');
const SCALE = Math.fround(Math.LN2);
const SCORE_DIMS = 8;

function run(args: Omit<AttentionArgs, 'out'>): Float32Array {
  const out = new Float32Array(args.q.length).fill(NaN);
  attention({ ...args, out });
  return out;
}

/** Keys with up to 1 + 8 * position / tokens ones in their first 8 dims, V whole numbers in [-3, 3], queries of 0s and 1s. */
function exactCase(rng: Rng, shape: Shape, tokens: number): { seq: Sequence; q: Float32Array } {
  const { nHeads, nKvHeads, headDim } = shape;
  const k = new Float32Array(tokens * nKvHeads * headDim);
  const v = new Float32Array(k.length);
  for (let p = 0; p < tokens; p++) {
    const most = 1 + Math.floor((SCORE_DIMS * p) / tokens);
    for (let i = 0; i < nKvHeads * headDim; i++) {
      const d = i % headDim;
      k[p * nKvHeads * headDim + i] = d < most && rng.next() < 0.7 ? 1 : 0;
      v[p * nKvHeads * headDim + i] = rng.int(7) - 3;
    }
  }
  const q = new Float32Array(tokens * nHeads * headDim);
  for (let i = 0; i < q.length; i++) q[i] = i % headDim < SCORE_DIMS && rng.next() < 0.8 ? 1 : 0;
  return { seq: { k, v, tokens }, q };
}

/** The exact F32 answer for queries at positions 0..tokens-1 over keys 0..position. */
function exactAttention(seq: Sequence, q: Float32Array, shape: Shape): Float32Array {
  const { nHeads, nKvHeads, headDim } = shape;
  const group = nHeads / nKvHeads;
  const out = new Float32Array(q.length);
  for (let i = 0; i < seq.tokens; i++) {
    for (let h = 0; h < nHeads; h++) {
      const qAt = (i * nHeads + h) * headDim;
      const kvAt = (p: number) => (p * nKvHeads + Math.floor(h / group)) * headDim;
      const scores: number[] = [];
      for (let p = 0; p <= i; p++) {
        let s = 0;
        for (let d = 0; d < headDim; d++) s += q[qAt + d]! * seq.k[kvAt(p) + d]!;
        scores.push(s);
      }
      const max = Math.max(...scores);
      const weights = scores.map((s) => 2 ** (s - max));
      const sum = weights.reduce((x, y) => x + y, 0);
      assert.ok(max - Math.min(...scores) <= SCORE_DIMS && Math.fround(sum) === sum, 'the case stays exact in F32');
      const inverse = Math.fround(1 / sum);
      for (let d = 0; d < headDim; d++) {
        let num = 0;
        for (let p = 0; p <= i; p++) num += weights[p]! * seq.v[kvAt(p) + d]!;
        assert.ok(Math.fround(num) === num, 'the case stays exact in F32');
        out[qAt + d] = num * inverse;  // a product of two floats is exact in a double: one rounding, as in F32
      }
    }
  }
  return out;
}

function halfCache(type: 'bf16' | 'f16', seq: Sequence, shape: Shape, blockTable: number[], numBlocks: number) {
  const kCache = new Uint16Array(numBlocks * shape.blockSize * shape.nKvHeads * shape.headDim);
  const vCache = new Uint16Array(kCache.length);
  const slots = Int32Array.from({ length: seq.tokens },
    (_, p) => blockTable[Math.floor(p / shape.blockSize)]! * shape.blockSize + (p % shape.blockSize));
  kvWrite(kCache, vCache, seq.k, seq.v, slots, shape.nKvHeads, shape.headDim, type);
  return { kCache, vCache, kvType: type };
}

const CASES: { shape: Shape; tokens: number }[] = [
  { shape: { nHeads: 6, nKvHeads: 2, headDim: 64, blockSize: 16 }, tokens: 301 },  // odd: a last value pair with one key
  { shape: { nHeads: 3, nKvHeads: 1, headDim: 96, blockSize: 32 }, tokens: 170 },  // two runs per block, 96 = 64 + 32 of d
];

test('attention bf16, exact case: every pair level gives the exact F32 answer bit for bit, any cache, prefill, decode, chunk', {
  skip: PAIR_LEVELS.length === 0 ? 'no level here computes attention on bf16 pairs (AVX512-BF16)' : false,
}, () => {
  // the premise: the kernels' F32 product scale * log2(e) is exactly 1, so log2-unit scores are the whole-number q . k
  assert.equal(Math.fround(SCALE * Math.fround(Math.LOG2E)), 1);
  const rng = new Rng(2024);
  for (const { shape, tokens } of CASES) {
    const { seq, q } = exactCase(rng, shape, tokens);
    const want = exactAttention(seq, q, shape);
    const numBlocks = Math.ceil(tokens / shape.blockSize) + 1;
    const blockTable = shuffledBlocks(rng, numBlocks);
    const qRow = shape.nHeads * shape.headDim, last = tokens - 1;
    const positions = Int32Array.from({ length: tokens }, (_, i) => i);
    const plans = [
      { name: 'prefill', rows: [0, tokens], args: { q, qPositions: positions, ...denseCausalPlan(0, tokens, blockTable, shape.blockSize, 32) } },
      { name: 'decode', rows: [last, tokens], args: { q: q.subarray(last * qRow), qPositions: positions.subarray(last),
        ...denseCausalPlan(last, 1, blockTable, shape.blockSize, 1) } },
      { name: 'chunk', rows: [100, 140], args: { q: q.subarray(100 * qRow, 140 * qRow), qPositions: positions.subarray(100, 140),
        ...denseCausalPlan(100, 40, blockTable, shape.blockSize, 16) } },
    ] as const;
    const caches = {
      f32: pagedCache(seq, shape, blockTable, numBlocks),
      bf16: halfCache('bf16', seq, shape, blockTable, numBlocks),
      f16: halfCache('f16', seq, shape, blockTable, numBlocks),
    };
    for (const level of PAIR_LEVELS) {
      atLevel(level, () => {
        for (const [cacheType, cache] of Object.entries(caches)) {
          for (const { name, rows, args } of plans) {
            const got = run({ ...cache, ...args, scale: SCALE, precision: 'bf16', ...shape });
            assertIdentical(got, want.subarray(rows[0] * qRow, rows[1] * qRow),
              `${name}, ${cacheType} cache, d=${shape.headDim} heads=${shape.nHeads}/${shape.nKvHeads} ${level}`);
          }
        }
      });
    }
  }
});
