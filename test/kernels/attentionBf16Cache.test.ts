// The bf16 KV cache (Uint16Arrays; layout in src/kernels/attention.ts). kvWrite rounds to the nearest
// bf16 and puts V in slot pairs: checked element by element against a JS model of the layout.
// Attention over a bf16 cache must equal, bit for bit and at every level, attention at precision
// 'bf16' over an F32 cache holding the same rounded values: avx512bf16 reads the bf16 cache in place
// where it converts the F32 one, other levels widen it to F32. Slots the plan does not list hold NaN,
// so reading one shows, including the odd half of a value pair whose second slot a partial block
// leaves out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attention, kvWrite, type AttentionArgs } from '../../src/kernels/native.js';
import { bf16Bits, rounded } from './support/bf16.js';
import { assertIdentical } from './support/close.js';
import { forEachLevel } from './support/levels.js';
import { Rng } from './support/random.js';
import { denseCausalPlan, pagedCache, randomSequence, shuffledBlocks, type Sequence, type Shape } from './support/attentionCases.js';

const NAN_BITS = 0x7fc0;

function run(args: Omit<AttentionArgs, 'out'>): Float32Array {
  const out = new Float32Array(args.q.length).fill(NaN);
  attention({ ...args, out });
  return out;
}

/** A bf16 cache of numBlocks blocks, NaN everywhere, with the sequence's tokens written by kvWrite. */
function bf16PagedCache(seq: Sequence, shape: Shape, blockTable: number[], numBlocks: number) {
  const kCache = new Uint16Array(numBlocks * shape.blockSize * shape.nKvHeads * shape.headDim).fill(NAN_BITS);
  const vCache = new Uint16Array(kCache.length).fill(NAN_BITS);
  const slots = Int32Array.from({ length: seq.tokens },
    (_, p) => blockTable[Math.floor(p / shape.blockSize)]! * shape.blockSize + (p % shape.blockSize));
  kvWrite(kCache, vCache, seq.k, seq.v, slots, shape.nKvHeads, shape.headDim);
  return { kCache, vCache };
}

test('kvWrite into a bf16 cache: K rows and V slot pairs, rounded to nearest even; other slots untouched', () => {
  const rng = new Rng(5);
  const nKvHeads = 3, headDim = 6, row = nKvHeads * headDim, numSlots = 10;
  const tokens = 5;
  const k = rng.floats(tokens * row);
  const v = rng.floats(tokens * row);
  // ties, a value that rounds up into the next binade, tiny and huge values, infinities, NaN
  const special = [1 + 2 ** -8, 1 + 3 * 2 ** -8, 2 - 2 ** -9, 1e-40, -3e38, Infinity, -Infinity, NaN];
  special.forEach((x, i) => { k[i] = x; v[row + i] = x; });
  const slots = Int32Array.of(7, 2, 3, 8, 0);
  const kCache = new Uint16Array(numSlots * row).fill(0x1234);
  const vCache = new Uint16Array(numSlots * row).fill(0x1234);
  kvWrite(kCache, vCache, k, v, slots, nKvHeads, headDim);
  const wantK = new Uint16Array(kCache.length).fill(0x1234);
  const wantV = new Uint16Array(vCache.length).fill(0x1234);
  slots.forEach((slot, t) => {
    for (let i = 0; i < row; i++) {
      wantK[slot * row + i] = bf16Bits(k[t * row + i]!);
      wantV[Math.floor(slot / 2) * 2 * row + 2 * i + (slot % 2)] = bf16Bits(v[t * row + i]!);
    }
  });
  assert.deepEqual(kCache, wantK);
  assert.deepEqual(vCache, wantV);
  assert.equal(kCache[slots[0]! * row + 2], 0x4000, '2 - 2^-9 rounds up to 2');
  assert.equal(kCache[slots[0]! * row + 0], 0x3f80, 'a tie rounds to the even 1');
});

const CASES: { shape: Shape; tokens: number }[] = [
  { shape: { nHeads: 14, nKvHeads: 2, headDim: 64, blockSize: 16 }, tokens: 301 },
  { shape: { nHeads: 5, nKvHeads: 1, headDim: 24, blockSize: 16 }, tokens: 45 },  // a partial vector of d
  { shape: { nHeads: 4, nKvHeads: 2, headDim: 80, blockSize: 6 }, tokens: 37 },   // runs shorter than a block
  { shape: { nHeads: 2, nKvHeads: 2, headDim: 2, blockSize: 2 }, tokens: 9 },
];

test('attention over a bf16 cache equals bf16 attention over the same values in F32, at every level, prefill and decode', () => {
  const rng = new Rng(78);
  for (const { shape, tokens } of CASES) {
    const seq = randomSequence(rng, shape, tokens);
    const numBlocks = Math.ceil(tokens / shape.blockSize) + 2;
    const blockTable = shuffledBlocks(rng, numBlocks);
    const bf16Cache = bf16PagedCache(seq, shape, blockTable, numBlocks);
    const f32Cache = pagedCache({ ...seq, k: rounded(seq.k), v: rounded(seq.v) }, shape, blockTable, numBlocks);
    const q = rng.floats(tokens * shape.nHeads * shape.headDim);
    const qPositions = Int32Array.from({ length: tokens }, (_, i) => i);
    const qRow = shape.nHeads * shape.headDim;
    const common = { scale: 1 / Math.sqrt(shape.headDim), precision: 'bf16' as const, ...shape };
    const prefill = { q, qPositions, ...denseCausalPlan(0, tokens, blockTable, shape.blockSize, 32) };
    const decode = { q: q.subarray((tokens - 1) * qRow), qPositions: Int32Array.of(tokens - 1),
      ...denseCausalPlan(tokens - 1, 1, blockTable, shape.blockSize, 1) };
    forEachLevel((level) => {
      const what = `d=${shape.headDim} heads=${shape.nHeads}/${shape.nKvHeads} block=${shape.blockSize} ${level}`;
      for (const [name, plan] of [['prefill', prefill], ['decode', decode]] as const) {
        const got = run({ ...common, ...bf16Cache, ...plan });
        assert.ok(got.every(Number.isFinite), `${name} ${what}: a NaN slot was read`);
        assertIdentical(got, run({ ...common, ...f32Cache, ...plan }), `${name} ${what}`);
      }
    });
  }
});

test('a bf16 cache is refused at precision f32, with an odd block size or head size, and beside an F32 one', () => {
  const shape = { nHeads: 2, nKvHeads: 1, headDim: 8, blockSize: 4 };
  const base = { q: new Float32Array(16), out: new Float32Array(16), kCache: new Uint16Array(32), vCache: new Uint16Array(32),
    qPositions: Int32Array.of(0), tiles: Int32Array.of(0, 1, 0, 1), keyBlocks: Int32Array.of(0, 0, 1, 1), scale: 1,
    precision: 'bf16' as const, ...shape };
  assert.doesNotThrow(() => attention(base));
  assert.throws(() => attention({ ...base, precision: 'f32' }), /a bf16 cache \(Uint16Array\) needs precision 'bf16'/);
  assert.throws(() => attention({ ...base, q: new Float32Array(14), out: new Float32Array(14), kCache: new Uint16Array(28),
    vCache: new Uint16Array(28), headDim: 7 }),
    /a bf16 cache needs an even blockSize and headDim, got 4 and 7/);
  assert.throws(() => attention({ ...base, kCache: new Uint16Array(24), vCache: new Uint16Array(24), blockSize: 3 }),
    /a bf16 cache needs an even blockSize and headDim, got 3 and 8/);
  assert.throws(() => attention({ ...base, vCache: new Float32Array(32) }), /vCache must be a Uint16Array/);
  assert.throws(() => kvWrite(new Uint16Array(24), new Uint16Array(24), new Float32Array(8), new Float32Array(8),
    Int32Array.of(0), 1, 8), /a bf16 cache holds whole pairs of slots; kCache has 3 slots/);
});
