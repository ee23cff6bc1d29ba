// ggml's reference quantizers (quantize_row_q8_0_ref, quantize_row_q4_0_ref, quantize_row_q5_0_ref, quantize_row_q5_1_ref), step for
// step in float32 arithmetic (Math.fround) so that the bytes equal llama-quantize's output. (llama.cpp falls
// back to Q5_0 for Q4_K matrices whose rows are not a whole number of 256-element super-blocks.)

import { f32ToF16 } from './halfFloat.js';

const BLOCK = 32;

function checkLength(f32: Float32Array, what: string): number {
  if (f32.length % BLOCK !== 0) throw new Error(`${what}: ${f32.length} values is not a multiple of ${BLOCK}`);
  return f32.length / BLOCK;
}

/** C roundf: nearest, halves away from zero. */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/** Q8_0: d = amax/127 (fp16), q = round(x/d) via x * (1/d). */
export function quantizeQ8_0(f32: Float32Array): Uint8Array {
  const blocks = checkLength(f32, 'quantizeQ8_0');
  const out = new Uint8Array(blocks * 34);
  for (let i = 0; i < blocks; i++) {
    const x = i * BLOCK;
    let amax = 0;
    for (let j = 0; j < BLOCK; j++) amax = Math.max(amax, Math.abs(f32[x + j]!));
    const d = Math.fround(amax / 127);
    const id = d ? Math.fround(1 / d) : 0;
    const o = i * 34;
    const h = f32ToF16(d);
    out[o] = h & 0xff;
    out[o + 1] = h >> 8;
    for (let j = 0; j < BLOCK; j++) out[o + 2 + j] = roundHalfAway(Math.fround(f32[x + j]! * id)) & 0xff;
  }
  return out;
}

/**
 * The Q4_0 / Q5_0 rule for block i: d = (the value of largest magnitude, signed) / -levels, written as fp16 at
 * out[o]; returns q(v) = min(2 levels - 1, trunc(v/d + levels + 0.5)) (C's (int8_t) of a value in [0.5, 2 levels + 0.5]).
 */
function signedMaxBlock(f32: Float32Array, i: number, levels: number, out: Uint8Array, o: number): (v: number) => number {
  const x = i * BLOCK;
  let amax = 0;
  let max = 0;
  for (let j = 0; j < BLOCK; j++) {
    const v = f32[x + j]!;
    if (amax < Math.abs(v)) {
      amax = Math.abs(v);
      max = v;
    }
  }
  const d = Math.fround(max / -levels);
  const id = d ? Math.fround(1 / d) : 0;
  const h = f32ToF16(d);
  out[o] = h & 0xff;
  out[o + 1] = h >> 8;
  return (v) => Math.min(2 * levels - 1, Math.trunc(Math.fround(Math.fround(v * id) + levels + 0.5)));
}

/** Q4_0 (18 bytes): fp16 d, 16 bytes of nibbles (element j < 16 low, j + 16 high). */
export function quantizeQ4_0(f32: Float32Array): Uint8Array {
  const blocks = checkLength(f32, 'quantizeQ4_0');
  const out = new Uint8Array(blocks * 18);
  for (let i = 0; i < blocks; i++) {
    const x = i * BLOCK, o = i * 18;
    const q = signedMaxBlock(f32, i, 8, out, o);
    for (let j = 0; j < 16; j++) out[o + 2 + j] = q(f32[x + j]!) | (q(f32[x + 16 + j]!) << 4);
  }
  return out;
}

/** Q5_0 (22 bytes): fp16 d, 32 fifth bits (element j at bit j), 16 bytes of low nibbles as Q4_0. */
export function quantizeQ5_0(f32: Float32Array): Uint8Array {
  const blocks = checkLength(f32, 'quantizeQ5_0');
  const out = new Uint8Array(blocks * 22);
  for (let i = 0; i < blocks; i++) {
    const x = i * BLOCK, o = i * 22;
    writeFiveBitQuants(f32, x, signedMaxBlock(f32, i, 16, out, o), out, o + 2);
  }
  return out;
}

/** Q5_0's / Q5_1's quants q(x) of the block at f32[x]: 32 fifth bits (element j at bit j), then 16 bytes of nibbles. */
function writeFiveBitQuants(f32: Float32Array, x: number, q: (v: number) => number, out: Uint8Array, o: number): void {
  let qh = 0;
  for (let j = 0; j < 16; j++) {
    const lo = q(f32[x + j]!);
    const hi = q(f32[x + 16 + j]!);
    out[o + 4 + j] = (lo & 0xf) | ((hi & 0xf) << 4);
    qh |= ((lo >> 4) << j) | ((hi >> 4) << (j + 16));
  }
  out[o] = qh & 0xff;
  out[o + 1] = (qh >>> 8) & 0xff;
  out[o + 2] = (qh >>> 16) & 0xff;
  out[o + 3] = qh >>> 24;
}

/**
 * Q5_1 (24 bytes): fp16 d, fp16 m, 32 fifth bits and 16 bytes of low nibbles as Q5_0; x = q d + m with q in [0, 31]:
 * d = (max - min) / 31, m = min, q = trunc((x - min) * (1/d) + 0.5).
 */
export function quantizeQ5_1(f32: Float32Array): Uint8Array {
  const blocks = checkLength(f32, 'quantizeQ5_1');
  const out = new Uint8Array(blocks * 24);
  for (let i = 0; i < blocks; i++) {
    const x = i * BLOCK, o = i * 24;
    let min = Infinity;
    let max = -Infinity;
    for (let j = 0; j < BLOCK; j++) {
      min = Math.min(min, f32[x + j]!);
      max = Math.max(max, f32[x + j]!);
    }
    const d = Math.fround(Math.fround(max - min) / 31);
    const id = d ? Math.fround(1 / d) : 0;
    const q = (v: number) => Math.trunc(Math.fround(Math.fround(Math.fround(v - min) * id) + 0.5));
    const dBits = f32ToF16(d), mBits = f32ToF16(min);
    out[o] = dBits & 0xff;
    out[o + 1] = dBits >> 8;
    out[o + 2] = mBits & 0xff;
    out[o + 3] = mBits >> 8;
    writeFiveBitQuants(f32, x, q, out, o + 4);
  }
  return out;
}

export { quantizeQ4_K, quantizeQ5_K, quantizeQ6_K } from './quantizeK.js';
export { quantizeQ2_K, quantizeQ3_K } from './quantizeLowBitK.js';
export { quantizeIQ4_NL, quantizeIQ4_XS } from './quantizeIQ4.js';
