// Normalization, rotary embedding and element-wise kernels on Float32 activations.
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
 * Rotary embedding in place on x[tokens][heads][headDim] at per-token positions; dimensions
 * from ropeDim on are left untouched. neox: pairs (i, i + ropeDim/2) (qwen2, HF layout) instead
 * of (2i, 2i+1) (GGUF llama). freqFactors (ropeDim/2 values, the slot for linear / YaRN / llama3
 * scaling) divide the angles: angle_i = pos * freqBase^(-2i/ropeDim) / freqFactors[i].
 */
export function rope(x: Float32Array, tokens: number, heads: number, headDim: number, ropeDim: number,
  positions: Int32Array, freqBase: number, neox: boolean, freqFactors?: Float32Array): void {
  const fn = 'rope';
  checkDim(fn, 'tokens', tokens);
  checkDim(fn, 'heads', heads, 1);
  checkDim(fn, 'headDim', headDim, 1);
  checkDim(fn, 'ropeDim', ropeDim, 0);
  if (ropeDim > headDim || ropeDim % 2 !== 0) {
    throw new RangeError(`${fn}: ropeDim must be even and <= headDim ${headDim}, got ${ropeDim}`);
  }
  checkFloat32(fn, 'x', x, tokens * heads * headDim, `tokens*heads*headDim = ${tokens}*${heads}*${headDim}`);
  checkInt32(fn, 'positions', positions, tokens, 'tokens');
  checkFinite(fn, 'freqBase', freqBase);
  if (freqBase <= 0) throw new RangeError(`${fn}: freqBase must be > 0, got ${freqBase}`);
  if (typeof neox !== 'boolean') throw new TypeError(`${fn}: neox must be a boolean`);
  if (freqFactors !== undefined) {
    checkFloat32(fn, 'freqFactors', freqFactors, ropeDim / 2, 'ropeDim/2');
    const bad = freqFactors.findIndex((f) => !(f > 0) || !Number.isFinite(f));
    if (bad >= 0) throw new RangeError(`${fn}: freqFactors[${bad}] = ${freqFactors[bad]} must be a positive finite number`);
  }
  addon().rope(x, tokens, heads, headDim, ropeDim, positions, freqBase, neox, freqFactors ?? null);
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
