// Int8 precision with 1..5 rows of x: Q4_0, Q5_0, Q4_K, Q5_K, Q6_K, Q3_K, IQ4_NL, IQ4_XS and Q2_K on the int8 GEMV over their own blocks
// (Q4_1 and Q5_1 only on interleaved blocks)
// (native/src/kernels/gemv_int8.h), Q8_0 on the int8 GEMM over its panels (so its decode rows are
// bit-identical to the same rows of a prefill batch, checked here too). Activations are quantized per row and 32-element block (d = amax/127 in F32,
// q = round-half-even(x * f32(1/d)) clamped to +-127), quantized again here independently. Checks:
//   1. float64 math on those quantized activations and the dequantized weights: the kernel may
//      differ only by F32 rounding of the scale products and of the accumulation, 2e-6 of sum |terms|;
//   2. the exact product: activation rounding moves an output by at most sum_b (d_b / 2) sum |w|;
//   3. every level and 1 / 2 threads give bit-identical results;
//   4. precision 'f32', Q8_0 without its panels and Q4_1 / Q5_1 on their blocks still compute exactly as at f32;
//   5. the weights' own blocks are read: stored int8 panels (int8Layout 'panels') change no bit;
//   6. INTERLEAVED_TYPES as interleaved blocks (native/src/kernels/gemv_interleaved.h; Q4_1 and Q5_1 only there)
//      pass 1-3 too, and their decode rows (like Q8_0's on its panels) are bit-identical to the same rows of a
//      prefill batch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockLayout, GgmlType, ggmlTypeName } from '../../src/formats/ggmlTypes.js';
import { dequantize } from '../../src/formats/quant/dequantize.js';
import { cpuInfo, INTERLEAVED_TYPES, matmul, setThreads, Weight, type Int8Layout } from '../../src/kernels/native.js';
import { forEachLevel } from './support/levels.js';
import { assertClose, assertIdentical } from './support/close.js';
import { randomWeightBytes, Rng } from './support/random.js';
import { BLOCK, checkInt8EveryLevel, int8Expected } from './support/int8Reference.js';

const SHAPES = [
  { m: 1, n: 37, k: 32 },     // one block, N not a multiple of 16
  { m: 1, n: 70, k: 288 },    // 9 blocks: an odd block count
  { m: 3, n: 33, k: 96 },
  { m: 5, n: 17, k: 256 },    // the most rows per pass
  { m: 2, n: 1000, k: 96 },   // Q8_0: more than one 64 KiB work item
  { m: 5, n: 2100, k: 64 },   // Q4_0 too
];

// K-quants: rows of whole 256-element super-blocks
const K_SHAPES = [
  { m: 1, n: 37, k: 256 },    // one super-block
  { m: 3, n: 70, k: 768 },
  { m: 5, n: 33, k: 512 },    // the most rows per pass
  { m: 2, n: 600, k: 256 },   // several work items
];

const GEMV_TYPES = [GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q5_0, GgmlType.Q4_1, GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q5_K,
  GgmlType.Q6_K, GgmlType.Q3_K, GgmlType.IQ4_NL, GgmlType.IQ4_XS, GgmlType.Q2_K];
/** the types whose own blocks have no int8 GEMV (exact as at f32 there): interleaved only */
const INTERLEAVED_ONLY = new Set([GgmlType.Q4_1, GgmlType.Q5_1]);
/** weights with an offset (a min) per block or sub-block: the reference's tolerance allows for their cancellation */
const WITH_MINS = new Set([GgmlType.Q4_1, GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q2_K]);
/** the layout that takes the int8 GEMV: the default, or interleaved blocks for INTERLEAVED_ONLY */
const int8LayoutFor = (type: GgmlType): Int8Layout | undefined => (INTERLEAVED_ONLY.has(type) ? 'interleaved' : undefined);

for (const type of GEMV_TYPES) {
  const kQuant = type === GgmlType.Q4_K || type === GgmlType.Q5_K || type === GgmlType.Q6_K || type === GgmlType.Q3_K ||
    type === GgmlType.IQ4_XS || type === GgmlType.Q2_K;
  test(`gemv int8 ${ggmlTypeName(type)}: quantized-activation and exact references, every level, 1 and 2 threads`, () => {
    const rng = new Rng(5100 + type);
    for (const { m, n, k } of kQuant ? K_SHAPES : SHAPES) {
      const bytes = randomWeightBytes(rng, type, n, k);
      const dense = dequantize(type, bytes, n * k);
      const w = Weight.create(type, n, k, bytes, { precision: 'int8', int8Layout: 'blocks' });
      const x = rng.floats(m * k, 3);
      x[1] = 0;
      if (k >= 2 * BLOCK) x.fill(0, BLOCK, 2 * BLOCK);  // an all-zero block (scale 0)
      const bias = rng.floats(n);
      const ref = int8Expected(x, m, dense, n, k, bias, WITH_MINS.has(type));
      const label = `${ggmlTypeName(type)} ${m}x${n}x${k}`;
      const blocks = INTERLEAVED_ONLY.has(type) ? undefined : checkInt8EveryLevel(x, m, w, bias, ref, label);
      if (!INTERLEAVED_TYPES.has(type)) continue;
      const interleaved = Weight.create(type, n, k, bytes, { precision: 'int8', int8Layout: 'interleaved' });
      assert.equal(interleaved.layout, 'interleaved');
      const out = checkInt8EveryLevel(x, m, interleaved, bias, ref, `${label} interleaved`);
      // Q8_0's panels take the int8 GEMM, whose float steps the interleaved GEMV shares
      if (type === GgmlType.Q8_0) assertIdentical(out, blocks!, `${label} interleaved vs panels`);
    }
  });
}

test('gemv int8: without bias, and the int8 result is not the F32 one (the path really runs)', () => {
  const rng = new Rng(5200);
  const [m, n, k] = [1, 48, 256];
  for (const type of GEMV_TYPES) {
    const bytes = randomWeightBytes(rng, type, n, k);
    const x = rng.floats(m * k);
    const r = int8Expected(x, m, dequantize(type, bytes, n * k), n, k, new Float32Array(n), WITH_MINS.has(type));
    const int8 = new Float32Array(m * n), exact = new Float32Array(m * n);
    matmul(x, m, Weight.create(type, n, k, bytes, { precision: 'int8', int8Layout: int8LayoutFor(type) }), int8);
    matmul(x, m, Weight.create(type, n, k, bytes, { precision: 'f32' }), exact);
    assertClose(int8, r.quantized, (i) => 2e-6 * r.magnitude[i]! + 1e-30, `${ggmlTypeName(type)} int8 vs quantized reference`);
    assertClose(exact, r.exact, (i) => 2e-6 * r.magnitude[i]! + 1e-6 * Math.abs(r.exact[i]!), `${ggmlTypeName(type)} f32 vs exact`);
    assert.ok(int8.some((v, i) => v !== exact[i]), `${ggmlTypeName(type)}: int8 and f32 outputs are all equal`);
  }
});

test('gemv int8: f32 precision, Q8_0 without panels and Q4_1 / Q5_1 on their blocks compute exactly as at f32', () => {
  const rng = new Rng(5300);
  const [n, k] = [40, 256];
  const cases: [GgmlType, boolean][] = [[GgmlType.Q8_0, false], [GgmlType.Q5_1, true], [GgmlType.Q4_1, true]];
  for (const [type, pack] of cases) {
    const bytes = randomWeightBytes(rng, type, n, k);
    const int8 = Weight.create(type, n, k, bytes, { precision: 'int8', pack, int8Layout: pack ? 'blocks' : undefined });
    const exact = Weight.create(type, n, k, bytes, { precision: 'f32' });
    for (const m of [1, 5]) {
      const x = rng.floats(m * k);
      const a = new Float32Array(m * n), b = new Float32Array(m * n);
      matmul(x, m, int8, a);
      matmul(x, m, exact, b);
      assertIdentical(a, b, `${ggmlTypeName(type)} pack=${pack} m=${m}`);
    }
  }
});

test('gemv int8: stored int8 panels change no bit (the GEMV reads the blocks)', () => {
  const rng = new Rng(5350);
  const [n, k] = [40, 256];
  for (const type of GEMV_TYPES.filter((t) => t !== GgmlType.Q8_0)) {
    const bytes = randomWeightBytes(rng, type, n, k);
    const stored = Weight.create(type, n, k, bytes, { precision: 'int8', int8Layout: 'panels' });
    const blocksOnly = Weight.create(type, n, k, bytes, { precision: 'int8', int8Layout: 'blocks' });
    assert.ok(stored.packedBytes > 0 && blocksOnly.packedBytes === 0);
    for (const m of [1, 5]) {
      const x = rng.floats(m * k);
      const a = new Float32Array(m * n), b = new Float32Array(m * n);
      matmul(x, m, stored, a);
      matmul(x, m, blocksOnly, b);
      assertIdentical(a, b, `${ggmlTypeName(type)} m=${m}`);
    }
  }
});

test('Q8_0 on its panels, Q8_0, Q4_0, Q5_0, Q4_1, Q5_1, IQ4_NL, the K-quants (Q2_K and Q3_K too) and IQ4_XS interleaved: each of 1..7 rows is bit-identical to that row of a 9-row GEMM batch, every level and thread count', () => {
  const rng = new Rng(5250);
  const n = 203;
  const cases: [GgmlType, Int8Layout][] = [[GgmlType.Q8_0, 'blocks'], [GgmlType.Q8_0, 'interleaved'], [GgmlType.Q4_0, 'interleaved'],
    [GgmlType.Q5_0, 'interleaved'], [GgmlType.Q4_1, 'interleaved'], [GgmlType.Q5_1, 'interleaved'], [GgmlType.IQ4_NL, 'interleaved'], [GgmlType.Q4_K, 'interleaved'], [GgmlType.Q5_K, 'interleaved'],
    [GgmlType.Q6_K, 'interleaved'], [GgmlType.Q3_K, 'interleaved'], [GgmlType.IQ4_XS, 'interleaved'], [GgmlType.Q2_K, 'interleaved']];
  for (const [type, int8Layout] of cases) {
    const k = blockLayout(type)!.blockElements === 256 ? 512 : 288;
    const bytes = randomWeightBytes(rng, type, n, k);
    const w = Weight.create(type, n, k, bytes, { precision: 'int8', int8Layout });
    assert.ok(w.packedBytes > 0);
    const x = rng.floats(9 * k, 3);
    const bias = rng.floats(n);
    forEachLevel((level) => {
      const batch = new Float32Array(9 * n);
      matmul(x, 9, w, batch, bias);
      for (const threads of [1, 2]) {
        setThreads(threads);
        for (let m = 1; m < 8; m++) {
          const out = new Float32Array(m * n).fill(NaN);
          matmul(x.subarray(0, m * k), m, w, out, bias);
          assertIdentical(out, batch.subarray(0, m * n), `${ggmlTypeName(type)} ${w.layout} m=${m} ${level} threads=${threads}`);
        }
      }
    });
  }
  setThreads(cpuInfo().threads);
});
