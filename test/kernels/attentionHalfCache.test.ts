// The bf16 and F16 KV caches (Uint16Arrays; layouts in src/kernels/attention.ts). kvWrite rounds to the
// nearest (ties to even) and puts bf16 V rows in slot pairs: checked element by element against JS
// models of the roundings and layouts. Attention over a half cache must equal, bit for bit and at every
// level, attention over an F32 cache holding the same rounded values: a bf16 cache is read in place by
// avx512bf16 and widened to F32 by other levels; an F16 cache is widened everywhere, at either precision.
// Slots the plan does not list hold NaN, so reading one shows, including the odd half of a bf16 value
// pair whose second slot a partial block leaves out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attention, kvWrite, type AttentionArgs, type AttentionPrecision } from '../../src/kernels/native.js';
import { bf16Bits, f16Bits, rounded, roundedF16 } from './support/halfFloats.js';
import { assertIdentical } from './support/close.js';
import { forEachLevel } from './support/levels.js';
import { Rng } from './support/random.js';
import { pagedCache, promptCase, type Sequence, type Shape } from './support/attentionCases.js';

type HalfType = 'bf16' | 'f16';
const NAN_BITS: Record<HalfType, number> = { bf16: 0x7fc0, f16: 0x7e00 };

function run(args: Omit<AttentionArgs, 'out'>): Float32Array {
  const out = new Float32Array(args.q.length).fill(NaN);
  attention({ ...args, out });
  return out;
}

/** A half cache of numBlocks blocks, NaN everywhere, with the sequence's tokens written by kvWrite. */
function halfPagedCache(type: HalfType, seq: Sequence, shape: Shape, blockTable: number[], numBlocks: number) {
  const kCache = new Uint16Array(numBlocks * shape.blockSize * shape.nKvHeads * shape.headDim).fill(NAN_BITS[type]);
  const vCache = new Uint16Array(kCache.length).fill(NAN_BITS[type]);
  const slots = Int32Array.from({ length: seq.tokens },
    (_, p) => blockTable[Math.floor(p / shape.blockSize)]! * shape.blockSize + (p % shape.blockSize));
  kvWrite(kCache, vCache, seq.k, seq.v, slots, shape.nKvHeads, shape.headDim, type);
  return { kCache, vCache, kvType: type };
}

// ties, values that round up into the next binade, the largest finite values and past them, tiny values
// (subnormal or zero in F16), infinities, NaN, -0
const SPECIAL = [1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 2 - 2 ** -9, 65504, 65519.99, 65520,
  2 ** -25, 3 * 2 ** -25, 2 ** -14 - 2 ** -25, 1e-40, -3e38, Infinity, -Infinity, NaN, -0];

test('kvWrite into half caches: nearest-even rounding, K rows, V rows (F16) or slot pairs (bf16); other slots untouched', () => {
  const rng = new Rng(5);
  const nKvHeads = 3, headDim = 6, row = nKvHeads * headDim, numSlots = 10;
  const k = rng.floats(5 * row);
  const v = rng.floats(5 * row);
  SPECIAL.forEach((x, i) => { k[i] = x; v[row + i] = x; });
  const slots = Int32Array.of(7, 2, 3, 8, 0);
  for (const type of ['bf16', 'f16'] as const) {
    const toBits = type === 'bf16' ? bf16Bits : f16Bits;
    const kCache = new Uint16Array(numSlots * row).fill(0x1234);
    const vCache = new Uint16Array(numSlots * row).fill(0x1234);
    kvWrite(kCache, vCache, k, v, slots, nKvHeads, headDim, type);
    const wantK = new Uint16Array(kCache.length).fill(0x1234);
    const wantV = new Uint16Array(vCache.length).fill(0x1234);
    slots.forEach((slot, t) => {
      for (let i = 0; i < row; i++) {
        wantK[slot * row + i] = toBits(k[t * row + i]!);
        const vAt = type === 'bf16' ? Math.floor(slot / 2) * 2 * row + 2 * i + (slot % 2) : slot * row + i;
        wantV[vAt] = toBits(v[t * row + i]!);
      }
    });
    assert.deepEqual(kCache, wantK, `${type} K`);
    assert.deepEqual(vCache, wantV, `${type} V`);
  }
  // the JS references themselves, on values whose halves are known
  assert.deepEqual([1 + 2 ** -11, 1 + 3 * 2 ** -11, 65519.99, 65520, 2 ** -25, 3 * 2 ** -25].map(f16Bits),
    [0x3c00, 0x3c02, 0x7bff, 0x7c00, 0x0000, 0x0002]);
  assert.deepEqual([1 + 2 ** -8, 2 - 2 ** -9].map(bf16Bits), [0x3f80, 0x4000]);
});

const CASES: { shape: Shape; tokens: number }[] = [
  { shape: { nHeads: 14, nKvHeads: 2, headDim: 64, blockSize: 16 }, tokens: 301 },
  { shape: { nHeads: 5, nKvHeads: 1, headDim: 24, blockSize: 16 }, tokens: 45 },  // a partial vector of d
  { shape: { nHeads: 4, nKvHeads: 2, headDim: 80, blockSize: 6 }, tokens: 37 },   // runs shorter than a block
  { shape: { nHeads: 2, nKvHeads: 2, headDim: 2, blockSize: 2 }, tokens: 9 },
];

test('attention over a half cache equals attention over the same values in F32, at every level and precision, prefill and decode', () => {
  const rng = new Rng(78);
  for (const { shape, tokens } of CASES) {
    const { seq, numBlocks, blockTable, prefill, decode } = promptCase(rng, shape, tokens, 2);
    const variants: { type: HalfType; precision: AttentionPrecision; round: (x: Float32Array) => Float32Array }[] = [
      { type: 'bf16', precision: 'bf16', round: rounded },
      { type: 'f16', precision: 'f32', round: roundedF16 },
      { type: 'f16', precision: 'bf16', round: roundedF16 },
    ];
    for (const { type, precision, round } of variants) {
      const halfCache = halfPagedCache(type, seq, shape, blockTable, numBlocks);
      const f32Cache = pagedCache({ ...seq, k: round(seq.k), v: round(seq.v) }, shape, blockTable, numBlocks);
      const common = { scale: 1 / Math.sqrt(shape.headDim), precision, ...shape };
      forEachLevel((level) => {
        const what = `${type} cache, ${precision}, d=${shape.headDim} heads=${shape.nHeads}/${shape.nKvHeads} ` +
          `block=${shape.blockSize} ${level}`;
        for (const [name, plan] of [['prefill', prefill], ['decode', decode]] as const) {
          const got = run({ ...common, ...halfCache, ...plan });
          assert.ok(got.every(Number.isFinite), `${name} ${what}: a NaN slot was read`);
          assertIdentical(got, run({ ...common, ...f32Cache, ...plan }), `${name} ${what}`);
        }
      });
    }
  }
});

test('a bf16 cache is refused at precision f32 and with an odd block or head size; cache types must match the arrays', () => {
  const shape = { nHeads: 2, nKvHeads: 1, headDim: 8, blockSize: 4 };
  const base = { q: new Float32Array(16), out: new Float32Array(16), kCache: new Uint16Array(32), vCache: new Uint16Array(32),
    qPositions: Int32Array.of(0), tiles: Int32Array.of(0, 1, 0, 1), keyBlocks: Int32Array.of(0, 0, 1, 1), scale: 1,
    precision: 'bf16' as const, kvType: 'bf16' as const, ...shape };
  assert.doesNotThrow(() => attention(base));
  // the same 16 bits read as the other half type would be wrong numbers: the type must be said
  assert.throws(() => attention({ ...base, kvType: undefined }), /attention: a Uint16Array cache needs kvType 'bf16' or 'f16'/);
  assert.throws(() => kvWrite(new Uint16Array(32), new Uint16Array(32), new Float32Array(8), new Float32Array(8),
    Int32Array.of(0), 1, 8), /kvWrite: a Uint16Array cache needs kvType 'bf16' or 'f16'/);
  assert.doesNotThrow(() => attention({ ...base, precision: 'f32', kvType: 'f16' }));
  assert.throws(() => attention({ ...base, precision: 'f32' }), /a bf16 cache needs precision 'bf16'/);
  assert.throws(() => attention({ ...base, q: new Float32Array(14), out: new Float32Array(14), kCache: new Uint16Array(28),
    vCache: new Uint16Array(28), headDim: 7 }), /a bf16 cache needs an even blockSize and headDim, got 4 and 7/);
  assert.throws(() => attention({ ...base, kCache: new Uint16Array(24), vCache: new Uint16Array(24), blockSize: 3 }),
    /a bf16 cache needs an even blockSize and headDim, got 3 and 8/);
  assert.throws(() => attention({ ...base, vCache: new Float32Array(32) }), /vCache must be a Uint16Array/);
  assert.throws(() => attention({ ...base, kvType: 'f32' }), /kvType f32 takes Float32Array caches, not Uint16Arrays/);
  assert.throws(() => attention({ ...base, kvType: 'q8' as never }), /kvType q8 is not one of f32, bf16, f16/);
  assert.throws(() => attention({ ...base, kCache: new Float32Array(32), vCache: new Float32Array(32), kvType: 'f16' }),
    /kvType f16 takes Uint16Array caches, not Float32Arrays/);
  assert.throws(() => kvWrite(new Uint16Array(24), new Uint16Array(24), new Float32Array(8), new Float32Array(8),
    Int32Array.of(0), 1, 8, 'bf16'), /a bf16 cache holds whole pairs of slots; kCache has 3 slots/);
  assert.doesNotThrow(() => kvWrite(new Uint16Array(24), new Uint16Array(24), new Float32Array(8), new Float32Array(8),
    Int32Array.of(2), 1, 8, 'f16'));
});
