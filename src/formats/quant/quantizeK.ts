// Straightforward Q4_K, Q5_K and Q6_K quantizers (not llama.cpp's iterative scale search). The scales are
// chosen so that every sub-block's values lie inside its representable range after the scales are
// rounded (6-bit or int8 against an fp16 super-block scale, which is rounded up, never down): each
// element is then off by at most half a quantization step, d * scale / 2. Only values beyond the largest
// fp16 super-scale (|x| above about 1e6 for Q4_K, 1.3e8 for Q6_K) saturate.
// Layouts: see kBlocks.ts, which decodes them.

import { f16ToF32, f32ToF16 } from './halfFloat.js';

export const QK_K = 256;
const F16_MAX_BITS = 0x7bff; // 65504

export function checkLength(f32: Float32Array, what: string): number {
  if (f32.length % QK_K !== 0) throw new Error(`${what}: ${f32.length} values is not a multiple of ${QK_K}`);
  return f32.length / QK_K;
}

/** fp16 bits of the smallest fp16 value >= v (v >= 0), capped at the largest finite fp16. */
export function f16AtLeast(v: number): number {
  if (!(v > 0)) return 0;
  let bits = f32ToF16(v);
  if (bits >= 0x7c00) return F16_MAX_BITS;
  if (f16ToF32(bits) < v) bits++;
  return Math.min(bits, F16_MAX_BITS);
}

export const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/** Smallest integer n in [0, max] with n * unit >= need (max when even that is too small). */
export function unitsAtLeast(need: number, unit: number, max: number): number {
  if (!(unit > 0) || !(need > 0)) return 0;
  return Math.min(max, Math.ceil(need / unit));
}

/**
 * Q4_K / Q5_K: per 32 elements x = d*sc*q - dmin*m with q in [0, maxQ] and 6-bit sc, m. Each sub-block's offset
 * dmin*m is at least -min(0, its minimum), then its step d*sc covers up to its maximum. Writes d, dmin and the 12
 * packed scale bytes at the block's start; `place` puts quant q of element l of sub-block j into the block at o.
 */
function quantizeKWithMins(f32: Float32Array, what: string, maxQ: number, blockBytes: number,
  place: (out: Uint8Array, o: number, j: number, l: number, q: number) => void): Uint8Array {
  const blocks = checkLength(f32, what);
  const out = new Uint8Array(blocks * blockBytes);
  const lows = new Float64Array(8); // -min(0, min of sub-block) >= 0
  const highs = new Float64Array(8);
  const sc = new Uint8Array(8);
  const m = new Uint8Array(8);
  for (let b = 0; b < blocks; b++) {
    const x = b * QK_K, o = b * blockBytes;
    let lowMax = 0;
    for (let j = 0; j < 8; j++) {
      let lo = 0;
      let hi = -Infinity;
      for (let l = x + 32 * j, end = l + 32; l < end; l++) {
        const v = f32[l]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      lows[j] = -lo;
      highs[j] = hi;
      if (-lo > lowMax) lowMax = -lo;
    }
    const dminBits = f16AtLeast(lowMax / 63);
    const dmin = f16ToF32(dminBits);
    let needMax = 0;
    for (let j = 0; j < 8; j++) {
      m[j] = unitsAtLeast(lows[j]!, dmin, 63);
      highs[j] = Math.max(0, (highs[j]! + dmin * m[j]!) / maxQ); // the step this sub-block needs
      if (highs[j]! > needMax) needMax = highs[j]!;
    }
    const dBits = f16AtLeast(needMax / 63);
    const d = f16ToF32(dBits);
    for (let j = 0; j < 8; j++) sc[j] = unitsAtLeast(highs[j]!, d, 63);
    out[o] = dBits & 0xff;
    out[o + 1] = dBits >> 8;
    out[o + 2] = dminBits & 0xff;
    out[o + 3] = dminBits >> 8;
    for (let j = 0; j < 4; j++) {
      out[o + 4 + j] = sc[j]! | ((sc[j + 4]! >> 4) << 6);
      out[o + 8 + j] = m[j]! | ((m[j + 4]! >> 4) << 6);
      out[o + 12 + j] = (sc[j + 4]! & 0xf) | ((m[j + 4]! & 0xf) << 4);
    }
    for (let j = 0; j < 8; j++) {
      const step = d * sc[j]!;
      const inv = step > 0 ? 1 / step : 0;
      const offset = dmin * m[j]!;
      for (let l = 0; l < 32; l++) place(out, o, j, l, clamp(Math.round((f32[x + 32 * j + l]! + offset) * inv), 0, maxQ) | 0);
    }
  }
  return out;
}

/** Q4_K (144 bytes): d, dmin, scales[12], qs[128]; q in [0, 15]. Sub-blocks 2i and 2i+1 share qs[32i..32i+32): low, high nibbles. */
export function quantizeQ4_K(f32: Float32Array): Uint8Array {
  return quantizeKWithMins(f32, 'quantizeQ4_K', 15, 144, (out, o, j, l, q) => {
    out[o + 16 + 32 * (j >> 1) + l]! |= q << (4 * (j & 1));
  });
}

/** Q5_K (176 bytes): d, dmin, scales[12], qh[32], qs[128]; as Q4_K with q in [0, 31], bit j of qh[l] the fifth bit. */
export function quantizeQ5_K(f32: Float32Array): Uint8Array {
  return quantizeKWithMins(f32, 'quantizeQ5_K', 31, 176, (out, o, j, l, q) => {
    out[o + 48 + 32 * (j >> 1) + l]! |= (q & 0xf) << (4 * (j & 1));
    out[o + 16 + l]! |= (q >> 4) << j;
  });
}

/**
 * Q6_K: per 16 elements x = d*sc*(q - 32) with q in [0, 63] and int8 sc. The sign of sc sends the
 * side of larger magnitude to -32 (32 steps) and the other side to at most +31.
 */
export function quantizeQ6_K(f32: Float32Array): Uint8Array {
  const blocks = checkLength(f32, 'quantizeQ6_K');
  const out = new Uint8Array(blocks * 210);
  const need = new Float64Array(16); // |step| each sub-block needs
  const negative = new Uint8Array(16); // 1 when its largest magnitude is positive (then sc < 0)
  const q = new Uint8Array(QK_K);
  for (let b = 0; b < blocks; b++) {
    const x = b * QK_K;
    let needMax = 0;
    for (let j = 0; j < 16; j++) {
      let lo = 0;
      let hi = 0;
      for (let l = x + 16 * j, end = l + 16; l < end; l++) {
        const v = f32[l]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const flip = hi > -lo;
      const big = flip ? hi : -lo;
      const small = flip ? -lo : hi;
      negative[j] = flip ? 1 : 0;
      need[j] = Math.max(big / 32, small / 31);
      if (need[j]! > needMax) needMax = need[j]!;
    }
    const dBits = f16AtLeast(needMax / 127);
    const d = f16ToF32(dBits);
    const o = b * 210;
    for (let j = 0; j < 16; j++) {
      const units = unitsAtLeast(need[j]!, d, 127);
      const sc = negative[j] ? -units : units;
      out[o + 192 + j] = sc & 0xff;
      const inv = units > 0 ? 1 / (d * sc) : 0;
      for (let l = 0; l < 16; l++) q[16 * j + l] = clamp(Math.round(f32[x + 16 * j + l]! * inv), -32, 31) + 32;
    }
    out[o + 208] = dBits & 0xff;
    out[o + 209] = dBits >> 8;
    // per 128 elements: ql[64], qh[32]; element l+32k (l < 32) is nibble k>>1 of ql[l + 32*(k&1)], bits 2k.. of qh[l]
    for (let n = 0; n < 2; n++) {
      const ql = o + 64 * n;
      const qh = o + 128 + 32 * n;
      const e = 128 * n;
      for (let l = 0; l < 32; l++) {
        const q1 = q[e + l]!, q2 = q[e + l + 32]!, q3 = q[e + l + 64]!, q4 = q[e + l + 96]!;
        out[ql + l] = (q1 & 0xf) | ((q3 & 0xf) << 4);
        out[ql + l + 32] = (q2 & 0xf) | ((q4 & 0xf) << 4);
        out[qh + l] = (q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6);
      }
    }
  }
  return out;
}
