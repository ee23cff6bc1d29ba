// Attention over the paged KV cache, and writing new K/V rows into it.
//
// Cache layout: slot = physicalBlock * blockSize + offset. An F32 cache (Float32Arrays): kCache and
// vCache are [numSlots][nKvHeads][headDim]. A bf16 cache (Uint16Arrays of bf16 bits, half the memory;
// for precision 'bf16' only, even blockSize and headDim): kCache as above, vCache
// [numSlots / 2][nKvHeads][headDim][2], the values of slots 2i and 2i + 1 side by side, which is how
// the kernel's P V products take them, so it reads the cache in place. An F16 cache (Uint16Arrays of
// IEEE halves, half the memory, llama.cpp's default; any precision): both as the F32 layout; the
// kernel widens each run of 16 keys to F32 as it goes.
// TypeScript plans the work as lists (dense causal, chunked prefill, decode and sparse patterns are
// just different lists):
//   tiles:     Int32Array [nTiles * 4]: qStart, qCount, listStart, listCount per query tile; the
//              tiles partition the queries [0, nQ)
//   keyBlocks: Int32Array [nEntries * 4]: physicalBlock, firstKeyPosition, keyCount, needsMask
// A tile's queries attend to the keys of entries [listStart, listStart + listCount). Key j of an
// entry sits in slot physicalBlock * blockSize + j at position firstKeyPosition + j; with
// needsMask != 0 it is visible to a query at position p only if firstKeyPosition + j <= p. A
// query that sees no key gets zeros. Query head h reads KV head h / (nHeads / nKvHeads).
import { addon } from './addon.js';
import { checkDim, checkFinite, checkFloat32, checkIndices, checkInt32, checkNoOverlap } from './checks.js';

export interface AttentionArgs {
  /** [nQ][nHeads][headDim] */
  q: Float32Array;
  /** [nQ][nHeads][headDim] */
  out: Float32Array;
  /** [numSlots][nKvHeads][headDim]: an F32, bf16 or F16 cache (see the layouts above) */
  kCache: KvCacheArray;
  /** as kCache, of the same kind and length */
  vCache: KvCacheArray;
  /** [nQ]: absolute position of each query token */
  qPositions: Int32Array;
  tiles: Int32Array;
  keyBlocks: Int32Array;
  nHeads: number;
  nKvHeads: number;
  headDim: number;
  /** slots per physical block */
  blockSize: number;
  /** usually 1 / sqrt(headDim) */
  scale: number;
  /**
   * 'f32' (default): exact F32 products. 'bf16': q, k, the softmax weights and v rounded to bf16, products on
   * vdpbf16ps (about 1.5x the kernel's prefill speed), scores, softmax and sums in F32; only where the CPU has
   * AVX512-BF16 (cpuInfo().features.avx512bf16), elsewhere computed as 'f32'. Either way a query's result does
   * not depend on the tile it is in.
   */
  precision?: AttentionPrecision;
  /** the element type of the caches: 'bf16' or 'f16' for Uint16Arrays (required), 'f32' (or nothing) for Float32Arrays */
  kvType?: KvCacheType;
}

export type AttentionPrecision = 'f32' | 'bf16';
/** An F32 cache tensor, or a bf16 or F16 one (their bits). */
export type KvCacheArray = Float32Array | Uint16Array;
export type KvCacheType = 'f32' | 'bf16' | 'f16';
export const KV_CACHE_TYPES: readonly KvCacheType[] = ['f32', 'bf16', 'f16'];
const KV_TYPE_CODES: Record<KvCacheType, number> = { f32: 0, bf16: 1, f16: 2 };
export const ATTENTION_PRECISIONS: readonly AttentionPrecision[] = ['f32', 'bf16'];

const MAX_POSITION = 0x7fffffff;

function checkTiles(fn: string, tiles: Int32Array, nQ: number, nEntries: number): void {
  if (tiles.length % 4 !== 0) throw new RangeError(`${fn}: tiles holds 4 ints per tile, got ${tiles.length} ints`);
  const tileOf = new Int32Array(nQ).fill(-1);
  for (let t = 0; t < tiles.length / 4; t++) {
    const [qStart, qCount, listStart, listCount] = [tiles[4 * t]!, tiles[4 * t + 1]!, tiles[4 * t + 2]!, tiles[4 * t + 3]!];
    if (qStart < 0 || qCount < 0 || qStart + qCount > nQ) {
      throw new RangeError(`${fn}: tile ${t} covers queries [${qStart}, ${qStart + qCount}) outside [0, ${nQ})`);
    }
    if (listStart < 0 || listCount < 0 || listStart + listCount > nEntries) {
      throw new RangeError(`${fn}: tile ${t} lists entries [${listStart}, ${listStart + listCount}) outside [0, ${nEntries})`);
    }
    for (let i = qStart; i < qStart + qCount; i++) {
      if (tileOf[i] !== -1) throw new RangeError(`${fn}: query ${i} is in tiles ${tileOf[i]} and ${t}`);
      tileOf[i] = t;
    }
  }
  const uncovered = tileOf.indexOf(-1);
  if (uncovered >= 0) throw new RangeError(`${fn}: query ${uncovered} is in no tile (tiles must partition the queries)`);
}

function checkKeyBlocks(fn: string, keyBlocks: Int32Array, numBlocks: number, blockSize: number): void {
  if (keyBlocks.length % 4 !== 0) {
    throw new RangeError(`${fn}: keyBlocks holds 4 ints per entry, got ${keyBlocks.length} ints`);
  }
  for (let e = 0; e < keyBlocks.length / 4; e++) {
    const [block, first, count] = [keyBlocks[4 * e]!, keyBlocks[4 * e + 1]!, keyBlocks[4 * e + 2]!];
    if (block < 0 || block >= numBlocks) {
      throw new RangeError(`${fn}: entry ${e} names physical block ${block}, the cache has ${numBlocks}`);
    }
    if (count < 0 || count > blockSize) {
      throw new RangeError(`${fn}: entry ${e} has ${count} keys, a block holds 0..${blockSize}`);
    }
    if (first < 0 || first > MAX_POSITION - blockSize) {
      throw new RangeError(`${fn}: entry ${e} first key position ${first} is out of range`);
    }
  }
}

/** Checks the two caches against each other and their type; returns the type. */
function checkCaches(fn: string, kCache: unknown, vCache: unknown, kvType: KvCacheType | undefined): KvCacheType {
  if (kvType !== undefined && !KV_CACHE_TYPES.includes(kvType)) {
    throw new RangeError(`${fn}: kvType ${String(kvType)} is not one of ${KV_CACHE_TYPES.join(', ')}`);
  }
  if (!(kCache instanceof Float32Array) && !(kCache instanceof Uint16Array)) {
    throw new TypeError(`${fn}: kCache must be a Float32Array (F32 cache) or a Uint16Array (bf16 or F16 cache)`);
  }
  if (kCache instanceof Float32Array) {
    checkFloat32(fn, 'vCache', vCache, kCache.length, 'kCache.length');
    if (kvType !== undefined && kvType !== 'f32') throw new TypeError(`${fn}: kvType ${kvType} takes Uint16Array caches, not Float32Arrays`);
    return 'f32';
  }
  if (!(vCache instanceof Uint16Array) || vCache.length !== kCache.length) {
    throw new TypeError(`${fn}: vCache must be a Uint16Array of kCache.length = ${kCache.length} elements, as kCache`);
  }
  if (kvType === 'f32') throw new TypeError(`${fn}: kvType f32 takes Float32Array caches, not Uint16Arrays`);
  if (kvType === undefined) throw new TypeError(`${fn}: a Uint16Array cache needs kvType 'bf16' or 'f16'`);
  return kvType;
}

/** Flash attention with online softmax over the paged KV cache (GQA; F32, or bf16 products: see precision). */
export function attention(args: AttentionArgs): void {
  const fn = 'attention';
  const { q, out, kCache, vCache, qPositions, tiles, keyBlocks, nHeads, nKvHeads, headDim, blockSize, scale } = args;
  const precision = args.precision ?? 'f32';
  if (!ATTENTION_PRECISIONS.includes(precision)) {
    throw new RangeError(`${fn}: precision ${String(precision)} is not one of ${ATTENTION_PRECISIONS.join(', ')}`);
  }
  checkDim(fn, 'nHeads', nHeads, 1);
  checkDim(fn, 'nKvHeads', nKvHeads, 1);
  checkDim(fn, 'headDim', headDim, 1);
  checkDim(fn, 'blockSize', blockSize, 1);
  if (nHeads % nKvHeads !== 0) throw new RangeError(`${fn}: nHeads ${nHeads} is not a multiple of nKvHeads ${nKvHeads}`);
  checkFinite(fn, 'scale', scale);
  checkInt32(fn, 'qPositions', qPositions);
  checkInt32(fn, 'tiles', tiles);
  checkInt32(fn, 'keyBlocks', keyBlocks);
  const nQ = qPositions.length;
  const qShape = `nQ*nHeads*headDim = ${nQ}*${nHeads}*${headDim}`;
  checkFloat32(fn, 'q', q, nQ * nHeads * headDim, qShape);
  checkFloat32(fn, 'out', out, nQ * nHeads * headDim, qShape);
  const kvType = checkCaches(fn, kCache, vCache, args.kvType);
  const blockFloats = blockSize * nKvHeads * headDim;
  if (kCache.length % blockFloats !== 0) {
    throw new RangeError(`${fn}: kCache has ${kCache.length} elements, not whole blocks of ` +
      `blockSize*nKvHeads*headDim = ${blockFloats}`);
  }
  if (kvType === 'bf16') {
    if (precision !== 'bf16') throw new RangeError(`${fn}: a bf16 cache needs precision 'bf16'`);
    if (blockSize % 2 !== 0 || headDim % 2 !== 0) {
      throw new RangeError(`${fn}: a bf16 cache needs an even blockSize and headDim, got ${blockSize} and ${headDim}`);
    }
  }
  checkNoOverlap(fn, out, { q, kCache, vCache });
  checkIndices(fn, 'qPositions', qPositions, MAX_POSITION);
  checkTiles(fn, tiles, nQ, keyBlocks.length / 4);
  checkKeyBlocks(fn, keyBlocks, kCache.length / blockFloats, blockSize);
  addon().attention(q, out, kCache, vCache, qPositions, tiles, keyBlocks, nHeads, nKvHeads, headDim, blockSize, scale,
    precision === 'bf16' ? 1 : 0, KV_TYPE_CODES[kvType]);
}

/**
 * Writes the rows of new tokens into the cache: kCache[slots[t]] = k[t], vCache[slots[t]] = v[t];
 * k and v are [slots.length][nKvHeads][headDim]. Slots must be distinct. Into a bf16 or F16 cache (kvType, required for them)
 * the rows are rounded to the nearest (ties to even), in the cache's layout.
 */
export function kvWrite(kCache: KvCacheArray, vCache: KvCacheArray, k: Float32Array, v: Float32Array,
  slots: Int32Array, nKvHeads: number, headDim: number, kvType?: KvCacheType): void {
  const fn = 'kvWrite';
  checkDim(fn, 'nKvHeads', nKvHeads, 1);
  checkDim(fn, 'headDim', headDim, 1);
  const rowFloats = nKvHeads * headDim;
  const type = checkCaches(fn, kCache, vCache, kvType);
  if (kCache.length % rowFloats !== 0) {
    throw new RangeError(`${fn}: kCache has ${kCache.length} elements, not whole slots of nKvHeads*headDim = ${rowFloats}`);
  }
  if (type === 'bf16' && kCache.length % (2 * rowFloats) !== 0) {
    throw new RangeError(`${fn}: a bf16 cache holds whole pairs of slots; kCache has ${kCache.length / rowFloats} slots`);
  }
  checkInt32(fn, 'slots', slots);
  const shape = `slots.length*nKvHeads*headDim = ${slots.length}*${nKvHeads}*${headDim}`;
  checkFloat32(fn, 'k', k, slots.length * rowFloats, shape);
  checkFloat32(fn, 'v', v, slots.length * rowFloats, shape);
  checkIndices(fn, 'slots', slots, kCache.length / rowFloats);
  if (new Set(slots).size !== slots.length) throw new RangeError(`${fn}: slots contains a slot twice`);
  checkNoOverlap(fn, kCache, { vCache, k, v });
  checkNoOverlap(fn, vCache, { k, v });
  addon().kvWrite(kCache, vCache, k, v, slots, nKvHeads, headDim, KV_TYPE_CODES[type]);
}
