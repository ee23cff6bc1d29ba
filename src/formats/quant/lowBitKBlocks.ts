// Dequantization of ggml's 2- and 3-bit K-quant super-blocks (Q2_K, Q3_K): 256 elements in 16
// sub-blocks of 16. Each function decodes one super-block at byte offset `p` of `b` into out[o..o+256).
// The float steps are float32 ones in ggml's order (Math.fround), so values match llama.cpp's bit for bit.

import { f16Table32 } from './halfFloat.js';

const half = (b: Uint8Array, p: number, table: Float32Array): number => table[b[p]! | (b[p + 1]! << 8)]!;
const f32 = Math.fround;

/**
 * Element e (< 256) of a 2-bit-per-element layout shared by Q2_K's quants and Q3_K's low bits: 64 bytes,
 * per 128 elements 32 bytes whose bit pairs 0-1, 2-3, 4-5, 6-7 hold 32 elements each.
 */
function twoBits(b: Uint8Array, qs: number, e: number): number {
  const half128 = e >> 7, pair = (e >> 5) & 3, l = e & 31;
  return (b[qs + 32 * half128 + l]! >> (2 * pair)) & 3;
}

/** Q2_K (84 bytes): scales[16] (low nibble scale, high nibble min), qs[64], d, dmin; x = d*sc*q - dmin*m */
export function dequantQ2_K(b: Uint8Array, p: number, out: Float32Array, o: number): void {
  const t = f16Table32();
  const d = half(b, p + 80, t), dmin = half(b, p + 82, t);
  for (let s = 0; s < 16; s++) {
    const packed = b[p + s]!;
    const dl = f32(d * (packed & 0xf)), ml = f32(dmin * (packed >> 4));
    for (let e = 16 * s; e < 16 * s + 16; e++) out[o + e] = f32(f32(dl * twoBits(b, p + 16, e)) - ml);
  }
}

/**
 * The 6-bit scale of sub-block j (< 16) of Q3_K's 12 packed bytes at `s`: low 4 bits from the low
 * (j < 8) or high nibble of byte j % 8, top 2 bits from bits 2 (j / 4) .. of byte 8 + j % 4.
 */
export function scaleQ3_K(b: Uint8Array, s: number, j: number): number {
  const low = (b[s + (j & 7)]! >> (4 * (j >> 3))) & 0xf;
  const high = (b[s + 8 + (j & 3)]! >> (2 * (j >> 2))) & 3;
  return low | (high << 4);
}

/**
 * Q3_K (110 bytes): hmask[32], qs[64], scales[12], d. Element e's quant is its two low bits (qs, as Q2_K)
 * minus 4 where bit e / 32 of hmask[e % 32] is clear; x = d * (sc - 32) * q.
 */
export function dequantQ3_K(b: Uint8Array, p: number, out: Float32Array, o: number): void {
  const d = half(b, p + 108, f16Table32());
  for (let s = 0; s < 16; s++) {
    const dl = f32(d * (scaleQ3_K(b, p + 96, s) - 32));
    for (let e = 16 * s; e < 16 * s + 16; e++) {
      const high = (b[p + (e & 31)]! >> (e >> 5)) & 1;
      out[o + e] = f32(dl * (twoBits(b, p + 32, e) - (high ? 0 : 4)));
    }
  }
}
