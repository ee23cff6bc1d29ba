// The int8-precision GEMV (native/src/kernels/gemv_int8.h): 1..7 rows of x, Q8_0 / Q4_0 weights
// with int8 panels. Activations are quantized per row and 32-element block (d = amax/127 in F32,
// q = round-half-even(x * f32(1/d)) clamped to +-127), quantized again here independently. Checks:
//   1. float64 math on those quantized activations and the dequantized weights: the kernel may
//      differ only by F32 rounding of the scale products and of the accumulation, 2e-6 of sum |terms|;
//   2. the exact product: activation rounding moves an output by at most sum_b (d_b / 2) sum |w|;
//   3. every level and 1 / 2 threads give bit-identical results;
//   4. precision 'f32', pack: false and the other block types still compute exactly as at f32.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GgmlType, ggmlTypeName } from '../../src/formats/ggmlTypes.js';
import { dequantize } from '../../src/formats/quant/dequantize.js';
import { cpuInfo, matmul, setThreads, Weight } from '../../src/kernels/native.js';
import { assertClose, assertIdentical } from './support/close.js';
import { forEachLevel } from './support/levels.js';
import { randomWeightBytes, Rng } from './support/random.js';

const BLOCK = 32;
const f32 = Math.fround;

function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

interface Reference {
  quantized: Float64Array;  // on the quantized activations
  magnitude: Float64Array;  // sum of |terms| of that sum
  exact: Float64Array;      // on x itself
  bound: Float64Array;      // allowed |out - exact|
}

function reference(x: Float32Array, m: number, w: Float32Array, n: number, k: number, bias: Float32Array): Reference {
  const blocks = k / BLOCK;
  const q = new Int8Array(m * k), d = new Float32Array(m * blocks);
  for (let b = 0; b < m * blocks; b++) {
    let amax = 0;
    for (let e = 0; e < BLOCK; e++) amax = Math.max(amax, Math.abs(x[b * BLOCK + e]!));
    d[b] = f32(amax / 127);
    const inverse = d[b] !== 0 ? f32(1 / d[b]!) : 0;
    for (let e = 0; e < BLOCK; e++) q[b * BLOCK + e] = Math.max(-127, Math.min(127, roundHalfEven(f32(x[b * BLOCK + e]! * inverse))));
  }
  const r: Reference = { quantized: new Float64Array(m * n), magnitude: new Float64Array(m * n),
    exact: new Float64Array(m * n), bound: new Float64Array(m * n) };
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sq = bias[j]!, mag = Math.abs(sq), se = sq, exactMag = mag, rounding = 0;
      for (let b = 0; b < blocks; b++) {
        const xd = d[i * blocks + b]!;
        let dot = 0, dotAbs = 0, wAbs = 0;
        for (let e = b * BLOCK; e < (b + 1) * BLOCK; e++) {
          const wv = w[j * k + e]!;
          dot += q[i * k + e]! * wv;
          dotAbs += Math.abs(q[i * k + e]! * wv);
          wAbs += Math.abs(wv);
          se += x[i * k + e]! * wv;
          exactMag += Math.abs(x[i * k + e]! * wv);
        }
        sq += xd * dot;
        mag += xd * dotAbs;
        rounding += (xd / 2) * wAbs;
      }
      r.quantized[i * n + j] = sq;
      r.magnitude[i * n + j] = mag;
      r.exact[i * n + j] = se;
      r.bound[i * n + j] = rounding * (1 + 1e-6) + 2e-6 * (mag + exactMag);
    }
  }
  return r;
}

const SHAPES = [
  { m: 1, n: 37, k: 32 },     // one block, N not a multiple of 16
  { m: 1, n: 70, k: 288 },    // 9 blocks: an odd block count
  { m: 3, n: 33, k: 96 },
  { m: 7, n: 17, k: 256 },    // the most rows per pass
  { m: 2, n: 1000, k: 96 },   // Q8_0: more than one 64 KiB work item
  { m: 5, n: 2100, k: 64 },   // Q4_0 too
];

for (const type of [GgmlType.Q8_0, GgmlType.Q4_0]) {
  test(`gemv int8 ${ggmlTypeName(type)}: quantized-activation and exact references, every level, 1 and 2 threads`, () => {
    const rng = new Rng(5100 + type);
    for (const { m, n, k } of SHAPES) {
      const bytes = randomWeightBytes(rng, type, n, k);
      const dense = dequantize(type, bytes, n * k);
      const w = Weight.create(type, n, k, bytes, { precision: 'int8' });
      const x = rng.floats(m * k, 3);
      x[1] = 0;
      if (k >= 2 * BLOCK) x.fill(0, BLOCK, 2 * BLOCK);  // an all-zero block (scale 0)
      const bias = rng.floats(n);
      const ref = reference(x, m, dense, n, k, bias);
      let first: Float32Array | null = null;
      forEachLevel((level) => {
        for (const threads of [1, 2]) {
          setThreads(threads);
          const out = new Float32Array(m * n);
          matmul(x, m, w, out, bias);
          const what = `${ggmlTypeName(type)} ${m}x${n}x${k} ${level} threads=${threads}`;
          assertClose(out, ref.quantized, (i) => 2e-6 * ref.magnitude[i]! + 1e-30, `${what} vs quantized reference`);
          assertClose(out, ref.exact, (i) => ref.bound[i]!, `${what} vs exact`);
          if (first === null) first = out;
          else assertIdentical(out, first, `${what} vs the first level/thread count`);
        }
      });
      setThreads(cpuInfo().threads);
    }
  });
}

test('gemv int8: without bias, and the int8 result is not the F32 one (the path really runs)', () => {
  const rng = new Rng(5200);
  const [m, n, k] = [1, 48, 128];
  for (const type of [GgmlType.Q8_0, GgmlType.Q4_0]) {
    const bytes = randomWeightBytes(rng, type, n, k);
    const x = rng.floats(m * k);
    const r = reference(x, m, dequantize(type, bytes, n * k), n, k, new Float32Array(n));
    const int8 = new Float32Array(m * n), exact = new Float32Array(m * n);
    matmul(x, m, Weight.create(type, n, k, bytes, { precision: 'int8' }), int8);
    matmul(x, m, Weight.create(type, n, k, bytes, { precision: 'f32' }), exact);
    assertClose(int8, r.quantized, (i) => 2e-6 * r.magnitude[i]! + 1e-30, `${ggmlTypeName(type)} int8 vs quantized reference`);
    assertClose(exact, r.exact, (i) => 2e-6 * r.magnitude[i]! + 1e-6 * Math.abs(r.exact[i]!), `${ggmlTypeName(type)} f32 vs exact`);
    assert.ok(int8.some((v, i) => v !== exact[i]), `${ggmlTypeName(type)}: int8 and f32 outputs are all equal`);
  }
});

test('gemv int8: f32 precision, pack: false and the other block types compute exactly as at f32', () => {
  const rng = new Rng(5300);
  const [n, k] = [40, 256];
  const cases: [GgmlType, boolean][] = [[GgmlType.Q8_0, false], [GgmlType.Q4_0, false], [GgmlType.Q5_0, true],
    [GgmlType.Q4_K, true], [GgmlType.Q6_K, true]];
  for (const [type, pack] of cases) {
    const bytes = randomWeightBytes(rng, type, n, k);
    const int8 = Weight.create(type, n, k, bytes, { precision: 'int8', pack });
    const exact = Weight.create(type, n, k, bytes, { precision: 'f32' });
    for (const m of [1, 7]) {
      const x = rng.floats(m * k);
      const a = new Float32Array(m * n), b = new Float32Array(m * n);
      matmul(x, m, int8, a);
      matmul(x, m, exact, b);
      assertIdentical(a, b, `${ggmlTypeName(type)} pack=${pack} m=${m}`);
    }
  }
});
