// The Q3_K, Q2_K, IQ4_NL and IQ4_XS quantizers, decoded by the dequantizers that match gguf-py bit for
// bit (quant.lowbit.test.ts). Per element: the error is at most half a step of its sub-block's own decoded
// scale (IQ4: half the widest gap between adjacent table levels, 12 of them, times the scale), and each step
// is no coarser than the data needs (its own range's share plus the rounding of a 4-/6-bit scale against the
// block's fp16 scale), so a quantizer with needlessly coarse steps fails whatever its scales say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GgmlType, ggmlTypeName } from '../../src/formats/ggmlTypes.js';
import { dequantize } from '../../src/formats/quant/dequantize.js';
import { f16ToF32 } from '../../src/formats/quant/halfFloat.js';
import { scaleIQ4_XS } from '../../src/formats/quant/iq4Blocks.js';
import { scaleQ3_K } from '../../src/formats/quant/lowBitKBlocks.js';
import { quantizeIQ4_NL, quantizeIQ4_XS, quantizeQ2_K, quantizeQ3_K } from '../../src/formats/quant/quantize.js';
import { mulberry32 } from './support/prng.js';

const half = (b: Uint8Array, p: number): number => f16ToF32(b[p]! | (b[p + 1]! << 8));

/** Seeded inputs: uniform, skewed to one side, heavy-tailed, with zeros and constant runs. */
function inputs(seed: number, n: number): Float32Array[] {
  const r = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const out = [
    Float32Array.from({ length: n }, () => 2 * r() - 1),
    Float32Array.from({ length: n }, () => 3 * r() - 0.2),
    Float32Array.from({ length: n }, () => -5 * r() + 0.5),
    Float32Array.from({ length: n }, () => gauss() * (r() < 0.02 ? 40 : 0.05)),
  ];
  const runs = Float32Array.from({ length: n }, (_, i) => (i % 64 < 16 ? 0 : i % 64 < 32 ? 0.75 : gauss()));
  out.push(runs);
  return out;
}

interface SubBlock {
  start: number;
  size: number;
  /** the decoded step (Q2_K: d * sc, IQ4: the level scale) */
  step: number;
  /** the largest step the sub-block's values need, and the slack scale rounding may add */
  need: number;
  slack: number;
  /** error allowed per unit of step: 1/2 (integer grids) or 12 (IQ4's widest half-gap) */
  perStep: number;
}

function check(type: GgmlType, x: Float32Array, bytes: Uint8Array, subBlocks: (bytes: Uint8Array, x: Float32Array) => SubBlock[]): void {
  const y = dequantize(type, bytes, x.length);
  for (const s of subBlocks(bytes, x)) {
    const label = `${ggmlTypeName(type)} sub-block at ${s.start}`;
    assert.ok(Number.isFinite(s.step), `${label}: step ${s.step}`);
    assert.ok(Math.abs(s.step) <= s.need + s.slack + 1e-12, `${label}: step ${s.step} coarser than needed (${s.need} + ${s.slack})`);
    for (let e = s.start; e < s.start + s.size; e++) {
      const err = Math.abs(x[e]! - y[e]!);
      const allowed = s.perStep * Math.abs(s.step) + 2 ** -22 * (Math.abs(x[e]!) + Math.abs(s.step) * 128);
      if (err > allowed) assert.fail(`${label}: element ${e} ${x[e]} decoded ${y[e]} (error ${err} > ${allowed})`);
    }
  }
}

function range(x: Float32Array, start: number, size: number): [lo: number, hi: number] {
  let lo = 0, hi = 0;
  for (let e = start; e < start + size; e++) lo = Math.min(lo, x[e]!), hi = Math.max(hi, x[e]!);
  return [lo, hi];
}

/** Per 16: d * (sc - 32), needing max(big / 4, small / 3); sc rounds up by at most d <= needMax / 31 (+ fp16). */
function q3kSubBlocks(bytes: Uint8Array, x: Float32Array): SubBlock[] {
  const out: SubBlock[] = [];
  for (let b = 0; b < x.length / 256; b++) {
    const d = half(bytes, 110 * b + 108);
    const needs = Array.from({ length: 16 }, (_, j) => {
      const [lo, hi] = range(x, 256 * b + 16 * j, 16);
      return hi > -lo ? Math.max(hi / 4, -lo / 3) : Math.max(-lo / 4, hi / 3);
    });
    const slack = (Math.max(...needs) / 31) * (1 + 2 ** -9);
    needs.forEach((need, j) => out.push({ start: 256 * b + 16 * j, size: 16, step: d * (scaleQ3_K(bytes, 110 * b + 96, j) - 32), need, slack, perStep: 0.5 }));
  }
  return out;
}

/** Per 16: d * sc over [dmin * m - ..]: the offset covers -min, the step (max + offset) / 3 with one dmin of slack. */
function q2kSubBlocks(bytes: Uint8Array, x: Float32Array): SubBlock[] {
  const out: SubBlock[] = [];
  for (let b = 0; b < x.length / 256; b++) {
    const d = half(bytes, 84 * b + 80), dmin = half(bytes, 84 * b + 82);
    const ranges = Array.from({ length: 16 }, (_, j) => range(x, 256 * b + 16 * j, 16));
    const lowMax = Math.max(...ranges.map(([lo]) => -lo));
    const needs = ranges.map(([lo, hi]) => (hi - lo + (lowMax / 15) * (1 + 2 ** -9)) / 3);
    const slack = (Math.max(...needs) / 15) * (1 + 2 ** -9);
    needs.forEach((need, j) => out.push({ start: 256 * b + 16 * j, size: 16, step: d * (bytes[84 * b + j]! & 0xf), need, slack, perStep: 0.5 }));
    assert.ok(Number.isFinite(dmin) && dmin >= 0, `Q2_K block ${b}: dmin ${dmin}`);
  }
  return out;
}

const iq4Need = (x: Float32Array, start: number): number => {
  const [lo, hi] = range(x, start, 32);
  return hi > -lo ? Math.max(hi / 127, -lo / 113) : Math.max(-lo / 127, hi / 113);
};

function iq4nlSubBlocks(bytes: Uint8Array, x: Float32Array): SubBlock[] {
  return Array.from({ length: x.length / 32 }, (_, b) => {
    const need = iq4Need(x, 32 * b);
    return { start: 32 * b, size: 32, step: half(bytes, 18 * b), need, slack: need * 2 ** -10, perStep: 12 };
  });
}

function iq4xsSubBlocks(bytes: Uint8Array, x: Float32Array): SubBlock[] {
  const out: SubBlock[] = [];
  for (let b = 0; b < x.length / 256; b++) {
    const d = half(bytes, 136 * b);
    const needs = Array.from({ length: 8 }, (_, j) => iq4Need(x, 256 * b + 32 * j));
    const slack = (Math.max(...needs) / 31) * (1 + 2 ** -9);
    needs.forEach((need, j) => out.push({ start: 256 * b + 32 * j, size: 32, step: d * (scaleIQ4_XS(bytes, 136 * b, j) - 32), need, slack, perStep: 12 }));
  }
  return out;
}

const CASES: [GgmlType, (x: Float32Array) => Uint8Array, (bytes: Uint8Array, x: Float32Array) => SubBlock[]][] = [
  [GgmlType.Q3_K, quantizeQ3_K, q3kSubBlocks],
  [GgmlType.Q2_K, quantizeQ2_K, q2kSubBlocks],
  [GgmlType.IQ4_NL, quantizeIQ4_NL, iq4nlSubBlocks],
  [GgmlType.IQ4_XS, quantizeIQ4_XS, iq4xsSubBlocks],
];

for (const [type, quantize, subBlocks] of CASES) {
  test(`quantize ${ggmlTypeName(type)}: every element within its sub-block's half step, steps no coarser than needed`, () => {
    inputs(900 + type, 4096).forEach((x) => check(type, x, quantize(x), subBlocks));
    const zeros = new Float32Array(256);
    assert.deepEqual([...dequantize(type, quantize(zeros), 256)], new Array(256).fill(0));
    assert.throws(() => quantize(new Float32Array(250)), /not a multiple of/);
  });
}
