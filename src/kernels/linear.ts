// Weight-matrix kernels: matmul (x times W transposed) and getRows (embedding lookup).
import { addon } from './addon.js';
import { checkDim, checkFloat32, checkIndices, checkInt32, checkNoOverlap } from './checks.js';
import { Weight } from './weight.js';

function checkWeight(fn: string, w: Weight): void {
  if (!(w instanceof Weight)) throw new TypeError(`${fn}: w must be a Weight (see Weight.create)`);
}

/** out[m][n] = bias[n] + sum_k x[m][k] * W[n][k]; x is [m][w.cols], out is [m][w.rows], bias [w.rows]. */
export function matmul(x: Float32Array, m: number, w: Weight, out: Float32Array, bias?: Float32Array): void {
  const fn = 'matmul';
  checkWeight(fn, w);
  checkDim(fn, 'm', m);
  checkFloat32(fn, 'x', x, m * w.cols, `m*cols = ${m}*${w.cols}`);
  checkFloat32(fn, 'out', out, m * w.rows, `m*rows = ${m}*${w.rows}`);
  if (bias !== undefined) checkFloat32(fn, 'bias', bias, w.rows, 'rows');
  checkNoOverlap(fn, out, bias !== undefined ? { x, bias } : { x });
  addon().matmul(x, m, w.data, w.type, w.rows, w.cols, out, bias ?? null, w.panels, w.precisionCode);
}

/** out[i] = row ids[i] of W as floats; out is [ids.length][w.cols]. */
export function getRows(w: Weight, ids: Int32Array, out: Float32Array): void {
  const fn = 'getRows';
  checkWeight(fn, w);
  checkInt32(fn, 'ids', ids);
  checkIndices(fn, 'ids', ids, w.rows);
  checkFloat32(fn, 'out', out, ids.length * w.cols, `ids.length*cols = ${ids.length}*${w.cols}`);
  addon().getRows(w.data, w.type, w.rows, w.cols, ids, out);
}
