// The attention kernel's step structure against float64 references, every level: key lists far
// longer than one online-softmax step (128 keys on avx512) with a partial last step, runs cut from
// blocks larger than one run, head sizes that leave a partial pair of vectors, odd numbers of row
// blocks, padding rows, and a running max that rises in every step or never moves after the first.
import { test } from 'node:test';
import { attention, type AttentionArgs } from '../../src/kernels/native.js';
import { assertClose } from './support/close.js';
import { forEachLevel } from './support/levels.js';
import { Rng } from './support/random.js';
import {
  denseCausalPlan, naiveCausal, pagedCache, shuffledBlocks, type Sequence, type Shape,
} from './support/attentionCases.js';

// Outputs are convex combinations of V rows in [-1, 1]: float32 scores, exp and sums.
const TOLERANCE = 2e-6;

function run(args: Omit<AttentionArgs, 'out'>): Float32Array {
  const out = new Float32Array(args.q.length).fill(NaN);
  attention({ ...args, out });
  return out;
}

/** Chunked prefill of the last nQ tokens in tiles of queryTile, and decode of the last token. */
function checkSequence(rng: Rng, shape: Shape, seq: Sequence, q: Float32Array, nQ: number, queryTile: number,
  what: string): void {
  const numBlocks = Math.ceil(seq.tokens / shape.blockSize) + 1;
  const blockTable = shuffledBlocks(rng, numBlocks);
  const { kCache, vCache } = pagedCache(seq, shape, blockTable, numBlocks);
  const first = seq.tokens - nQ;
  const positions = Int32Array.from({ length: nQ }, (_, i) => first + i);
  const scale = 1 / Math.sqrt(shape.headDim);
  const want = naiveCausal(q, positions, seq, shape, scale);
  const qRow = shape.nHeads * shape.headDim;
  forEachLevel((level) => {
    const common = { kCache, vCache, scale, ...shape };
    const chunk = run({ ...common, q, qPositions: positions,
      ...denseCausalPlan(first, nQ, blockTable, shape.blockSize, queryTile) });
    assertClose(chunk, want, () => TOLERANCE, `${what} chunk ${level}`);
    const decode = run({ ...common, q: q.subarray((nQ - 1) * qRow), qPositions: positions.subarray(nQ - 1),
      ...denseCausalPlan(seq.tokens - 1, 1, blockTable, shape.blockSize, 1) });
    assertClose(decode, want.subarray((nQ - 1) * qRow), () => TOLERANCE, `${what} decode ${level}`);
  });
}

test('long key lists: many steps and a partial one, odd row blocks, partial vectors of d', () => {
  const rng = new Rng(11);
  // 14/2 heads: tiles of 37 queries are 259 rows (8 pairs of row blocks and one single on
  // avx512); d = 56 and 24 end in a partial pair of vectors; blocks of 40 keys are runs of 16,
  // 16 and 8; 300 and 170 keys end in partial steps and partial runs.
  const cases: [Shape, number, number, number][] = [
    [{ nHeads: 14, nKvHeads: 2, headDim: 56, blockSize: 16 }, 300, 40, 37],
    [{ nHeads: 3, nKvHeads: 1, headDim: 24, blockSize: 40 }, 170, 23, 11],
    [{ nHeads: 4, nKvHeads: 4, headDim: 64, blockSize: 16 }, 260, 9, 9],
  ];
  for (const [shape, tokens, nQ, queryTile] of cases) {
    const size = tokens * shape.nKvHeads * shape.headDim;
    const seq = { k: rng.floats(size), v: rng.floats(size), tokens };
    const q = rng.floats(nQ * shape.nHeads * shape.headDim);
    checkSequence(rng, shape, seq, q, nQ, queryTile, `d=${shape.headDim} heads=${shape.nHeads}/${shape.nKvHeads} block ${shape.blockSize}`);
  }
});

test('a running max that rises in every step, and one that never moves after the first step', () => {
  const rng = new Rng(12);
  const shape: Shape = { nHeads: 7, nKvHeads: 1, headDim: 64, blockSize: 16 };
  const tokens = 400;
  const nQ = 20;
  const direction = rng.floats(shape.headDim);
  const q = new Float32Array(nQ * shape.nHeads * shape.headDim);
  for (let i = 0; i < q.length; i++) q[i] = direction[i % shape.headDim]! + 0.1 * rng.floats(1)[0]!;
  for (const [name, weight] of [['rising', (p: number) => p / tokens], ['falling', (p: number) => 1 - p / tokens]] as const) {
    // k[p] = 3 * weight(p) * direction + noise: scores up to about 8, rising or falling with p.
    const k = new Float32Array(tokens * shape.headDim);
    for (let p = 0; p < tokens; p++) {
      for (let d = 0; d < shape.headDim; d++) k[p * shape.headDim + d] = 3 * weight(p) * direction[d]! + 0.05 * rng.floats(1)[0]!;
    }
    const seq = { k, v: rng.floats(k.length), tokens };
    checkSequence(rng, shape, seq, q, nQ, 8, name);
  }
});
