// Straightforward IQ4_NL and IQ4_XS quantizers (not llama.cpp's weighted scale search): per 32 elements a
// signed scale sends the side of larger magnitude to the table's -127 and keeps the other side within its
// +113, then each element takes the nearest level. Layouts: see iq4Blocks.ts, which decodes them.

import { checkLength, f16AtLeast, QK_K, unitsAtLeast } from './quantizeK.js';
import { f16ToF32 } from './halfFloat.js';
import { IQ4_LEVELS } from './iq4Blocks.js';

const BLOCK = 32;

/** The signed scale block j of x needs: magnitude max(big / 127, small / 113), negative when big is positive. */
function blockScale(f32: Float32Array, start: number): number {
  let lo = 0, hi = 0;
  for (let l = start; l < start + BLOCK; l++) {
    lo = Math.min(lo, f32[l]!);
    hi = Math.max(hi, f32[l]!);
  }
  return hi > -lo ? -Math.max(hi / 127, -lo / 113) : Math.max(-lo / 127, hi / 113);
}

/** Index of the level nearest v. */
function nearestLevel(v: number): number {
  let best = 0;
  for (let i = 1; i < 16; i++) if (Math.abs(IQ4_LEVELS[i]! - v) < Math.abs(IQ4_LEVELS[best]! - v)) best = i;
  return best;
}

/** 32 elements at f32[start..] as nibbles at out[o..o+16) (element j low nibble of byte j, j + 16 high). */
function writeLevels(f32: Float32Array, start: number, scale: number, out: Uint8Array, o: number): void {
  const inv = scale !== 0 ? 1 / scale : 0;
  for (let j = 0; j < 16; j++) {
    out[o + j] = nearestLevel(f32[start + j]! * inv) | (nearestLevel(f32[start + j + 16]! * inv) << 4);
  }
}

/** IQ4_NL (18 bytes per 32): d (f16), 16 bytes of level nibbles; x = d * level. */
export function quantizeIQ4_NL(f32: Float32Array): Uint8Array {
  if (f32.length % BLOCK !== 0) throw new Error(`quantizeIQ4_NL: ${f32.length} values is not a multiple of ${BLOCK}`);
  const blocks = f32.length / BLOCK;
  const out = new Uint8Array(blocks * 18);
  for (let b = 0; b < blocks; b++) {
    const s = blockScale(f32, b * BLOCK);
    const bits = (s < 0 ? 0x8000 : 0) | f16AtLeast(Math.abs(s));
    out[18 * b] = bits & 0xff;
    out[18 * b + 1] = bits >> 8;
    writeLevels(f32, b * BLOCK, f16ToF32(bits), out, 18 * b + 2);
  }
  return out;
}

/** IQ4_XS (136 bytes per 256): d, scales_h, scales_l[4], qs[128]; block j: x = d * (sc_j - 32) * level. */
export function quantizeIQ4_XS(f32: Float32Array): Uint8Array {
  const blocks = checkLength(f32, 'quantizeIQ4_XS');
  const out = new Uint8Array(blocks * 136);
  const scales = new Float64Array(8);
  for (let b = 0; b < blocks; b++) {
    const x = b * QK_K, o = b * 136;
    let max = 0;
    for (let j = 0; j < 8; j++) {
      scales[j] = blockScale(f32, x + BLOCK * j);
      max = Math.max(max, Math.abs(scales[j]!));
    }
    const dBits = f16AtLeast(max / 31);
    const d = f16ToF32(dBits);
    out[o] = dBits & 0xff;
    out[o + 1] = dBits >> 8;
    let high = 0;
    for (let j = 0; j < 8; j++) {
      const units = unitsAtLeast(Math.abs(scales[j]!), d, 31);
      const sc = scales[j]! < 0 ? -units : units;
      const stored = sc + 32;
      out[o + 4 + (j >> 1)]! |= (stored & 0xf) << (4 * (j & 1));
      high |= (stored >> 4) << (2 * j);
      writeLevels(f32, x + BLOCK * j, d * sc, out, o + 8 + 16 * j);
    }
    out[o + 2] = high & 0xff;
    out[o + 3] = high >> 8;
  }
  return out;
}

