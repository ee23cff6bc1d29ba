// The panel GEMV (native/src/kernels/gemv_panels.h): 1..7 rows of x against F32/F16/BF16 weights
// in their native panels (precision 'f32', and 'int8', where float weights compute as at f32).
// Each output must be bit-identical to the GEMM's (the same FMA chain over k), which the rows of a
// 9-row batch take, at every level and thread count, and within 2e-6 of sum |x w| of a float64
// reference on the independently dequantized weights.
import { test } from 'node:test';
import { GgmlType, ggmlTypeName } from '../../src/formats/ggmlTypes.js';
import { dequantize } from '../../src/formats/quant/dequantize.js';
import { cpuInfo, matmul, setThreads, Weight, type Precision } from '../../src/kernels/native.js';
import { assertClose, assertIdentical } from './support/close.js';
import { forEachLevel } from './support/levels.js';
import { float64Matmul } from './support/float64Reference.js';
import { randomWeightBytes, Rng } from './support/random.js';

const BATCH = 9;  // from 8 rows on matmul takes the GEMM
const SHAPES = [
  { n: 37, k: 64 },     // a partial last panel (5 columns: one partial vector)
  { n: 200, k: 96 },    // 7 panels: a partial group
  { n: 1000, k: 96 },   // several work items
];

for (const type of [GgmlType.F32, GgmlType.F16, GgmlType.BF16]) {
  test(`gemv panels ${ggmlTypeName(type)}: bit-identical to the GEMM's rows, float64 reference, every level, 1 and 2 threads`, () => {
    const rng = new Rng(5400 + type);
    for (const { n, k } of SHAPES) {
      const bytes = randomWeightBytes(rng, type, n, k);
      const dense = dequantize(type, bytes, n * k);
      const x = rng.floats(BATCH * k);
      const bias = rng.floats(n);
      const ref = float64Matmul(x, BATCH, dense, n, k, bias);
      for (const precision of ['f32', 'int8'] as Precision[]) {
        const w = Weight.create(type, n, k, bytes, { precision });
        forEachLevel((level) => {
          const batch = new Float32Array(BATCH * n);
          matmul(x, BATCH, w, batch, bias);
          for (const threads of [1, 2]) {
            setThreads(threads);
            for (let m = 1; m < 8; m++) {
              const out = new Float32Array(m * n).fill(NaN);
              matmul(x.subarray(0, m * k), m, w, out, bias);
              const what = `${ggmlTypeName(type)} ${precision} m=${m} n=${n} k=${k} ${level} threads=${threads}`;
              assertIdentical(out, batch.subarray(0, m * n), `${what} vs the GEMM`);
              assertClose(out, ref.want.subarray(0, m * n), (i) => 2e-6 * ref.magnitude[i]! + 1e-30, `${what} vs float64`);
            }
          }
        });
        setThreads(cpuInfo().threads);
      }
    }
  });
}
