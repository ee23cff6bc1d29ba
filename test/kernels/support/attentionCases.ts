// Test-side attention planning and float64 references, written from the kernel's contract (see
// src/kernels/attention.ts), independent of the planner in src/attention/.
import type { AttentionArgs } from '../../../src/kernels/native.js';
import { Rng } from './random.js';

export interface Shape {
  nHeads: number;
  nKvHeads: number;
  headDim: number;
  blockSize: number;
}

/** Dense per-token K and V of one sequence: [tokens][nKvHeads][headDim]. */
export interface Sequence {
  k: Float32Array;
  v: Float32Array;
  tokens: number;
}

export function randomSequence(rng: Rng, shape: Shape, tokens: number): Sequence {
  const size = tokens * shape.nKvHeads * shape.headDim;
  return { k: rng.floats(size), v: rng.floats(size), tokens };
}

/**
 * A paged cache of numBlocks blocks holding the first `tokens` keys of the sequence at
 * blockTable[position / blockSize]; every other slot is NaN, so reading one shows up.
 */
export function pagedCache(seq: Sequence, shape: Shape, blockTable: number[], numBlocks: number, tokens = seq.tokens):
  { kCache: Float32Array; vCache: Float32Array } {
  const row = shape.nKvHeads * shape.headDim;
  const kCache = new Float32Array(numBlocks * shape.blockSize * row).fill(NaN);
  const vCache = new Float32Array(kCache.length).fill(NaN);
  for (let p = 0; p < tokens; p++) {
    const slot = blockTable[Math.floor(p / shape.blockSize)]! * shape.blockSize + (p % shape.blockSize);
    kCache.set(seq.k.subarray(p * row, (p + 1) * row), slot * row);
    vCache.set(seq.v.subarray(p * row, (p + 1) * row), slot * row);
  }
  return { kCache, vCache };
}

/**
 * Dense causal plan for queries at consecutive positions [firstPos, firstPos + nQ) of one
 * sequence: tiles of `queryTile` queries, each listing every block up to its last position;
 * only blocks that reach past the tile's first position need the mask.
 */
export function denseCausalPlan(firstPos: number, nQ: number, blockTable: number[], blockSize: number,
  queryTile: number): { tiles: Int32Array; keyBlocks: Int32Array } {
  const tiles: number[] = [];
  const entries: number[] = [];
  for (let q = 0; q < nQ; q += queryTile) {
    const count = Math.min(queryTile, nQ - q);
    const tileFirst = firstPos + q;
    const tileLast = tileFirst + count - 1;
    const listStart = entries.length / 4;
    for (let b = 0; b * blockSize <= tileLast; b++) {
      const first = b * blockSize;
      const keys = Math.min(blockSize, tileLast + 1 - first);
      entries.push(blockTable[b]!, first, keys, first + keys - 1 > tileFirst ? 1 : 0);
    }
    tiles.push(q, count, listStart, entries.length / 4 - listStart);
  }
  return { tiles: Int32Array.from(tiles), keyBlocks: Int32Array.from(entries) };
}

/** softmax(q k^T * scale) v for query positions `positions` over keys 0..pos of a dense sequence. */
export function naiveCausal(q: Float32Array, positions: Int32Array, seq: Sequence, shape: Shape, scale: number):
  Float64Array {
  const { nHeads, nKvHeads, headDim } = shape;
  const group = nHeads / nKvHeads;
  const out = new Float64Array(q.length);
  for (let i = 0; i < positions.length; i++) {
    for (let h = 0; h < nHeads; h++) {
      const keys: number[] = [];
      for (let p = 0; p <= positions[i]!; p++) keys.push(p * nKvHeads + Math.floor(h / group));
      weightedSum(q, (i * nHeads + h) * headDim, seq.k, seq.v, keys, headDim, scale, out);
    }
  }
  return out;
}

/** The kernel's contract, literally: per tile, per entry, per key, visibility by the mask rule. */
export function referenceAttention(a: AttentionArgs): Float64Array {
  const { kCache, vCache } = a;
  if (!(kCache instanceof Float32Array) || !(vCache instanceof Float32Array)) throw new TypeError('the reference takes an F32 cache');
  const group = a.nHeads / a.nKvHeads;
  const out = new Float64Array(a.q.length);
  for (let t = 0; t < a.tiles.length / 4; t++) {
    const [qStart, qCount, listStart, listCount] = a.tiles.subarray(4 * t, 4 * t + 4);
    for (let i = qStart!; i < qStart! + qCount!; i++) {
      for (let h = 0; h < a.nHeads; h++) {
        const rows: number[] = [];
        for (let e = listStart!; e < listStart! + listCount!; e++) {
          const [block, first, count, mask] = a.keyBlocks.subarray(4 * e, 4 * e + 4);
          for (let j = 0; j < count!; j++) {
            if (mask && first! + j > a.qPositions[i]!) continue;
            rows.push((block! * a.blockSize + j) * a.nKvHeads + Math.floor(h / group));
          }
        }
        weightedSum(a.q, (i * a.nHeads + h) * a.headDim, kCache, vCache, rows, a.headDim, a.scale, out);
      }
    }
  }
  return out;
}

/** out[qOffset..] = softmax over `rows` (row indices into k and v, headDim floats each); zeros if none. */
function weightedSum(q: Float32Array, qOffset: number, k: Float32Array, v: Float32Array, rows: number[],
  headDim: number, scale: number, out: Float64Array): void {
  if (rows.length === 0) return;
  const scores = rows.map((r) => {
    let s = 0;
    for (let d = 0; d < headDim; d++) s += q[qOffset + d]! * k[r * headDim + d]!;
    return s * scale;
  });
  const max = Math.max(...scores);
  const weights = scores.map((s) => Math.exp(s - max));
  const total = weights.reduce((x, y) => x + y, 0);
  rows.forEach((r, j) => {
    for (let d = 0; d < headDim; d++) out[qOffset + d]! += (weights[j]! / total) * v[r * headDim + d]!;
  });
}

/**
 * One prompt of `tokens` tokens over a shuffled block table with `spareBlocks` blocks beyond it: its K/V
 * sequence, random queries at positions 0..tokens-1, and the arguments of its dense prefill (query tiles of
 * 32) and of decoding its last token alone.
 */
export function promptCase(rng: Rng, shape: Shape, tokens: number, spareBlocks: number) {
  const seq = randomSequence(rng, shape, tokens);
  const numBlocks = Math.ceil(tokens / shape.blockSize) + spareBlocks;
  const blockTable = shuffledBlocks(rng, numBlocks);
  const q = rng.floats(tokens * shape.nHeads * shape.headDim);
  const qPositions = Int32Array.from({ length: tokens }, (_, i) => i);
  const qRow = shape.nHeads * shape.headDim;
  const prefill = { q, qPositions, ...denseCausalPlan(0, tokens, blockTable, shape.blockSize, 32) };
  const decode = { q: q.subarray((tokens - 1) * qRow), qPositions: Int32Array.of(tokens - 1),
    ...denseCausalPlan(tokens - 1, 1, blockTable, shape.blockSize, 1) };
  return { seq, numBlocks, blockTable, q, qPositions, qRow, prefill, decode };
}

/** A permutation of 0..n-1: physical blocks that are not in logical order. */
export function shuffledBlocks(rng: Rng, n: number): number[] {
  const blocks = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [blocks[i], blocks[j]] = [blocks[j]!, blocks[i]!];
  }
  return blocks;
}
