// matmul at precision 'int8' (every block-quantized type: Q8_0, Q4_0, Q5_0, Q4_1, Q5_1, Q4_K, Q5_K,
// Q6_K, Q3_K, IQ4_NL, IQ4_XS, Q2_K weights, 6 or more rows (kInt8GemmMinRows; Q8_0 with panels any):
// activations quantized to int8 per row and 32-element block, integer dot products). Two references:
//   1. float64 math on the SAME quantized activations, quantized here by an independent
//      implementation of the rule (d = amax/127 in F32, q = round-half-even(x * f32(1/d)),
//      clamped to +-127) and on the dequantized weights: the kernel may differ only by F32
//      rounding of the per-block scale product and of the accumulation, 2e-6 of sum |terms|. For
//      types with mins the kernel adds two terms per block (quants times scale, block sum times
//      min) that may cancel, so the tolerance also gets 2e-6 of sum_b d_b sum |q| 2 max|w of the row|
//      (|scale q| and |min| are at most about max |w| when a block holds a zero quant).
//   2. the exact F32 product: activation rounding moves each element by at most d/2, so an output
//      moves by at most sum over blocks of (d_b / 2) * sum |w| in the block (plus the F32 term).
// Every level gives bit-identical results (integer sums are exact, the float steps the same), and
// so do 1 and 2 threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockLayout, GgmlType, ggmlTypeName } from '../../src/formats/ggmlTypes.js';
import { dequantize } from '../../src/formats/quant/dequantize.js';
import { addon } from '../../src/kernels/addon.js';
import { defaultPrecision, INTERLEAVED_TYPES, matmul, Weight } from '../../src/kernels/native.js';
import { assertIdentical } from './support/close.js';
import { BLOCK, checkInt8EveryLevel, int8Expected } from './support/int8Reference.js';
import { atLevel, LEVELS } from './support/levels.js';
import { modelPrecision } from '../../src/model/weights.js';
import { randomWeightBytes, Rng } from './support/random.js';

const MIN_TYPES = new Set([GgmlType.Q4_1, GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q2_K]);

const TYPES = [GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q5_0, GgmlType.Q4_1, GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q5_K,
  GgmlType.Q6_K, GgmlType.Q3_K, GgmlType.IQ4_NL, GgmlType.IQ4_XS, GgmlType.Q2_K];
/** Bytes of one int8-panel record (32 columns x 32 elements), from common/int8_panels.h. */
const recordBytes = (type: GgmlType): number =>
  (type === GgmlType.Q6_K || type === GgmlType.Q3_K ? 1536 : type === GgmlType.Q2_K ? 1664 : MIN_TYPES.has(type) ? 1408 : 1280);
const SHAPES = [
  { m: 6, n: 32, k: 256 },    // the fewest rows the int8 GEMM takes (kInt8GemmMinRows)
  { m: 8, n: 32, k: 256 },
  { m: 13, n: 37, k: 512 },   // odd rows and columns, 16 K blocks
  { m: 31, n: 70, k: 288 },   // 9 K blocks (32-element types only)
  { m: 9, n: 33, k: 8448 },   // 264 K blocks: two K runs (kInt8MaxRunBlocks = 256), C kept in out between them
];

for (const type of TYPES) {
  test(`matmul int8 ${ggmlTypeName(type)}: quantized-activation and exact references, every level, 1 and 2 threads, ` +
    'stored panels and records packed on the fly alike', () => {
    const rng = new Rng(4100 + type);
    for (const { m, n, k } of SHAPES) {
      if (k % blockLayout(type)!.blockElements !== 0) continue;
      const bytes = randomWeightBytes(rng, type, n, k);
      const dense = dequantize(type, bytes, n * k);
      const w = Weight.create(type, n, k, bytes, { precision: 'int8', int8Layout: 'panels' });
      assert.equal(w.packedBytes, Math.ceil(n / 32) * (k / 32) * recordBytes(type), 'packedBytes');
      const x = rng.floats(m * k, 2);
      x[5] = 0;
      x.fill(0, k, k + BLOCK);  // an all-zero block (scale 0)
      const bias = rng.floats(n);
      const ref = int8Expected(x, m, dense, n, k, bias, MIN_TYPES.has(type));
      const label = `${ggmlTypeName(type)} ${m}x${n}x${k}`;
      const stored = checkInt8EveryLevel(x, m, w, bias, ref, label);
      // without stored panels (the default for all but Q8_0) the GEMM packs each K run's records itself
      // (kernels/int8_records.h), the same bytes as the stored panels (common/int8_panels.cc), so the same bits
      const unpacked = Weight.create(type, n, k, bytes,
        { precision: 'int8', pack: type === GgmlType.Q8_0 ? false : undefined, int8Layout: 'blocks' });
      assert.equal(unpacked.packedBytes, 0);
      assertIdentical(checkInt8EveryLevel(x, m, unpacked, bias, ref, `${label} unpacked`), stored, `${label} unpacked vs stored`);
      if (!INTERLEAVED_TYPES.has(type)) continue;
      // interleaved blocks: the GEMM packs the same records from them (kernels/interleaved_records.h)
      const interleaved = Weight.create(type, n, k, bytes, { precision: 'int8', int8Layout: 'interleaved' });
      assert.equal(interleaved.packedBytes, Math.ceil(n / 8) * 8 * (k / blockLayout(type)!.blockElements) * blockLayout(type)!.blockBytes,
        'interleaved bytes');
      assert.equal(interleaved.matmulReadsOnlyPanels, true);
      assertIdentical(checkInt8EveryLevel(x, m, interleaved, bias, ref, `${label} interleaved`), stored, `${label} interleaved vs stored`);
    }
  });
}

test('matmul int8: quants at their extremes against the largest activations (the int16 pair sums of the avx2 tile at their bound)', () => {
  // every weight at the type's most negative quant (Q4_K: its largest), every activation quant 127: each int16 lane
  // of the avx2 tile then sums pairs at their bound: Q4_K 8 of 2 * 15 * 127 (int8SumsFitInt16); Q4_0, Q5_0 and
  // Q6_K, whose unsigned activations (127 + 128) meet the signed quants, 8, 4 and 2 of 2 * |q| * 255 = up to 32,640
  // (int8UnsignedXSteps)
  const [m, n, k] = [6, 40, 512];
  const one = 0x3C00;  // f16 1.0
  const blocks: [GgmlType, (block: DataView) => void][] = [
    [GgmlType.Q8_0, (b) => {  // q = -127: far past the int16 bound, so the tile must widen every step
      b.setUint16(0, one, true);
      for (let i = 2; i < 34; i++) b.setInt8(i, -127);
    }],
    [GgmlType.Q4_0, (b) => b.setUint16(0, one, true)],  // nibbles 0: q = -8
    [GgmlType.Q5_0, (b) => b.setUint16(0, one, true)],  // fifth bits and nibbles 0: q = -16
    [GgmlType.Q6_K, (b) => {  // ql, qh 0: q = -32; scales 1
      for (let i = 0; i < 16; i++) b.setInt8(192 + i, 1);
      b.setUint16(208, one, true);
    }],
    [GgmlType.Q4_K, (b) => {  // nibbles 15, scales 63, dmin 0
      b.setUint16(0, one, true);
      for (let i = 0; i < 12; i++) b.setUint8(4 + i, 0x3F);
      for (let i = 16; i < 144; i++) b.setUint8(i, 0xFF);
    }],
    [GgmlType.Q2_K, (b) => {  // quants 3 and scales 15: record quants 45, so the tile must widen every step; mins 15
      for (let i = 0; i < 80; i++) b.setUint8(i, 0xFF);
      b.setUint16(80, one, true);
      b.setUint16(82, one, true);
    }],
  ];
  for (const [type, fill] of blocks) {
    const layout = blockLayout(type)!;
    const bytes = new Uint8Array(n * k / layout.blockElements * layout.blockBytes);
    for (let off = 0; off < bytes.length; off += layout.blockBytes) fill(new DataView(bytes.buffer, off, layout.blockBytes));
    const x = new Float32Array(m * k).fill(1);
    const bias = new Float32Array(n);
    const ref = int8Expected(x, m, dequantize(type, bytes, n * k), n, k, bias, MIN_TYPES.has(type));
    for (const int8Layout of ['blocks', 'interleaved'] as const) {
      const w = Weight.create(type, n, k, bytes, { precision: 'int8', int8Layout });
      if (int8Layout === 'blocks' || INTERLEAVED_TYPES.has(type)) checkInt8EveryLevel(x, m, w, bias, ref, `${ggmlTypeName(type)} extremes ${int8Layout}`);
    }
  }
});

test('matmul int8: fewer than 6 rows of Q5_1 on its blocks (no int8 GEMV there; the others: gemvInt8.test.ts), and float weights, compute exactly as at f32', () => {
  const rng = new Rng(4200);
  const k = 256, n = 40;
  for (const type of [GgmlType.Q5_1, GgmlType.F32, GgmlType.F16]) {
    const bytes = randomWeightBytes(rng, type, n, k);
    const int8 = Weight.create(type, n, k, bytes, { precision: 'int8', int8Layout: type === GgmlType.Q5_1 ? 'blocks' : undefined });
    const exact = Weight.create(type, n, k, bytes, { precision: 'f32' });
    if (type !== GgmlType.Q5_1) assert.equal(int8.packedBytes, exact.packedBytes, 'float weights: the f32 panels');
    for (const m of type === GgmlType.Q5_1 ? [1, 5] : [3, 12]) {
      const x = rng.floats(m * k);
      const a = new Float32Array(m * n), b = new Float32Array(m * n);
      matmul(x, m, int8, a);
      matmul(x, m, exact, b);
      assertIdentical(a, b, `${ggmlTypeName(type)} m=${m}`);
    }
  }
});

test('matmul int8: FASTFILL_PRECISION=int8 selects it', () => {
  const rng = new Rng(4300);
  const k = 64, n = 33;
  const bytes = randomWeightBytes(rng, GgmlType.Q4_0, n, k);
  const saved = process.env.FASTFILL_PRECISION;
  try {
    process.env.FASTFILL_PRECISION = 'int8';
    assert.equal(defaultPrecision(), 'int8');
    assert.equal(Weight.create(GgmlType.Q4_0, n, k, bytes).precision, 'int8');
  } finally {
    if (saved === undefined) delete process.env.FASTFILL_PRECISION;
    else process.env.FASTFILL_PRECISION = saved;
  }
});

test('the model loader takes int8 wherever the int8 kernels are vector code, f32 at the scalar level', () => {
  const saved = process.env.FASTFILL_PRECISION;
  try {
    delete process.env.FASTFILL_PRECISION;
    for (const level of LEVELS) {
      atLevel(level, () => assert.equal(modelPrecision(), level === 'scalar' ? 'f32' : 'int8', level));
    }
    process.env.FASTFILL_PRECISION = 'int8';
    atLevel('scalar', () => assert.equal(modelPrecision(), 'int8', 'FASTFILL_PRECISION overrides'));
  } finally {
    if (saved === undefined) delete process.env.FASTFILL_PRECISION;
    else process.env.FASTFILL_PRECISION = saved;
  }
});

test('matmul int8: the native layer checks int8 panels and the precision code', () => {
  const native = addon();
  const x = new Float32Array(8 * 32), out = new Float32Array(8);
  const data = new Uint8Array(34);  // one Q8_0 row of 32
  assert.throws(() => native.matmul(x, 8, data, GgmlType.Q8_0, 1, 32, out, null, new Uint8Array(1024), 2),
    /matmul: panels has 1024 bytes, expected 1280/);
  assert.throws(() => native.matmul(x, 8, data, GgmlType.Q8_0, 1, 32, out, null, null, 3), /precision must be an integer in \[0, 2\]/);
  assert.equal(native.panelBytes(GgmlType.Q8_0, 1, 32, 2), 1280);
});

test('matmul int8: the native layer checks the interleaved layout (INTERLEAVED_TYPES at int8 only, its exact size)', () => {
  const native = addon();
  const x = new Float32Array(2 * 64), out = new Float32Array(2 * 9);
  const data = new Uint8Array(9 * 36);  // 9 Q4_0 rows of 64
  assert.equal(native.panelBytes(GgmlType.Q4_0, 9, 64, 2, 1), 2 * 2 * 144);
  assert.equal(native.panelBytes(GgmlType.Q8_0, 9, 64, 2, 1), 2 * 2 * 272);
  assert.equal(native.panelBytes(GgmlType.Q5_0, 9, 64, 2, 1), 2 * 2 * 176);
  assert.equal(native.panelBytes(GgmlType.Q4_K, 9, 512, 2, 1), 2 * 2 * 1152);
  assert.equal(native.panelBytes(GgmlType.Q6_K, 9, 512, 2, 1), 2 * 2 * 1680);
  assert.equal(native.panelBytes(GgmlType.Q5_K, 9, 512, 2, 1), 2 * 2 * 1408);
  assert.equal(native.panelBytes(GgmlType.Q4_1, 9, 64, 2, 1), 2 * 2 * 160);
  assert.equal(native.panelBytes(GgmlType.Q5_1, 9, 64, 2, 1), 2 * 2 * 192);
  assert.throws(() => native.panelBytes(GgmlType.F16, 9, 64, 2, 1), /has no interleaved layout/);
  assert.throws(() => native.panelBytes(GgmlType.Q4_0, 9, 64, 0, 1), /has no interleaved layout/);
  assert.throws(() => native.matmul(x, 2, data, GgmlType.Q4_0, 9, 64, out, null, new Uint8Array(575), 2, null, 1),
    /matmul: panels has 575 bytes, expected 576/);
  assert.throws(() => native.matmul(x, 2, data, GgmlType.Q4_0, 9, 64, out, null, new Uint8Array(576), 2, null, 2),
    /layout must be an integer in \[0, 1\]/);
  assert.throws(() => Weight.create(GgmlType.Q4_0, 9, 64, data, { precision: 'int8', int8Layout: 'interleave' as never }),
    /options.int8Layout must be one of interleaved, blocks, panels, got interleave/);
  const q41 = Weight.create(GgmlType.Q4_1, 9, 64, new Uint8Array(9 * 40), { precision: 'int8', int8Layout: 'interleaved' });
  assert.equal(q41.layout, 'interleaved');
  assert.equal(q41.packedBytes, 2 * 2 * 160);
  assert.equal(Weight.create(GgmlType.Q4_0, 9, 64, data, { precision: 'f32', int8Layout: 'interleaved' }).layout, 'panels');
});
