// matmul at precision 'bf16' for every weight type and dispatch level. The reference is float64
// math on bf16-rounded inputs (src/formats/quant/halfFloat.ts rounds to nearest even, as ggml):
// products of two bf16 values are exact in F32, so the kernels may differ from it only by F32
// accumulation, the same 2e-6 of sum |x w| as the exact path. What gets rounded:
//   8 or more rows of x: weights and activations (vdpbf16ps at avx512bf16, FMAs elsewhere);
//   fewer rows: F32/F16/BF16 weights (read from bf16 panels), activations stay F32;
//   fewer rows of block-quantized weights: nothing (the exact F32 GEMV; packed Q8_0 too: its bf16 pair
//   panels are read by the GEMM only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockLayout, GgmlType, ggmlTypeName } from '../../src/formats/ggmlTypes.js';
import { bf16ToF32, f32ToBf16 } from '../../src/formats/quant/halfFloat.js';
import { dequantize } from '../../src/formats/quant/dequantize.js';
import { cpuInfo, matmul, PANEL_TYPES, setThreads, Weight } from '../../src/kernels/native.js';
import { assertClose, assertIdentical } from './support/close.js';
import { forEachLevel } from './support/levels.js';
import { float64Matmul, type Float64Reference } from './support/float64Reference.js';
import { randomWeightBytes, Rng } from './support/random.js';

const ACCUMULATION_REL = 2e-6;
const bf16 = (v: number): number => bf16ToF32(f32ToBf16(v));

function reference(x: Float32Array, m: number, w: Float32Array, n: number, k: number, roundX: boolean, roundW: boolean,
  bias?: Float32Array): Float64Reference {
  return float64Matmul(roundX ? x.map(bf16) : x, m, roundW ? w.map(bf16) : w, n, k, bias);
}

const TYPES = [GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q5_1, GgmlType.Q4_K,
  GgmlType.Q6_K];

for (const type of TYPES) {
  test(`matmul bf16 ${ggmlTypeName(type)}: bf16-rounded reference at every level, packed and unpacked`, () => {
    const rng = new Rng(3000 + type);
    const block = blockLayout(type)!.blockElements;
    const k = block === 256 ? 512 : block === 32 ? 288 : 301;  // more than one K block; odd for float types
    const n = 37;
    const bytes = randomWeightBytes(rng, type, n, k);
    const dense = dequantize(type, bytes, n * k);
    const bias = rng.floats(n);
    for (const pack of PANEL_TYPES.has(type) || type === GgmlType.Q8_0 ? [true, false] : [true]) {
      const w = Weight.create(type, n, k, bytes, { precision: 'bf16', pack });
      for (const m of [1, 5, 8, 15, 30]) {
        const manyRows = m >= 8;
        const roundW = manyRows || (PANEL_TYPES.has(type) && pack);
        const x = rng.floats(m * k);
        const r = reference(x, m, dense, n, k, manyRows, roundW, m === 15 ? bias : undefined);
        forEachLevel((level) => {
          const out = new Float32Array(m * n).fill(NaN);
          matmul(x, m, w, out, m === 15 ? bias : undefined);
          assertClose(out, r.want, (i) => ACCUMULATION_REL * r.magnitude[i]! + 1e-30,
            `${ggmlTypeName(type)} bf16 M=${m} K=${k} pack=${pack} ${level}`);
        });
      }
    }
  });
}

test('matmul bf16: error against exact F32 math is what bf16 rounding gives (about 2^-8 of sum |x w|)', () => {
  const rng = new Rng(31);
  const [m, n, k] = [16, 40, 512];
  const bytes = randomWeightBytes(rng, GgmlType.F32, n, k);
  const dense = dequantize(GgmlType.F32, bytes, n * k);
  const x = rng.floats(m * k);
  const exact = reference(x, m, dense, n, k, false, false);
  const out = new Float32Array(m * n);
  matmul(x, m, Weight.create(GgmlType.F32, n, k, bytes, { precision: 'bf16' }), out);
  let worst = 0;
  for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i]! - exact.want[i]!) / exact.magnitude[i]!);
  // Two roundings of relative error <= 2^-9 each per product; random signs make the sum far smaller.
  assert.ok(worst < 2 ** -8, `worst error ${worst} of sum |x w|`);
  assert.ok(worst > 1e-5, `worst error ${worst}: the bf16 path should not be exact`);
});

test('matmul bf16: identical results with 1 and 2 threads; panels cost 2 bytes per weight', () => {
  const rng = new Rng(32);
  const threads = cpuInfo().threads;
  const [m, n, k] = [40, 70, 301];
  const w = Weight.create(GgmlType.F16, n, k, randomWeightBytes(rng, GgmlType.F16, n, k), { precision: 'bf16' });
  assert.equal(w.packedBytes, 3 * 151 * 32 * 4);  // 3 panels of 32 rows, 151 pairs, 2 bf16 per pair
  assert.equal(w.precision, 'bf16');
  const x = rng.floats(m * k);
  try {
    forEachLevel((level) => {
      const one = new Float32Array(m * n);
      const two = new Float32Array(m * n);
      setThreads(1);
      matmul(x, m, w, one);
      setThreads(2);
      matmul(x, m, w, two);
      assertIdentical(one, two, `bf16 ${level} 1 vs 2 threads`);
    });
  } finally {
    setThreads(threads);
  }
});

test('matmul bf16: Q8_0 packed into bf16 pair panels gives the bits of Q8_0 decoded tile by tile', () => {
  const rng = new Rng(33);
  const [n, k] = [45, 320];
  const bytes = randomWeightBytes(rng, GgmlType.Q8_0, n, k);
  const packed = Weight.create(GgmlType.Q8_0, n, k, bytes, { precision: 'bf16' });
  const unpacked = Weight.create(GgmlType.Q8_0, n, k, bytes, { precision: 'bf16', pack: false });
  assert.equal(packed.packedBytes, 2 * 160 * 32 * 4);  // 2 panels of 32 rows, 160 pairs, 2 bf16 per pair
  assert.equal(unpacked.packedBytes, 0);
  assert.equal(packed.matmulReadsOnlyPanels, false, 'decode rows read the blocks');
  for (const m of [1, 7, 8, 33]) {
    const x = rng.floats(m * k);
    forEachLevel((level) => {
      const a = new Float32Array(m * n);
      const b = new Float32Array(m * n);
      matmul(x, m, packed, a);
      matmul(x, m, unpacked, b);
      assertIdentical(a, b, `Q8_0 bf16 M=${m} packed vs unpacked ${level}`);
    });
  }
});

test('precision: option checks and the FASTFILL_PRECISION default', () => {
  const bytes = new Uint8Array(2 * 8 * 2);
  assert.throws(() => Weight.create(GgmlType.F16, 2, 8, bytes, { precision: 'fp8' as never }),
    /options.precision must be one of f32, bf16, int8, got fp8/);
  const saved = process.env.FASTFILL_PRECISION;
  try {
    process.env.FASTFILL_PRECISION = 'bf16';
    assert.equal(Weight.create(GgmlType.F16, 2, 8, bytes).precision, 'bf16');
    process.env.FASTFILL_PRECISION = 'half';
    assert.throws(() => Weight.create(GgmlType.F16, 2, 8, bytes), /FASTFILL_PRECISION=half is not one of f32, bf16, int8/);
    delete process.env.FASTFILL_PRECISION;
    assert.equal(Weight.create(GgmlType.F16, 2, 8, bytes).precision, 'f32');
  } finally {
    if (saved === undefined) delete process.env.FASTFILL_PRECISION;
    else process.env.FASTFILL_PRECISION = saved;
  }
});
