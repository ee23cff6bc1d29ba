// matmulSiluGated (native/src/kernels/matmul.h with a gate; the int8 GEMM quantizes the gated rows as it
// makes them, kernels/int8_activations.h): out = (silu(gate) * up) W^T must be bit-identical to siluMul then
// matmul on every path (int8 GEMM with and without mins and with two sub-blocks, the int8 and panel GEMVs,
// the F32 and pair GEMMs), at every level and at 1 and 2 threads, and leave its inputs alone. matmul and
// siluMul themselves are checked against float64 references in matmul*.test.ts and elementwise.test.ts; one
// float64 check of the whole product is here too.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GgmlType } from '../../src/formats/ggmlTypes.js';
import { cpuInfo, matmul, matmulSiluGated, setThreads, siluMul, Weight, type Precision } from '../../src/kernels/native.js';
import { assertClose, assertIdentical } from './support/close.js';
import { float64Matmul } from './support/float64Reference.js';
import { forEachLevel } from './support/levels.js';
import { randomWeightBytes, Rng } from './support/random.js';

const CASES: { type: GgmlType; precision: Precision; k: number }[] = [
  { type: GgmlType.Q8_0, precision: 'int8', k: 576 },   // 18 blocks a row: a group of 16 and a short one
  { type: GgmlType.Q4_0, precision: 'int8', k: 96 },    // decode rows: the int8 GEMV
  { type: GgmlType.Q4_K, precision: 'int8', k: 512 },   // mins: the block sums
  { type: GgmlType.Q6_K, precision: 'int8', k: 256 },   // two sub-blocks
  { type: GgmlType.F16, precision: 'f32', k: 96 },
  { type: GgmlType.F32, precision: 'f32', k: 80 },
  { type: GgmlType.BF16, precision: 'bf16', k: 96 },
  { type: GgmlType.Q8_0, precision: 'bf16', k: 96 },
];

test('matmulSiluGated: bit-identical to siluMul then matmul on every path, every level, 1 and 2 threads', () => {
  const rng = new Rng(9300);
  for (const c of CASES) {
    const rows = 45;
    const w = Weight.create(c.type, rows, c.k, randomWeightBytes(rng, c.type, rows, c.k), { precision: c.precision });
    for (const m of [1, 3, 8, 22]) {
      const gate = rng.floats(m * c.k, 6);
      const up = rng.floats(m * c.k, 2);
      const [gateBefore, upBefore] = [gate.slice(), up.slice()];
      forEachLevel((level) => {
        for (const threads of [1, 2]) {
          setThreads(threads);
          const what = `${GgmlType[c.type]} at ${c.precision} m=${m} ${level} threads=${threads}`;
          const h = new Float32Array(m * c.k);
          siluMul(gate, up, h);
          const want = new Float32Array(m * rows).fill(NaN);
          matmul(h, m, w, want);
          const got = new Float32Array(m * rows).fill(NaN);
          matmulSiluGated(gate, up, m, w, got);
          assertIdentical(got, want, what);
          assertIdentical(gate, gateBefore, `gate unchanged, ${what}`);
          assertIdentical(up, upBefore, `up unchanged, ${what}`);
        }
      });
    }
  }
  setThreads(cpuInfo().threads);
});

test('matmulSiluGated: F32 weights against float64', () => {
  const rng = new Rng(9301);
  const [m, n, k] = [9, 33, 64];
  const weights = rng.floats(n * k);
  const w = Weight.create(GgmlType.F32, n, k, new Uint8Array(weights.buffer), { precision: 'f32' });
  const gate = rng.floats(m * k, 6);
  const up = rng.floats(m * k, 2);
  const h = Float64Array.from(gate, (g, i) => (g / (1 + Math.exp(-g))) * up[i]!);
  const { want, magnitude } = float64Matmul(h, m, weights, n, k);
  forEachLevel((level) => {
    const got = new Float32Array(m * n);
    matmulSiluGated(gate, up, m, w, got);
    // siluMul's ~1e-6 relative error per input element, then F32 sums (matmul.test.ts allows 2e-6 of sum |x*w|)
    assertClose(got, want, (i) => 4e-6 * magnitude[i]!, `F32 m=${m} ${level}`);
  });
});

test('matmulSiluGated: argument checks', () => {
  const rng = new Rng(9302);
  const w = Weight.create(GgmlType.F32, 4, 32, new Uint8Array(rng.floats(4 * 32).buffer), { precision: 'f32' });
  const gate = rng.floats(2 * 32);
  const up = rng.floats(2 * 32);
  assert.throws(() => matmulSiluGated(gate, up.subarray(1), 2, w, new Float32Array(8)), /up/);
  assert.throws(() => matmulSiluGated(gate.subarray(1), up, 2, w, new Float32Array(8)), /gate/);
  assert.throws(() => matmulSiluGated(gate, up, 2, w, new Float32Array(7)), /out/);
  assert.throws(() => matmulSiluGated(gate, up, 2, w, gate.subarray(0, 8)), /overlap/);
});
