// Each block formula against blocks built from known integers and scales (test-side packers) and
// a few literal blocks computed by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dequantize } from '../../src/formats/quant/dequantize.js';
import { GgmlType } from '../../src/formats/ggmlTypes.js';
import { mulberry32, randomInt } from './support/prng.js';
import * as pack from './support/blockPackers.js';

/** fp16 bit patterns with their exact values */
const HALVES: Array<[bits: number, value: number]> = [
  [0x3c00, 1], [0x3800, 0.5], [0x2c00, 0.0625], [0xb400, -0.25], [0x3e00, 1.5], [0x0001, 2 ** -24], [0x5640, 100],
];
const ints = (rand: () => number, n: number, lo: number, hi: number): number[] =>
  Array.from({ length: n }, () => lo + randomInt(rand, hi - lo + 1));

function expectBlock(type: GgmlType, bytes: Uint8Array, expected: (e: number) => number, n: number, label: string): void {
  const got = dequantize(type, bytes, n);
  for (let e = 0; e < n; e++) assert.equal(got[e], Math.fround(expected(e)), `${label} element ${e}`);
}

test('literal blocks computed by hand', () => {
  // Q8_0, d = 0.5: q 1, -1, 127, -128
  const q8 = new Uint8Array(34);
  q8.set([0x00, 0x38, 0x01, 0xff, 0x7f, 0x80]);
  assert.deepEqual([...dequantize(GgmlType.Q8_0, q8, 32).slice(0, 5)], [0.5, -0.5, 63.5, -64, 0]);
  // Q4_0, d = 1: qs[0] = 0x9f -> element 0 = 15 - 8 = 7, element 16 = 9 - 8 = 1; zero nibbles give -8
  const q4 = new Uint8Array(18);
  q4.set([0x00, 0x3c, 0x9f]);
  const y4 = dequantize(GgmlType.Q4_0, q4, 32);
  assert.deepEqual([y4[0], y4[1], y4[16], y4[17]], [7, -8, 1, -8]);
  // Q5_0, d = 2 (0x4000): qh bit 0 and bit 16 set, qs[0] = 0x21 -> element 0 = (1|16) - 16 = 1, element 16 = (2|16) - 16 = 2
  const q5 = new Uint8Array(22);
  q5.set([0x00, 0x40, 0x01, 0x00, 0x01, 0x00, 0x21]);
  const y5 = dequantize(GgmlType.Q5_0, q5, 32);
  assert.deepEqual([y5[0], y5[16], y5[1]], [2, 4, -32]);
  // Q6_K, d = 1, scales all 1, everything else 0: every element (0 - 32) * 1 = -32
  const q6 = new Uint8Array(210);
  q6.fill(1, 192, 208);
  q6.set([0x00, 0x3c], 208);
  assert.ok(dequantize(GgmlType.Q6_K, q6, 256).every((v) => v === -32));
});

test('32-element blocks: Q4_0, Q4_1, Q5_0, Q5_1, Q8_0', () => {
  const rand = mulberry32(7);
  for (const [dBits, d] of HALVES) {
    for (const [mBits, m] of HALVES) {
      const q4 = ints(rand, 32, 0, 15);
      const q5 = ints(rand, 32, 0, 31);
      const q8 = ints(rand, 32, -128, 127);
      expectBlock(GgmlType.Q4_0, pack.packQ4_0(dBits, q4), (e) => (q4[e]! - 8) * d, 32, 'Q4_0');
      expectBlock(GgmlType.Q4_1, pack.packQ4_1(dBits, mBits, q4), (e) => q4[e]! * d + m, 32, 'Q4_1');
      expectBlock(GgmlType.Q5_0, pack.packQ5_0(dBits, q5), (e) => (q5[e]! - 16) * d, 32, 'Q5_0');
      expectBlock(GgmlType.Q5_1, pack.packQ5_1(dBits, mBits, q5), (e) => q5[e]! * d + m, 32, 'Q5_1');
      expectBlock(GgmlType.Q8_0, pack.packQ8_0(dBits, q8), (e) => q8[e]! * d, 32, 'Q8_0');
    }
  }
});

test('256-element K-quant blocks: Q4_K, Q5_K (scale and min per 32), Q6_K (signed scale per 16)', () => {
  const rand = mulberry32(11);
  for (const [dBits, d] of HALVES) {
    for (const [mBits, dmin] of HALVES.slice(0, 4)) {
      const sc = ints(rand, 8, 0, 63);
      const m = ints(rand, 8, 0, 63);
      const q4 = ints(rand, 256, 0, 15);
      const q5 = ints(rand, 256, 0, 31);
      const q6 = ints(rand, 256, 0, 63);
      const sc6 = ints(rand, 16, -128, 127);
      // sub-block of element e: e >> 5 (32 elements); Q6_K scale: e >> 4 (16 elements)
      expectBlock(GgmlType.Q4_K, pack.packQ4_K(dBits, mBits, sc, m, q4), (e) => d * sc[e >> 5]! * q4[e]! - dmin * m[e >> 5]!, 256, 'Q4_K');
      expectBlock(GgmlType.Q5_K, pack.packQ5_K(dBits, mBits, sc, m, q5), (e) => d * sc[e >> 5]! * q5[e]! - dmin * m[e >> 5]!, 256, 'Q5_K');
      expectBlock(GgmlType.Q6_K, pack.packQ6_K(dBits, sc6, q6), (e) => d * sc6[e >> 4]! * (q6[e]! - 32), 256, 'Q6_K');
    }
  }
});

test('several blocks in a row, unaligned input views, and F32/F16/BF16', () => {
  const a = pack.packQ8_0(0x3c00, Array.from({ length: 32 }, (_, i) => i));
  const b = pack.packQ8_0(0xb400, Array.from({ length: 32 }, (_, i) => -i));
  const buf = new Uint8Array(1 + 68);
  buf.set(a, 1);
  buf.set(b, 35);
  const y = dequantize(GgmlType.Q8_0, buf.subarray(1), 64);
  assert.deepEqual([y[5], y[31], y[32 + 5], y[63]], [5, 31, 1.25, 7.75]);

  const raw = new Uint8Array(1 + 8);
  new DataView(raw.buffer).setFloat32(1, -1.5, true);
  new DataView(raw.buffer).setFloat32(5, 3e-40, true); // subnormal float32 stays as is
  assert.deepEqual([...dequantize(GgmlType.F32, raw.subarray(1), 2)], [-1.5, Math.fround(3e-40)]);
  assert.deepEqual([...dequantize(GgmlType.F16, Uint8Array.from([0x00, 0x3c, 0x01, 0x80, 0x00, 0x7c]), 3)], [1, -(2 ** -24), Infinity]);
  assert.deepEqual([...dequantize(GgmlType.BF16, Uint8Array.from([0x80, 0x3f, 0x20, 0xc1]), 2)], [1, -10]);
});

test('dequantize refuses sizes that do not fit', () => {
  assert.throws(() => dequantize(GgmlType.Q8_0, new Uint8Array(34), 31), /not a whole number of Q8_0 blocks/);
  assert.throws(() => dequantize(GgmlType.Q8_0, new Uint8Array(33), 32), /need 34 bytes, got 33/);
  assert.throws(() => dequantize(GgmlType.Q8_K, new Uint8Array(292), 256), /unsupported type Q8_K/);
});
