// Dequantization of ggml's 256-element K-quant super-blocks (Q4_K, Q5_K, Q6_K). Each function
// decodes one super-block at byte offset `p` of `b` into out[o..o+256).

import { f16Table32 } from './halfFloat.js';

const half = (b: Uint8Array, p: number, table: Float32Array): number => table[b[p]! | (b[p + 1]! << 8)]!;

/**
 * Q4_K/Q5_K pack 8 (scale, min) pairs of 6 bits into 12 bytes `s`: pairs 0..3 are the low 6 bits
 * of s[j] and s[j+4]; pairs 4..7 take their low 4 bits from s[j+4] (scale: low nibble, min: high
 * nibble) and their top 2 bits from the top bits of s[j-4] (scale) and s[j] (min).
 */
export function scaleMinK4(b: Uint8Array, s: number, j: number): [scale: number, min: number] {
  if (j < 4) return [b[s + j]! & 63, b[s + j + 4]! & 63];
  return [
    (b[s + j + 4]! & 0xf) | ((b[s + j - 4]! >> 6) << 4),
    (b[s + j + 4]! >> 4) | ((b[s + j]! >> 6) << 4),
  ];
}

/** Q4_K (144 bytes): d, dmin, scales[12], qs[128]; per 32 elements x = d*sc*q - dmin*m */
export function dequantQ4_K(b: Uint8Array, p: number, out: Float32Array, o: number): void {
  const t = f16Table32();
  const d = half(b, p, t);
  const dmin = half(b, p + 2, t);
  const scales = p + 4;
  let q = p + 16;
  // each 64 elements: 32 low nibbles of qs[q..q+32) (sub-block 2i), then their 32 high nibbles (2i+1)
  for (let i = 0; i < 4; i++, q += 32, o += 64) {
    const [sc1, m1] = scaleMinK4(b, scales, 2 * i);
    const [sc2, m2] = scaleMinK4(b, scales, 2 * i + 1);
    const d1 = d * sc1, min1 = dmin * m1, d2 = d * sc2, min2 = dmin * m2;
    for (let l = 0; l < 32; l++) {
      out[o + l] = d1 * (b[q + l]! & 0xf) - min1;
      out[o + l + 32] = d2 * (b[q + l]! >> 4) - min2;
    }
  }
}

/** Q5_K (176 bytes): d, dmin, scales[12], qh[32], qs[128]; like Q4_K with a 5th bit from qh */
export function dequantQ5_K(b: Uint8Array, p: number, out: Float32Array, o: number): void {
  const t = f16Table32();
  const d = half(b, p, t);
  const dmin = half(b, p + 2, t);
  const scales = p + 4;
  const qh = p + 16;
  let q = p + 48;
  // sub-block k takes its 5th bit from bit k of qh[l]
  for (let i = 0; i < 4; i++, q += 32, o += 64) {
    const [sc1, m1] = scaleMinK4(b, scales, 2 * i);
    const [sc2, m2] = scaleMinK4(b, scales, 2 * i + 1);
    const d1 = d * sc1, min1 = dmin * m1, d2 = d * sc2, min2 = dmin * m2;
    for (let l = 0; l < 32; l++) {
      const h = b[qh + l]!;
      out[o + l] = d1 * ((b[q + l]! & 0xf) | (((h >> (2 * i)) & 1) << 4)) - min1;
      out[o + l + 32] = d2 * ((b[q + l]! >> 4) | (((h >> (2 * i + 1)) & 1) << 4)) - min2;
    }
  }
}

/**
 * Q6_K (210 bytes): ql[128], qh[64], scales[16] int8, d; x = d * scale * (q6 - 32). Per 128
 * elements (ql[0..64), qh[0..32), scales[0..8)): element l+32k (l < 32, k = 0..3) takes the low
 * nibble (k < 2) or high nibble (k >= 2) of ql[l + 32*(k&1)], bits 2k..2k+1 of qh[l] as its top
 * two bits, and scales[l/16 + 2k].
 */
export function dequantQ6_K(b: Uint8Array, p: number, out: Float32Array, o: number): void {
  const d = half(b, p + 208, f16Table32());
  let ql = p;
  let qh = p + 128;
  let sc = p + 192;
  for (let n = 0; n < 2; n++, ql += 64, qh += 32, sc += 8, o += 128) {
    for (let l = 0; l < 32; l++) {
      const is = l >> 4;
      const h = b[qh + l]!;
      const q1 = ((b[ql + l]! & 0xf) | ((h & 3) << 4)) - 32;
      const q2 = ((b[ql + l + 32]! & 0xf) | (((h >> 2) & 3) << 4)) - 32;
      const q3 = ((b[ql + l]! >> 4) | (((h >> 4) & 3) << 4)) - 32;
      const q4 = ((b[ql + l + 32]! >> 4) | (((h >> 6) & 3) << 4)) - 32;
      out[o + l] = d * int8(b[sc + is]!) * q1;
      out[o + l + 32] = d * int8(b[sc + is + 2]!) * q2;
      out[o + l + 64] = d * int8(b[sc + is + 4]!) * q3;
      out[o + l + 96] = d * int8(b[sc + is + 6]!) * q4;
    }
  }
}

const int8 = (v: number): number => (v << 24) >> 24;
