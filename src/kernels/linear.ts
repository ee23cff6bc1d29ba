// Weight-matrix kernels: matmul (x times W transposed), its gated form for an FFN's down projection, and
// getRows (embedding lookup).
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
  addon().matmul(x, m, w.data, w.type, w.rows, w.cols, out, bias ?? null, w.panels, w.precisionCode, null, w.layoutCode);
}

/**
 * An FFN's down projection on its gated input: out = (silu(gate) * up) W^T, gate and up [m][w.cols]. The same
 * floats as siluMul then matmul; where the weights take the int8 GEMM the product is quantized as it is made,
 * never written out.
 */
export function matmulSiluGated(gate: Float32Array, up: Float32Array, m: number, w: Weight, out: Float32Array): void {
  const fn = 'matmulSiluGated';
  checkWeight(fn, w);
  checkDim(fn, 'm', m);
  checkFloat32(fn, 'gate', gate, m * w.cols, `m*cols = ${m}*${w.cols}`);
  checkFloat32(fn, 'up', up, m * w.cols, `m*cols = ${m}*${w.cols}`);
  checkFloat32(fn, 'out', out, m * w.rows, `m*rows = ${m}*${w.rows}`);
  checkNoOverlap(fn, out, { gate, up });
  addon().matmul(up, m, w.data, w.type, w.rows, w.cols, out, null, w.panels, w.precisionCode, gate, w.layoutCode);
}

/** One part of matmulGroup: out = x W^T (+ bias), out is [m][w.rows]. */
export interface MatmulPart {
  w: Weight;
  out: Float32Array;
  bias?: Float32Array;
}

/**
 * matmul of one x by several weights of the same cols (a layer's q, k, v; gate, up). Bit-identical
 * to calling matmul for each part; with few rows of x (decode) the parts run as one native job.
 */
export function matmulGroup(x: Float32Array, m: number, parts: readonly MatmulPart[]): void {
  const fn = 'matmulGroup';
  if (!Array.isArray(parts) || parts.length < 1 || parts.length > 8) {
    throw new RangeError(`${fn}: parts must be an array of 1 to 8 parts`);
  }
  checkDim(fn, 'm', m);
  const flat: unknown[] = [];
  parts.forEach((part, i) => {
    const name = `parts[${i}]`;
    checkWeight(`${fn} ${name}`, part.w);
    if (part.w.cols !== parts[0]!.w.cols) {
      throw new RangeError(`${fn}: ${name}.w has ${part.w.cols} cols, parts[0].w has ${parts[0]!.w.cols}`);
    }
    checkFloat32(fn, `${name}.out`, part.out, m * part.w.rows, `m*rows = ${m}*${part.w.rows}`);
    if (part.bias !== undefined) checkFloat32(fn, `${name}.bias`, part.bias, part.w.rows, 'rows');
    const others: Record<string, Float32Array> = { x };
    parts.forEach((other, j) => {
      if (other.bias !== undefined) others[`parts[${j}].bias`] = other.bias;
      if (j !== i) others[`parts[${j}].out`] = other.out;
    });
    checkNoOverlap(`${fn} ${name}`, part.out, others);
    flat.push(part.w.data, part.w.type, part.w.rows, part.w.cols, part.out, part.bias ?? null, part.w.panels,
      part.w.precisionCode, part.w.layoutCode);
  });
  checkFloat32(fn, 'x', x, m * parts[0]!.w.cols, `m*cols = ${m}*${parts[0]!.w.cols}`);
  addon().matmulGroup(x, m, ...flat);
}

/** out[i] = row ids[i] of W as floats; out is [ids.length][w.cols]. */
export function getRows(w: Weight, ids: Int32Array, out: Float32Array): void {
  const fn = 'getRows';
  checkWeight(fn, w);
  checkInt32(fn, 'ids', ids);
  checkIndices(fn, 'ids', ids, w.rows);
  checkFloat32(fn, 'out', out, ids.length * w.cols, `ids.length*cols = ${ids.length}*${w.cols}`);
  addon().getRows(w.data, w.type, w.rows, w.cols, ids, out, w.panels, w.precisionCode, w.layoutCode);
}
