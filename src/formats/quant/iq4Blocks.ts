// Dequantization of ggml's 4-bit non-linear types (IQ4_NL, IQ4_XS): each nibble indexes a fixed table
// of 16 int8 levels. Each function decodes one block at byte offset `p` of `b` into out[o..).

import { f16Table32 } from './halfFloat.js';

/** The 16 levels a nibble selects (ggml's kvalues_iq4nl). */
export const IQ4_LEVELS: readonly number[] = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113];

const half = (b: Uint8Array, p: number, table: Float32Array): number => table[b[p]! | (b[p + 1]! << 8)]!;

/** 32 elements from 16 bytes at q: element j the low nibble of byte j, element j + 16 its high nibble. */
function levels32(b: Uint8Array, q: number, scale: number, out: Float32Array, o: number): void {
  for (let j = 0; j < 16; j++) {
    out[o + j] = Math.fround(scale * IQ4_LEVELS[b[q + j]! & 0xf]!);
    out[o + j + 16] = Math.fround(scale * IQ4_LEVELS[b[q + j]! >> 4]!);
  }
}

/** IQ4_NL (18 bytes, 32 elements): d, qs[16]; x = d * level */
export function dequantIQ4_NL(b: Uint8Array, p: number, out: Float32Array, o: number): void {
  levels32(b, p + 2, half(b, p, f16Table32()), out, o);
}

/** The 6-bit scale of block j (< 8) of an IQ4_XS super-block at p: scales_l nibble, scales_h bit pair on top. */
export function scaleIQ4_XS(b: Uint8Array, p: number, j: number): number {
  const high = ((b[p + 2]! | (b[p + 3]! << 8)) >> (2 * j)) & 3;
  return ((b[p + 4 + (j >> 1)]! >> (4 * (j & 1))) & 0xf) | (high << 4);
}

/** IQ4_XS (136 bytes, 256 elements): d, scales_h (u16), scales_l[4], qs[128]; block j: x = d * (sc_j - 32) * level */
export function dequantIQ4_XS(b: Uint8Array, p: number, out: Float32Array, o: number): void {
  const d = half(b, p, f16Table32());
  for (let j = 0; j < 8; j++) levels32(b, p + 8 + 16 * j, Math.fround(d * (scaleIQ4_XS(b, p, j) - 32)), out, o + 32 * j);
}
