// Normalization and element-wise kernels on Float32 activations.
import { addon } from './addon.js';
import { checkDim, checkFinite, checkFloat32, checkInt32, checkNoOverlap } from './checks.js';

/** out[r] = x[r] / sqrt(mean(x[r]^2) + eps) * weight; out may be x itself. */
export function rmsNorm(x: Float32Array, rows: number, cols: number, weight: Float32Array, eps: number,
  out: Float32Array): void {
  const fn = 'rmsNorm';
  checkDim(fn, 'rows', rows);
  checkDim(fn, 'cols', cols, 1);
  checkFloat32(fn, 'x', x, rows * cols, `rows*cols = ${rows}*${cols}`);
  checkFloat32(fn, 'weight', weight, cols, 'cols');
  checkFloat32(fn, 'out', out, rows * cols, `rows*cols = ${rows}*${cols}`);
  checkFinite(fn, 'eps', eps);
  if (eps < 0) throw new RangeError(`${fn}: eps must be >= 0, got ${eps}`);
  checkNoOverlap(fn, out, { x }, true);
  checkNoOverlap(fn, out, { weight });
  addon().rmsNorm(x, rows, cols, weight, eps, out);
}

/**
 * The residual add before a norm in one pass: x += delta, then out = rmsNorm(x) (the same floats as
 * add then rmsNorm). out must not share memory with x or delta.
 */
export function addRmsNorm(x: Float32Array, delta: Float32Array, rows: number, cols: number, weight: Float32Array,
  eps: number, out: Float32Array): void {
  const fn = 'addRmsNorm';
  checkDim(fn, 'rows', rows);
  checkDim(fn, 'cols', cols, 1);
  const shape = `rows*cols = ${rows}*${cols}`;
  checkFloat32(fn, 'x', x, rows * cols, shape);
  checkFloat32(fn, 'delta', delta, rows * cols, shape);
  checkFloat32(fn, 'weight', weight, cols, 'cols');
  checkFloat32(fn, 'out', out, rows * cols, shape);
  checkFinite(fn, 'eps', eps);
  if (eps < 0) throw new RangeError(`${fn}: eps must be >= 0, got ${eps}`);
  checkNoOverlap(fn, out, { x, delta, weight });
  checkNoOverlap(fn, x, { delta, weight }, false, 'x');
  addon().addRmsNorm(x, delta, rows, cols, weight, eps, out);
}

function checkSameLength(fn: string, arrays: Record<string, unknown>): void {
  const entries = Object.entries(arrays);
  const [firstName, first] = entries[0]!;
  if (!(first instanceof Float32Array)) throw new TypeError(`${fn}: ${firstName} must be a Float32Array`);
  for (const [name, value] of entries.slice(1)) checkFloat32(fn, name, value, first.length, `${firstName}.length`);
}

/** out = silu(gate) * up, silu(g) = g / (1 + e^-g); out may be gate or up. */
export function siluMul(gate: Float32Array, up: Float32Array, out: Float32Array): void {
  checkSameLength('siluMul', { gate, up, out });
  checkNoOverlap('siluMul', out, { gate, up }, true);
  addon().siluMul(gate, up, out);
}

/** out = a + b; out may be a or b. */
export function add(a: Float32Array, b: Float32Array, out: Float32Array): void {
  checkSameLength('add', { a, b, out });
  checkNoOverlap('add', out, { a, b }, true);
  addon().add(a, b, out);
}

/** out = x * factor; out may be x. */
export function scale(x: Float32Array, factor: number, out: Float32Array): void {
  checkSameLength('scale', { x, out });
  checkFinite('scale', 'factor', factor);
  checkNoOverlap('scale', out, { x }, true);
  addon().scale(x, factor, out);
}

/** x[r][c] += bias[c] in place (q/k/v projection biases). */
export function addBias(x: Float32Array, rows: number, cols: number, bias: Float32Array): void {
  const fn = 'addBias';
  checkDim(fn, 'rows', rows);
  checkDim(fn, 'cols', cols, 1);
  checkFloat32(fn, 'x', x, rows * cols, `rows*cols = ${rows}*${cols}`);
  checkFloat32(fn, 'bias', bias, cols, 'cols');
  checkNoOverlap(fn, x, { bias });
  addon().addBias(x, rows, cols, bias);
}
