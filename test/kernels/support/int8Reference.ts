// Independent references for matmul at precision 'int8' (GEMM and GEMV): activations quantized per row and
// 32-element block by the rule (d = amax/127 in F32, q = round-half-even(x * f32(1/d)) clamped to +-127),
// float64 sums on them and on x itself, and the check that runs a matmul at every level and 1 / 2 threads.
import { cpuInfo, matmul, setThreads, type Weight } from '../../../src/kernels/native.js';
import { assertClose, assertIdentical } from './close.js';
import { forEachLevel } from './levels.js';

export const BLOCK = 32;
const f32 = Math.fround;

function roundHalfEven(v: number): number {
  const r = Math.round(v);  // halves go up
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Activations quantized per row and 32-element block: quants and scales. */
export function quantizeRows(x: Float32Array, m: number, k: number): { q: Int8Array; d: Float32Array } {
  const q = new Int8Array(m * k);
  const d = new Float32Array(m * k / BLOCK);
  for (let b = 0; b < m * k / BLOCK; b++) {
    let amax = 0;
    for (let e = 0; e < BLOCK; e++) amax = Math.max(amax, Math.abs(x[b * BLOCK + e]!));
    const scale = f32(amax / 127);
    const inverse = scale !== 0 ? f32(1 / scale) : 0;
    d[b] = scale;
    for (let e = 0; e < BLOCK; e++) {
      q[b * BLOCK + e] = Math.max(-127, Math.min(127, roundHalfEven(f32(x[b * BLOCK + e]! * inverse))));
    }
  }
  return { q, d };
}

export interface Int8Expected {
  quantized: Float64Array;  // on the quantized activations
  magnitude: Float64Array;  // sum of |terms| of that sum
  exact: Float64Array;      // on x itself
  bound: Float64Array;      // the activation-rounding bound on |quantized - exact|, plus magnitude
}

/**
 * x [m][k] times w [n][k] (dequantized) plus bias. `mins`: the weight type has a min per block, whose extra
 * term may cancel against the quants' one, so the magnitude also gets sum_b d_b sum |q| 2 max|w of the row|.
 */
export function int8Expected(x: Float32Array, m: number, w: Float32Array, n: number, k: number, bias: Float32Array,
  mins: boolean): Int8Expected {
  const { q, d } = quantizeRows(x, m, k);
  const quantized = new Float64Array(m * n), magnitude = new Float64Array(m * n);
  const exact = new Float64Array(m * n), bound = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let rowMax = 0;
      for (let e = 0; e < k; e++) rowMax = Math.max(rowMax, Math.abs(w[j * k + e]!));
      let sq = bias[j]!, mag = Math.abs(sq), se = sq, rounding = 0, exactMag = mag;
      for (let b = 0; b < k / BLOCK; b++) {
        const xd = d[i * k / BLOCK + b]!;
        let dot = 0, dotAbs = 0, wAbs = 0, qAbs = 0;
        for (let e = b * BLOCK; e < (b + 1) * BLOCK; e++) {
          const wv = w[j * k + e]!;
          dot += q[i * k + e]! * wv;
          dotAbs += Math.abs(q[i * k + e]! * wv);
          qAbs += Math.abs(q[i * k + e]!);
          wAbs += Math.abs(wv);
          se += x[i * k + e]! * wv;
          exactMag += Math.abs(x[i * k + e]! * wv);
        }
        sq += xd * dot;
        mag += xd * dotAbs + (mins ? xd * qAbs * 2 * rowMax : 0);
        rounding += (xd / 2) * wAbs;
      }
      quantized[i * n + j] = sq;
      magnitude[i * n + j] = mag;
      exact[i * n + j] = se;
      bound[i * n + j] = rounding * (1 + 1e-6) + 2e-6 * (mag + exactMag);
    }
  }
  return { quantized, magnitude, exact, bound };
}

/**
 * matmul(x, w) at every level with 1 and 2 threads: within 2e-6 of sum |terms| of the quantized reference,
 * within the rounding bound of the exact one, and bit-identical across levels and thread counts. Returns that output.
 */
export function checkInt8EveryLevel(x: Float32Array, m: number, w: Weight, bias: Float32Array, ref: Int8Expected,
  label: string): Float32Array {
  const n = w.rows;
  let first: Float32Array | null = null;
  forEachLevel((level) => {
    for (const threads of [1, 2]) {
      setThreads(threads);
      const out = new Float32Array(m * n);
      matmul(x, m, w, out, bias);
      const what = `${label} ${level} threads=${threads}`;
      assertClose(out, ref.quantized, (i) => 2e-6 * ref.magnitude[i]! + 1e-30, `${what} vs quantized reference`);
      assertClose(out, ref.exact, (i) => ref.bound[i]!, `${what} vs exact`);
      if (first === null) first = out;
      else assertIdentical(out, first, `${what} vs the first level/thread count`);
    }
  });
  setThreads(cpuInfo().threads);
  return first!;
}
