// Seeded random inputs for the kernel tests: floats, and weight bytes of every compute type with
// sane 16-bit scales (random bytes elsewhere, so every quant bit pattern occurs).
import { blockLayout, GgmlType, rowBytes } from '../../../src/formats/ggmlTypes.js';

/** mulberry32: a small deterministic generator; next() is uniform in [0, 1). */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(limit: number): number {
    return Math.floor(this.next() * limit);
  }
  /** uniform in [-scale, scale) */
  floats(n: number, scale = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = (2 * this.next() - 1) * scale;
    return out;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
  /** fp16 bits: random sign and mantissa, biased exponent in [minExp, maxExp] (0 = subnormal). */
  halfBits(minExp: number, maxExp: number): number {
    const exponent = minExp + this.int(maxExp - minExp + 1);
    return (this.int(2) << 15) | (exponent << 10) | this.int(1024);
  }
}

/** Byte offsets of the f16 scale fields in one block of each quant type. */
const SCALE_OFFSETS: Partial<Record<GgmlType, number[]>> = {
  [GgmlType.Q4_0]: [0],
  [GgmlType.Q5_0]: [0],
  [GgmlType.Q8_0]: [0],
  [GgmlType.Q4_1]: [0, 2],
  [GgmlType.Q5_1]: [0, 2],
  [GgmlType.Q4_K]: [0, 2],
  [GgmlType.Q5_K]: [0, 2],
  [GgmlType.Q6_K]: [208],
  [GgmlType.Q2_K]: [80, 82],
  [GgmlType.Q3_K]: [108],
  [GgmlType.IQ4_NL]: [0],
  [GgmlType.IQ4_XS]: [0],
};

/** Weight bytes of `rows` rows of `cols` elements: finite values, scales between 2^-5 and 1. */
export function randomWeightBytes(rng: Rng, type: GgmlType, rows: number, cols: number): Uint8Array {
  const total = rows * rowBytes(type, cols);
  const bytes = rng.bytes(total);
  const view = new DataView(bytes.buffer);
  if (type === GgmlType.F32) {
    const floats = rng.floats(rows * cols);
    return new Uint8Array(floats.buffer);
  }
  if (type === GgmlType.F16) {
    // exponents 0..20 include zeros and subnormals (the scalar conversion's special case)
    for (let i = 0; i < rows * cols; i++) view.setUint16(2 * i, rng.halfBits(0, 20), true);
    return bytes;
  }
  if (type === GgmlType.BF16) {
    for (let i = 0; i < rows * cols; i++) {
      view.setUint16(2 * i, (rng.int(2) << 15) | ((120 + rng.int(10)) << 7) | rng.int(128), true);
    }
    return bytes;
  }
  const layout = blockLayout(type)!;
  const offsets = SCALE_OFFSETS[type]!;
  for (let block = 0; block < total / layout.blockBytes; block++) {
    for (const offset of offsets) view.setUint16(block * layout.blockBytes + offset, rng.halfBits(10, 15), true);
  }
  return bytes;
}
