// Bad arguments get a clear error from the TypeScript boundary, and the native layer refuses
// them on its own too (no crash, no out-of-bounds access) when called directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GgmlType } from '../../src/formats/ggmlTypes.js';
import { addon } from '../../src/kernels/addon.js';
import { PanelArena } from '../../src/kernels/panelArena.js';
import {
  add, addBias, attention, getRows, kvWrite, matmul, rmsNorm, rope, siluMul, Weight, type AttentionArgs,
} from '../../src/kernels/native.js';

const f32 = (n: number) => new Float32Array(n);
const i32 = (...v: number[]) => Int32Array.from(v);

test('Weight.create checks type, shape and byte length', () => {
  assert.throws(() => Weight.create(GgmlType.Q8_1, 1, 32, new Uint8Array(36)), /Q8_1 is not a type the kernels compute with/);
  assert.throws(() => Weight.create(GgmlType.Q4_0, 2, 48, new Uint8Array(54)), /cols 48 is not a multiple of the Q4_0 block size 32/);
  assert.throws(() => Weight.create(GgmlType.Q4_K, 2, 256, new Uint8Array(100)), /data has 100 bytes, expected 2 rows of 144 bytes/);
  assert.throws(() => Weight.create(GgmlType.F32, -1, 4, new Uint8Array(0)), /rows must be an integer/);
  assert.throws(() => Weight.create(GgmlType.F32, 1, 4, new Float32Array(4) as never), /data must be a Uint8Array/);
});

test('matmul and getRows check lengths, ids and overlap', () => {
  const w = Weight.create(GgmlType.F32, 3, 4, new Uint8Array(48));
  assert.throws(() => matmul(f32(7), 2, w, f32(6)), /matmul: x has 7 elements, expected m\*cols = 2\*4 = 8/);
  assert.throws(() => matmul(f32(8), 2, w, f32(5)), /matmul: out has 5 elements/);
  assert.throws(() => matmul(f32(8), 2, w, f32(6), f32(2)), /matmul: bias has 2 elements/);
  assert.throws(() => matmul(new Float64Array(8) as never, 2, w, f32(6)), /matmul: x must be a Float32Array/);
  const shared = f32(12);
  assert.throws(() => matmul(shared.subarray(0, 8), 2, w, shared.subarray(6)), /matmul: out overlaps x/);
  assert.throws(() => matmul(f32(8), 2, {} as Weight, f32(6)), /matmul: w must be a Weight/);
  assert.throws(() => getRows(w, i32(0, 3), f32(8)), /getRows: ids\[1\] = 3 is outside \[0, 3\)/);
  assert.throws(() => getRows(w, i32(-1), f32(4)), /ids\[0\] = -1/);
  assert.throws(() => getRows(w, i32(0), f32(3)), /getRows: out has 3 elements/);
});

test('norm, rope and element-wise kernels check their arguments', () => {
  assert.throws(() => rmsNorm(f32(6), 2, 3, f32(2), 1e-5, f32(6)), /rmsNorm: weight has 2 elements, expected cols = 3/);
  assert.throws(() => rmsNorm(f32(6), 2, 3, f32(3), -1, f32(6)), /eps must be >= 0/);
  const x = f32(12);
  assert.throws(() => rmsNorm(x.subarray(0, 6), 2, 3, f32(3), 1e-5, x.subarray(3, 9)), /out overlaps x \(only exactly the same range/);
  assert.throws(() => rope(f32(16), 1, 2, 8, 7, i32(0), 1e4, false), /ropeDim must be even and <= headDim 8, got 7/);
  assert.throws(() => rope(f32(16), 1, 2, 8, 10, i32(0), 1e4, false), /ropeDim must be even and <= headDim/);
  assert.throws(() => rope(f32(16), 2, 2, 8, 8, i32(0), 1e4, false), /rope: x has 16 elements, expected tokens\*heads\*headDim = 2\*2\*8 = 32/);
  assert.throws(() => rope(f32(16), 1, 2, 8, 8, i32(0), 1e4, false, f32(3)), /freqFactors has 3 elements, expected ropeDim\/2 = 4/);
  assert.throws(() => rope(f32(16), 1, 2, 8, 8, i32(0), 1e4, false, new Float32Array([1, 0, 1, 1])), /freqFactors\[1\] = 0/);
  assert.throws(() => rope(f32(16), 1, 2, 8, 8, i32(0), -5, false), /freqBase must be > 0/);
  assert.throws(() => siluMul(f32(4), f32(5), f32(4)), /siluMul: up has 5 elements, expected gate.length = 4/);
  assert.throws(() => add(f32(4), f32(4), new Int32Array(4) as never), /add: out must be a Float32Array/);
  assert.throws(() => addBias(f32(6), 2, 3, f32(2)), /addBias: bias has 2 elements/);
});

function attentionArgs(): AttentionArgs {
  // 2 heads / 1 kv head, headDim 4, blockSize 2, 3 blocks; 3 queries in 2 tiles
  return {
    q: f32(3 * 2 * 4), out: f32(3 * 2 * 4), kCache: f32(3 * 2 * 4), vCache: f32(3 * 2 * 4),
    qPositions: i32(0, 1, 2), tiles: i32(0, 2, 0, 1, 2, 1, 1, 2), keyBlocks: i32(0, 0, 2, 1, 2, 2, 1, 1, 1, 0, 2, 0),
    nHeads: 2, nKvHeads: 1, headDim: 4, blockSize: 2, scale: 0.5,
  };
}

test('attention: a valid plan runs, and every kind of bad plan is refused', () => {
  attention(attentionArgs());
  const bad = (change: Partial<AttentionArgs>, message: RegExp) =>
    assert.throws(() => attention({ ...attentionArgs(), ...change }), message);
  bad({ keyBlocks: i32(0, 0, 2, 1, 3, 2, 1, 1, 1, 0, 2, 0) }, /entry 1 names physical block 3, the cache has 3/);
  bad({ keyBlocks: i32(0, 0, 3, 1, 2, 2, 1, 1, 1, 0, 2, 0) }, /entry 0 has 3 keys, a block holds 0..2/);
  bad({ keyBlocks: i32(0, -1, 2, 1, 2, 2, 1, 1, 1, 0, 2, 0) }, /entry 0 first key position -1 is out of range/);
  bad({ tiles: i32(0, 2, 0, 1, 1, 2, 1, 2) }, /query 1 is in tiles 0 and 1/);
  bad({ tiles: i32(0, 2, 0, 1) }, /query 2 is in no tile/);
  bad({ tiles: i32(0, 2, 0, 1, 2, 1, 1, 3) }, /tile 1 lists entries \[1, 4\) outside \[0, 3\)/);
  bad({ tiles: i32(0, 2, 0, 1, 2, 2, 1, 1) }, /tile 1 covers queries \[2, 4\) outside \[0, 3\)/);
  bad({ tiles: i32(0, 2, 0) }, /tiles holds 4 ints per tile/);
  bad({ nKvHeads: 3 }, /nHeads 2 is not a multiple of nKvHeads 3/);
  bad({ kCache: f32(20), vCache: f32(20) }, /kCache has 20 elements, not whole blocks of blockSize\*nKvHeads\*headDim = 8/);
  bad({ vCache: f32(16) }, /vCache has 16 elements, expected kCache.length = 24/);
  bad({ qPositions: i32(0, -1, 2) }, /qPositions\[1\] = -1/);
  bad({ q: f32(20) }, /q has 20 elements, expected nQ\*nHeads\*headDim = 3\*2\*4 = 24/);
  const args = attentionArgs();
  bad({ out: args.q, q: args.q }, /attention: out overlaps q/);
  bad({ scale: NaN }, /scale must be a finite number/);
});

test('kvWrite checks slots and shapes', () => {
  assert.throws(() => kvWrite(f32(16), f32(16), f32(8), f32(8), i32(0, 4), 2, 2), /kvWrite: slots\[1\] = 4 is outside \[0, 4\)/);
  assert.throws(() => kvWrite(f32(16), f32(16), f32(8), f32(8), i32(1, 1), 2, 2), /slots contains a slot twice/);
  assert.throws(() => kvWrite(f32(15), f32(15), f32(8), f32(8), i32(0, 1), 2, 2), /kCache has 15 elements, not whole slots/);
  assert.throws(() => kvWrite(f32(16), f32(16), f32(6), f32(8), i32(0, 1), 2, 2), /kvWrite: k has 6 elements/);
});

test('the native layer refuses bad arguments by itself', () => {
  const native = addon();
  assert.throws(() => native.matmul(f32(4), 1, new Uint8Array(10), GgmlType.F32, 3, 4, f32(3), null), /matmul: weight data has 10 bytes, expected 48/);
  assert.throws(() => native.matmul(f32(4), 1, new Uint8Array(48), 99, 3, 4, f32(3), null), /weight type 99 is not a compute type/);
  assert.throws(() => native.matmul(f32(32), 1, new Uint8Array(18), GgmlType.Q4_0, 1, 16, f32(1), null), /cols 16 is not a multiple of the block size 32/);
  assert.throws(() => native.getRows(new Uint8Array(48), GgmlType.F32, 3, 4, i32(5), f32(4)), /getRows: ids\[0\] = 5 is outside \[0, 3\)/);
  assert.throws(() => native.kvWrite(f32(16), f32(16), f32(4), f32(4), i32(9), 2, 2, 0), /kvWrite: slots\[0\] = 9 is outside/);
  const halves = (n: number) => new Uint16Array(n);
  assert.throws(() => native.kvWrite(halves(12), halves(12), f32(4), f32(4), i32(0), 2, 2, 1), /a multiple of 2 \* nKvHeads \* headDim/);
  assert.throws(() => native.kvWrite(halves(16), halves(16), f32(4), f32(4), i32(0), 2, 2, 7), /cacheType .*outside|cacheType/);
  assert.throws(() => native.kvWrite(halves(16), halves(16), f32(4), f32(4), i32(0), 2, 2, undefined as never), /kvWrite: a Uint16Array cache needs its cacheType/);
  assert.throws(() => native.rope(f32(16), 1, 2, 8, 7, i32(0), 1e4, false, null), /rope: ropeDim must be even/);
  const a = attentionArgs();
  const call = (tiles: Int32Array, keyBlocks: Int32Array) => native.attention(a.q, a.out, a.kCache, a.vCache,
    a.qPositions, tiles, keyBlocks, a.nHeads, a.nKvHeads, a.headDim, a.blockSize, a.scale, 0, 0);
  const halfCache = (precision: number, kvType: number) => native.attention(a.q, a.out, halves(a.kCache.length),
    halves(a.kCache.length), a.qPositions, a.tiles, a.keyBlocks, a.nHeads, a.nKvHeads, a.headDim, a.blockSize, a.scale,
    precision, kvType);
  assert.throws(() => halfCache(0, 1), /attention: a bf16 cache needs precision bf16/);
  assert.throws(() => halfCache(0, 3), /cacheType/);
  assert.doesNotThrow(() => halfCache(0, 2));
  assert.doesNotThrow(() => halfCache(1, 1));
  assert.throws(() => native.attention(a.q, a.out, halves(a.kCache.length), halves(a.kCache.length), a.qPositions, a.tiles,
    a.keyBlocks, a.nHeads, a.nKvHeads, a.headDim, a.blockSize, a.scale, 1, undefined as never), /attention: a Uint16Array cache needs its cacheType/);
  assert.throws(() => call(a.tiles, i32(7, 0, 2, 1, 2, 2, 1, 1, 1, 0, 2, 0)), /entry\[0\] physical block 7 outside the cache/);
  assert.throws(() => call(a.tiles, i32(0, 0, 9, 1, 2, 2, 1, 1, 1, 0, 2, 0)), /key count 9 outside \[0, blockSize\]/);
  assert.throws(() => call(i32(0, 3, 0, 1, 2, 1, 1, 2), a.keyBlocks), /query 2 is in two tiles/);
  assert.throws(() => call(i32(0, 2, 0, 99), a.keyBlocks), /key-block list outside the entries/);
  assert.throws(() => call(i32(0, 2, 0, 1), a.keyBlocks), /query 2 is in no tile/);
  assert.throws(() => native.setThreads(0), /setThreads: n must be an integer in \[1, 256\]/);
  assert.throws(() => (native.matmul as (...args: unknown[]) => void)('x', 1), /matmul: type must be an integer/);
  assert.throws(() => native.matmul(f32(4), 1, new Uint8Array(48), GgmlType.F32, 3, 4, f32(3), null, new Uint8Array(48)),
    /matmul: panels has 48 bytes, expected 512/);
  assert.throws(() => native.matmul(f32(32), 1, new Uint8Array(18), GgmlType.Q4_0, 1, 32, f32(1), null, new Uint8Array(64)),
    /weight type 2 has no panels/);
  assert.throws(() => native.matmul(f32(4), 1, new Uint8Array(48), GgmlType.F32, 3, 4, f32(3), null,
    new Uint8Array(new ArrayBuffer(520), 2, 512)), /panels must be 4-byte aligned/);
  const arena = new PanelArena(4096);
  assert.equal(native.panelBytes(GgmlType.F16, 3, 4, 0), 256);
  assert.throws(() => native.packWeight(new Uint8Array(10), GgmlType.F16, 3, 4, 0, arena.take(256)), /packWeight: weight data has 10 bytes, expected 24/);
  assert.throws(() => native.packWeight(new Uint8Array(24), GgmlType.F16, 3, 4, 0, arena.take(512)), /packWeight: dest has 512 bytes, expected 256/);
  assert.throws(() => native.packWeight(new Uint8Array(24), GgmlType.F16, 3, 4, 0, arena.take(264).subarray(8)),
    /dest must be 64-byte aligned/);
  assert.equal(native.panelBytes(GgmlType.Q4_0, 1, 32, 0), 0, 'Q4_0 has no panels at f32 precision');
});
