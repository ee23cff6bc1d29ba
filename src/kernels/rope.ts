// Rotary position embedding. A forward computes its batch's angle table once (ropeTable) and rotates
// every layer's q and k with it (ropeWithTable); rope() computes the angles itself. Both give the same floats.
import { addon } from './addon.js';
import { checkDim, checkFinite, checkFloat32, checkInt32, checkNoOverlap } from './checks.js';

/** The angle table of a batch: per token the cosines of its ropeDim/2 angles, then their sines. */
export interface RopeTable {
  tokens: number;
  ropeDim: number;
  /** [tokens][ropeDim] */
  values: Float32Array;
}

function checkRopeDims(fn: string, headDim: number, ropeDim: number): void {
  checkDim(fn, 'headDim', headDim, 1);
  checkDim(fn, 'ropeDim', ropeDim, 0);
  if (ropeDim > headDim || ropeDim % 2 !== 0) {
    throw new RangeError(`${fn}: ropeDim must be even and <= headDim ${headDim}, got ${ropeDim}`);
  }
}

function checkFrequencies(fn: string, ropeDim: number, freqBase: number, freqFactors: Float32Array | undefined): void {
  checkFinite(fn, 'freqBase', freqBase);
  if (freqBase <= 0) throw new RangeError(`${fn}: freqBase must be > 0, got ${freqBase}`);
  if (freqFactors !== undefined) {
    checkFloat32(fn, 'freqFactors', freqFactors, ropeDim / 2, 'ropeDim/2');
    const bad = freqFactors.findIndex((f) => !(f > 0) || !Number.isFinite(f));
    if (bad >= 0) throw new RangeError(`${fn}: freqFactors[${bad}] = ${freqFactors[bad]} must be a positive finite number`);
  }
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
  checkRopeDims(fn, headDim, ropeDim);
  checkFloat32(fn, 'x', x, tokens * heads * headDim, `tokens*heads*headDim = ${tokens}*${heads}*${headDim}`);
  checkInt32(fn, 'positions', positions, tokens, 'tokens');
  checkFrequencies(fn, ropeDim, freqBase, freqFactors);
  if (typeof neox !== 'boolean') throw new TypeError(`${fn}: neox must be a boolean`);
  addon().rope(x, tokens, heads, headDim, ropeDim, positions, freqBase, neox, freqFactors ?? null);
}

/** The angle table of `positions` (see rope for the angles), written into `out` when given. */
export function ropeTable(positions: Int32Array, ropeDim: number, freqBase: number, freqFactors?: Float32Array,
  out?: Float32Array): RopeTable {
  const fn = 'ropeTable';
  checkInt32(fn, 'positions', positions);
  checkDim(fn, 'ropeDim', ropeDim, 0);
  if (ropeDim % 2 !== 0) throw new RangeError(`${fn}: ropeDim must be even, got ${ropeDim}`);
  checkFrequencies(fn, ropeDim, freqBase, freqFactors);
  const values = out ?? new Float32Array(positions.length * ropeDim);
  checkFloat32(fn, 'out', values, positions.length * ropeDim, `positions.length*ropeDim = ${positions.length}*${ropeDim}`);
  addon().ropeTable(positions, ropeDim, freqBase, freqFactors ?? null, values);
  return { tokens: positions.length, ropeDim, values };
}

/** rope() with the angles of `table` (one row per token of x). */
export function ropeWithTable(x: Float32Array, tokens: number, heads: number, headDim: number, table: RopeTable,
  neox: boolean): void {
  const fn = 'ropeWithTable';
  checkDim(fn, 'tokens', tokens);
  checkDim(fn, 'heads', heads, 1);
  checkRopeDims(fn, headDim, table.ropeDim);
  if (table.tokens !== tokens) throw new RangeError(`${fn}: the table has ${table.tokens} tokens, x has ${tokens}`);
  checkFloat32(fn, 'table.values', table.values, tokens * table.ropeDim, `tokens*ropeDim = ${tokens}*${table.ropeDim}`);
  checkFloat32(fn, 'x', x, tokens * heads * headDim, `tokens*heads*headDim = ${tokens}*${heads}*${headDim}`);
  if (typeof neox !== 'boolean') throw new TypeError(`${fn}: neox must be a boolean`);
  checkNoOverlap(fn, x, { table: table.values });
  addon().ropeWithTable(x, tokens, heads, headDim, table.ropeDim, table.values, neox);
}
