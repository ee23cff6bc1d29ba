// Paged flash attention against float64 references: dense causal prefill, decode, chunked
// prefill, arbitrary masked/unmasked block lists, queries that see nothing; every level.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attention, cpuInfo, kvWrite, setThreads, type AttentionArgs } from '../../src/kernels/native.js';
import { assertClose, assertIdentical } from './support/close.js';
import { forEachLevel } from './support/levels.js';
import { Rng } from './support/random.js';
import {
  denseCausalPlan, naiveCausal, pagedCache, randomSequence, referenceAttention, shuffledBlocks, type Shape,
} from './support/attentionCases.js';

// Outputs are convex combinations of V rows in [-1, 1]: float32 scores, exp and sums.
const TOLERANCE = 2e-6;

const SHAPES: Shape[] = [];
for (const headDim of [8, 16, 64]) {
  for (const [nKvHeads, ratio] of [[2, 1], [2, 2], [1, 5]] as const) {
    SHAPES.push({ nHeads: nKvHeads * ratio, nKvHeads, headDim, blockSize: 16 });
  }
}

function describe(s: Shape): string {
  return `d=${s.headDim} heads=${s.nHeads}/${s.nKvHeads}`;
}

function run(args: Omit<AttentionArgs, 'out'>): Float32Array {
  const out = new Float32Array(args.q.length).fill(NaN);
  attention({ ...args, out });
  return out;
}

test('dense causal prefill over non-contiguous blocks equals softmax(QK^T)V; decode and chunked prefill match its rows', () => {
  const rng = new Rng(1);
  const tokens = 45;  // 3 blocks of 16, the last one partial
  for (const shape of SHAPES) {
    const seq = randomSequence(rng, shape, tokens);
    const numBlocks = 5;
    const blockTable = shuffledBlocks(rng, numBlocks);
    const { kCache, vCache } = pagedCache(seq, shape, blockTable, numBlocks);
    const qRow = shape.nHeads * shape.headDim;
    const q = rng.floats(tokens * qRow);
    const positions = Int32Array.from({ length: tokens }, (_, i) => i);
    const scale = 1 / Math.sqrt(shape.headDim);
    const want = naiveCausal(q, positions, seq, shape, scale);
    const common = { kCache, vCache, scale, ...shape };
    forEachLevel((level) => {
      const what = `${describe(shape)} ${level}`;
      const prefill = run({ ...common, q, qPositions: positions, ...denseCausalPlan(0, tokens, blockTable, 16, 16) });
      assertClose(prefill, want, () => TOLERANCE, `prefill ${what}`);

      const last = tokens - 1;
      const decode = run({
        ...common, q: q.subarray(last * qRow), qPositions: Int32Array.of(last),
        ...denseCausalPlan(last, 1, blockTable, 16, 1),
      });
      assertClose(decode, prefill.subarray(last * qRow), () => TOLERANCE, `decode ${what}`);

      // queries 16..31 against keys 0..31 only: the cache holds nothing beyond position 31
      const chunkCache = pagedCache(seq, shape, blockTable, numBlocks, 32);
      const chunk = run({
        ...common, ...chunkCache, q: q.subarray(16 * qRow, 32 * qRow), qPositions: positions.subarray(16, 32),
        ...denseCausalPlan(16, 16, blockTable, 16, 8),
      });
      assertClose(chunk, prefill.subarray(16 * qRow, 32 * qRow), () => TOLERANCE, `chunked prefill ${what}`);
    });
  }
});

test('kvWrite places rows at their slots; attention over the written cache equals the naive one', () => {
  const rng = new Rng(2);
  const shape: Shape = { nHeads: 6, nKvHeads: 2, headDim: 16, blockSize: 8 };
  const tokens = 20;
  const seq = randomSequence(rng, shape, tokens);
  const blockTable = [3, 0, 2];
  const row = shape.nKvHeads * shape.headDim;
  const kCache = new Float32Array(4 * shape.blockSize * row);
  const vCache = new Float32Array(kCache.length);
  const slots = Int32Array.from({ length: tokens }, (_, p) => blockTable[p >> 3]! * 8 + (p & 7));
  kvWrite(kCache, vCache, seq.k, seq.v, slots, shape.nKvHeads, shape.headDim);
  for (let p = 0; p < tokens; p++) {
    assertIdentical(kCache.subarray(slots[p]! * row, (slots[p]! + 1) * row), seq.k.subarray(p * row, (p + 1) * row), `k ${p}`);
    assertIdentical(vCache.subarray(slots[p]! * row, (slots[p]! + 1) * row), seq.v.subarray(p * row, (p + 1) * row), `v ${p}`);
  }
  const q = rng.floats(tokens * shape.nHeads * shape.headDim);
  const positions = Int32Array.from({ length: tokens }, (_, i) => i);
  const want = naiveCausal(q, positions, seq, shape, 0.25);
  forEachLevel((level) => {
    const got = run({ q, kCache, vCache, qPositions: positions, scale: 0.25, ...shape,
      ...denseCausalPlan(0, tokens, blockTable, 8, 5) });
    assertClose(got, want, () => TOLERANCE, `written cache ${level}`);
  });
});

test('arbitrary block lists: masked and unmasked entries, partial and empty entries, queries that see nothing', () => {
  const rng = new Rng(3);
  for (const shape of [SHAPES[1]!, SHAPES[5]!, SHAPES[8]!]) {
    const numBlocks = 6;
    const row = shape.nKvHeads * shape.headDim;
    const kCache = rng.floats(numBlocks * shape.blockSize * row);
    const vCache = rng.floats(kCache.length);
    const nQ = 11;
    const qPositions = Int32Array.from({ length: nQ }, () => rng.int(100));
    qPositions[3] = 2;  // sees nothing: its tile lists only masked keys at positions >= 50
    const tiles = Int32Array.from([0, 3, 0, 4, 3, 1, 4, 1, 4, 5, 5, 3, 9, 2, 8, 0]);
    const keyBlocks = Int32Array.from([
      // tile 0: a mix of unmasked, masked, partial and empty entries
      4, 0, 16, 0, 1, 40, 16, 1, 2, 90, 7, 1, 5, 10, 0, 0,
      // tile 1 (query 3 at position 2): only masked keys from position 50
      0, 50, 16, 1,
      // tile 2: a sparse pick of blocks, out of order, with a masked one
      3, 32, 16, 0, 0, 0, 16, 0, 5, 60, 16, 1,
      // tile 3 (queries 9, 10): listCount 0 below
    ]);
    const args = { q: rng.floats(nQ * shape.nHeads * shape.headDim), kCache, vCache, qPositions, tiles, keyBlocks,
      scale: 0.3, ...shape };
    const want = referenceAttention({ ...args, out: new Float32Array(0) });
    const zeroRows = [3, 9, 10];
    for (const i of zeroRows) {
      const rowWant = want.subarray(i * shape.nHeads * shape.headDim, (i + 1) * shape.nHeads * shape.headDim);
      assert.ok(rowWant.every((x) => x === 0), `reference row ${i} should be zeros`);
    }
    forEachLevel((level) => {
      const got = run(args);
      assertClose(got, want, () => TOLERANCE, `lists ${describe(shape)} ${level}`);
    });
  }
});

test('attention gives identical results with 1 and 2 threads', () => {
  const rng = new Rng(4);
  const shape: Shape = { nHeads: 10, nKvHeads: 2, headDim: 64, blockSize: 16 };
  const tokens = 100;
  const seq = randomSequence(rng, shape, tokens);
  const blockTable = shuffledBlocks(rng, 7);
  const args = { q: rng.floats(tokens * shape.nHeads * shape.headDim), qPositions: Int32Array.from({ length: tokens }, (_, i) => i),
    scale: 0.125, ...shape, ...pagedCache(seq, shape, blockTable, 7), ...denseCausalPlan(0, tokens, blockTable, 16, 16) };
  const threads = cpuInfo().threads;
  try {
    forEachLevel((level) => {
      setThreads(1);
      const one = run(args);
      setThreads(2);
      const two = run(args);
      assertIdentical(one, two, `1 vs 2 threads ${level}`);
    });
  } finally {
    setThreads(threads);
  }
});

test('any block size and head size: keys in several softmax steps per block, partial vectors of d', () => {
  // The kernel takes a block's keys 16 (avx512) or 8 at a time and d in vectors: block sizes of 5,
  // 20 and 48 and d = 40 leave partial steps and partial vectors everywhere.
  const rng = new Rng(5);
  const tokens = 61;
  for (const [blockSize, headDim, nHeads, nKvHeads] of [[5, 40, 4, 2], [20, 40, 3, 1], [48, 64, 14, 2]] as const) {
    const shape: Shape = { nHeads, nKvHeads, headDim, blockSize };
    const seq = randomSequence(rng, shape, tokens);
    const numBlocks = Math.ceil(tokens / blockSize) + 1;
    const blockTable = shuffledBlocks(rng, numBlocks);
    const { kCache, vCache } = pagedCache(seq, shape, blockTable, numBlocks);
    const q = rng.floats(tokens * nHeads * headDim);
    const positions = Int32Array.from({ length: tokens }, (_, i) => i);
    const scale = 1 / Math.sqrt(headDim);
    const want = naiveCausal(q, positions, seq, shape, scale);
    forEachLevel((level) => {
      const got = run({ kCache, vCache, scale, ...shape, q, qPositions: positions,
        ...denseCausalPlan(0, tokens, blockTable, blockSize, 13) });
      assertClose(got, want, () => TOLERANCE, `${describe(shape)} block ${blockSize} ${level}`);
    });
  }
});
