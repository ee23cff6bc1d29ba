// matmulGroup (native/src/kernels/matmul_group.h): several weights of one x in one call. Every part
// must be bit-identical to a separate matmul of that part, whatever path it takes: the panel GEMV
// (F16), the pair GEMV (bf16 precision), the int8 GEMV (Q4_0, Q5_0 and Q6_K at 'int8', sharing one
// quantization), the int8 GEMM (Q8_0 at 'int8'), parts that leave the shared job (Q5_1, GEMM sizes) and empty
// parts; at every level and at 1 and 2 threads. matmul itself
// is checked against float64 references in matmul*.test.ts and gemv*.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GgmlType } from '../../src/formats/ggmlTypes.js';
import { cpuInfo, matmul, matmulGroup, setThreads, Weight, type MatmulPart, type Precision } from '../../src/kernels/native.js';
import { assertIdentical } from './support/close.js';
import { forEachLevel } from './support/levels.js';
import { randomWeightBytes, Rng } from './support/random.js';

const K = 256;
const PARTS: { type: GgmlType; rows: number; precision: Precision; bias: boolean }[] = [
  { type: GgmlType.F16, rows: 200, precision: 'f32', bias: true },
  { type: GgmlType.Q8_0, rows: 1000, precision: 'int8', bias: true },   // several work items
  { type: GgmlType.Q4_0, rows: 37, precision: 'int8', bias: false },
  { type: GgmlType.Q5_0, rows: 51, precision: 'int8', bias: true },     // the int8 GEMV's other offset
  { type: GgmlType.Q5_1, rows: 64, precision: 'int8', bias: false },    // no GEMV of the group: runs alone
  { type: GgmlType.Q6_K, rows: 48, precision: 'int8', bias: true },     // the int8 GEMV of K-quants
  { type: GgmlType.F16, rows: 40, precision: 'bf16', bias: false },     // pair panels: the pair GEMV
  { type: GgmlType.Q8_0, rows: 0, precision: 'int8', bias: false },     // empty
];

test('matmulGroup: each part bit-identical to its own matmul, every level, 1 and 2 threads', () => {
  const rng = new Rng(9100);
  const weights = PARTS.map((p) => Weight.create(p.type, p.rows, K, randomWeightBytes(rng, p.type, p.rows, K),
    { precision: p.precision }));
  const biases = PARTS.map((p) => (p.bias ? rng.floats(p.rows) : undefined));
  for (const m of [1, 3, 7, 9]) {
    const x = rng.floats(m * K);
    forEachLevel((level) => {
      for (const threads of [1, 2]) {
        setThreads(threads);
        const parts: MatmulPart[] = weights.map((w, i) => ({
          w, out: new Float32Array(m * w.rows).fill(NaN), ...(biases[i] ? { bias: biases[i] } : {}),
        }));
        matmulGroup(x, m, parts);
        parts.forEach((part, i) => {
          const alone = new Float32Array(m * part.w.rows).fill(NaN);
          matmul(x, m, part.w, alone, part.bias);
          assertIdentical(part.out, alone, `part ${i} (${PARTS[i]!.precision}) m=${m} ${level} threads=${threads}`);
        });
      }
    });
  }
  setThreads(cpuInfo().threads);
});

// The int8 GEMM parts share one activation quantization (kernels/int8_activations.h), which makes
// the block sums that weights with mins need, and the half sums of Q2_K's half mins, only when some part
// asks: here a part without mins comes first and ones with mins (Q4_K) and half mins (Q2_K) later, at row
// counts that leave a short last row block.
test('matmulGroup: int8 GEMM parts with and without mins share one quantization, bit-identical to matmul', () => {
  const rng = new Rng(9102);
  const types = [GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.Q2_K, GgmlType.Q6_K, GgmlType.Q5_1];
  const weights = types.map((type, i) => Weight.create(type, 40 + 9 * i, K, randomWeightBytes(rng, type, 40 + 9 * i, K),
    { precision: 'int8' }));
  for (const m of [8, 13, 22]) {
    const x = rng.floats(m * K);
    forEachLevel((level) => {
      for (const threads of [1, 2]) {
        setThreads(threads);
        const parts: MatmulPart[] = weights.map((w) => ({ w, out: new Float32Array(m * w.rows).fill(NaN) }));
        matmulGroup(x, m, parts);
        parts.forEach((part, i) => {
          const alone = new Float32Array(m * part.w.rows).fill(NaN);
          matmul(x, m, part.w, alone);
          assertIdentical(part.out, alone, `part ${i} m=${m} ${level} threads=${threads}`);
        });
      }
    });
  }
  setThreads(cpuInfo().threads);
});

test('matmulGroup: clear errors for mismatched cols, overlapping outputs and part counts', () => {
  const rng = new Rng(9101);
  const a = Weight.create(GgmlType.F32, 8, 32, randomWeightBytes(rng, GgmlType.F32, 8, 32));
  const b = Weight.create(GgmlType.F32, 8, 64, randomWeightBytes(rng, GgmlType.F32, 8, 64));
  const x = rng.floats(32);
  assert.throws(() => matmulGroup(x, 1, [{ w: a, out: new Float32Array(8) }, { w: b, out: new Float32Array(8) }]),
    /parts\[1\]\.w has 64 cols, parts\[0\]\.w has 32/);
  const shared = new Float32Array(16);
  assert.throws(() => matmulGroup(x, 1, [{ w: a, out: shared.subarray(0, 8) }, { w: a, out: shared.subarray(4, 12) }]),
    /out overlaps parts\[1\]\.out/);
  assert.throws(() => matmulGroup(x, 1, []), /1 to 8 parts/);
  assert.throws(() => matmulGroup(x, 1, [{ w: a, out: new Float32Array(7) }]), /out/);
});
