// Dequantization of ggml's 32-element blocks (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0). Each function decodes
// one block at byte offset `p` of `b` into out[o..o+32). Scales are fp16, little-endian.
// Element j of a 4/5-bit block comes from the low nibble of qs[j] (j < 16) or the high nibble of
// qs[j-16]; the 5th bit of element j is bit j of the 32-bit qh.

import { f16Table32 } from './halfFloat.js';

const half = (b: Uint8Array, p: number, table: Float32Array): number => table[b[p]! | (b[p + 1]! << 8)]!;
const u32le = (b: Uint8Array, p: number): number => (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;

/** Q4_0 (18 bytes): d, qs[16]; x = (q - 8) * d */
export function dequantQ4_0(b: Uint8Array, p: number, out: Float32Array, o: number): void {
  const d = half(b, p, f16Table32());
  for (let j = 0; j < 16; j++) {
    const q = b[p + 2 + j]!;
    out[o + j] = ((q & 0xf) - 8) * d;
    out[o + j + 16] = ((q >> 4) - 8) * d;
  }
}

/** Q4_1 (20 bytes): d, m, qs[16]; x = q * d + m */
export function dequantQ4_1(b: Uint8Array, p: number, out: Float32Array, o: number): void {
  const t = f16Table32();
  const d = half(b, p, t);
  const m = half(b, p + 2, t);
  for (let j = 0; j < 16; j++) {
    const q = b[p + 4 + j]!;
    out[o + j] = (q & 0xf) * d + m;
    out[o + j + 16] = (q >> 4) * d + m;
  }
}

/** Q5_0 (22 bytes): d, qh (u32), qs[16]; x = (q5 - 16) * d */
export function dequantQ5_0(b: Uint8Array, p: number, out: Float32Array, o: number): void {
  const d = half(b, p, f16Table32());
  const qh = u32le(b, p + 2);
  for (let j = 0; j < 16; j++) {
    const q = b[p + 6 + j]!;
    const lo = (q & 0xf) | (((qh >>> j) & 1) << 4);
    const hi = (q >> 4) | (((qh >>> (j + 16)) & 1) << 4);
    out[o + j] = (lo - 16) * d;
    out[o + j + 16] = (hi - 16) * d;
  }
}

/** Q5_1 (24 bytes): d, m, qh (u32), qs[16]; x = q5 * d + m */
export function dequantQ5_1(b: Uint8Array, p: number, out: Float32Array, o: number): void {
  const t = f16Table32();
  const d = half(b, p, t);
  const m = half(b, p + 2, t);
  const qh = u32le(b, p + 4);
  for (let j = 0; j < 16; j++) {
    const q = b[p + 8 + j]!;
    const lo = (q & 0xf) | (((qh >>> j) & 1) << 4);
    const hi = (q >> 4) | (((qh >>> (j + 16)) & 1) << 4);
    out[o + j] = lo * d + m;
    out[o + j + 16] = hi * d + m;
  }
}

/** Q8_0 (34 bytes): d, qs[32] int8; x = q * d */
export function dequantQ8_0(b: Uint8Array, p: number, out: Float32Array, o: number): void {
  const d = half(b, p, f16Table32());
  for (let j = 0; j < 32; j++) out[o + j] = ((b[p + 2 + j]! << 24) >> 24) * d;
}
