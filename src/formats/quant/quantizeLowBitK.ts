// Straightforward Q3_K and Q2_K quantizers in quantizeK.ts's manner (not llama.cpp's scale search): scales
// are rounded up against an fp16 super-block scale rounded up, so every sub-block's values lie inside its
// range and each element is off by at most half a step. Layouts: see lowBitKBlocks.ts, which decodes them.

import { checkLength, clamp, f16AtLeast, QK_K, unitsAtLeast } from './quantizeK.js';
import { f16ToF32 } from './halfFloat.js';

/** The byte and bit of element e's 2-bit field in the 64 bytes shared by Q2_K's quants and Q3_K's low bits. */
const twoBitByte = (e: number): number => 32 * (e >> 7) + (e & 31);
const twoBitShift = (e: number): number => 2 * ((e >> 5) & 3);

function writeHalf(out: Uint8Array, o: number, bits: number): void {
  out[o] = bits & 0xff;
  out[o + 1] = bits >> 8;
}

/**
 * Q3_K: per 16 elements x = d*(sc-32)*q with q in [-4, 3] and 6-bit sc. The sign of sc - 32 sends the side
 * of larger magnitude to -4 (4 steps) and the other side to at most +3.
 */
export function quantizeQ3_K(f32: Float32Array): Uint8Array {
  const blocks = checkLength(f32, 'quantizeQ3_K');
  const out = new Uint8Array(blocks * 110);
  const need = new Float64Array(16);
  const flip = new Uint8Array(16); // 1 when the larger magnitude is positive (then sc - 32 < 0)
  for (let b = 0; b < blocks; b++) {
    const x = b * QK_K, o = b * 110;
    let needMax = 0;
    for (let j = 0; j < 16; j++) {
      let lo = 0, hi = 0;
      for (let l = x + 16 * j; l < x + 16 * j + 16; l++) {
        lo = Math.min(lo, f32[l]!);
        hi = Math.max(hi, f32[l]!);
      }
      flip[j] = hi > -lo ? 1 : 0;
      need[j] = flip[j] ? Math.max(hi / 4, -lo / 3) : Math.max(-lo / 4, hi / 3);
      needMax = Math.max(needMax, need[j]!);
    }
    const dBits = f16AtLeast(needMax / 31);
    const d = f16ToF32(dBits);
    writeHalf(out, o + 108, dBits);
    for (let j = 0; j < 16; j++) {
      const units = unitsAtLeast(need[j]!, d, 31);
      const sc = flip[j] ? -units : units;
      const stored = sc + 32;
      out[o + 96 + (j & 7)]! |= (stored & 0xf) << (4 * (j >> 3));
      out[o + 104 + (j & 3)]! |= (stored >> 4) << (2 * (j >> 2));
      const inv = units > 0 ? 1 / (d * sc) : 0;
      for (let e = 16 * j; e < 16 * j + 16; e++) {
        const q = clamp(Math.round(f32[x + e]! * inv), -4, 3) + 4;
        out[o + 32 + twoBitByte(e)]! |= (q & 3) << twoBitShift(e);
        out[o + (e & 31)]! |= (q >> 2) << (e >> 5);
      }
    }
  }
  return out;
}

/**
 * Q2_K: per 16 elements x = d*sc*q - dmin*m with q in [0, 3] and 4-bit sc, m. The sub-block's offset
 * dmin*m is at least -min(0, its minimum), then its step d*sc covers up to its maximum.
 */
export function quantizeQ2_K(f32: Float32Array): Uint8Array {
  const blocks = checkLength(f32, 'quantizeQ2_K');
  const out = new Uint8Array(blocks * 84);
  const lows = new Float64Array(16), highs = new Float64Array(16);
  const m = new Uint8Array(16);
  for (let b = 0; b < blocks; b++) {
    const x = b * QK_K, o = b * 84;
    let lowMax = 0;
    for (let j = 0; j < 16; j++) {
      let lo = 0, hi = -Infinity;
      for (let l = x + 16 * j; l < x + 16 * j + 16; l++) {
        lo = Math.min(lo, f32[l]!);
        hi = Math.max(hi, f32[l]!);
      }
      lows[j] = -lo;
      highs[j] = hi;
      lowMax = Math.max(lowMax, -lo);
    }
    const dminBits = f16AtLeast(lowMax / 15);
    const dmin = f16ToF32(dminBits);
    let needMax = 0;
    for (let j = 0; j < 16; j++) {
      m[j] = unitsAtLeast(lows[j]!, dmin, 15);
      highs[j] = Math.max(0, (highs[j]! + dmin * m[j]!) / 3);
      needMax = Math.max(needMax, highs[j]!);
    }
    const dBits = f16AtLeast(needMax / 15);
    const d = f16ToF32(dBits);
    writeHalf(out, o + 80, dBits);
    writeHalf(out, o + 82, dminBits);
    for (let j = 0; j < 16; j++) {
      const sc = unitsAtLeast(highs[j]!, d, 15);
      out[o + j] = sc | (m[j]! << 4);
      const inv = sc > 0 ? 1 / (d * sc) : 0;
      const offset = dmin * m[j]!;
      for (let e = 16 * j; e < 16 * j + 16; e++) {
        const q = clamp(Math.round((f32[x + e]! + offset) * inv), 0, 3);
        out[o + 16 + twoBitByte(e)]! |= q << twoBitShift(e);
      }
    }
  }
  return out;
}
