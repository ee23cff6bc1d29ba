// Exact conversions between float32 and the 16-bit float formats (IEEE fp16 and bfloat16).
// Inputs of the f32 -> 16-bit direction are taken as float32 values (as ggml does): a JS number is
// first rounded to float32.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function float32Bits(x: number): number {
  f32[0] = x;
  return u32[0]!;
}

/** fp16 bits -> value (exact). */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

/** value -> fp16 bits, rounding to nearest even; overflow gives inf, NaN stays a (quiet) NaN. */
export function f32ToF16(x: number): number {
  const u = float32Bits(x);
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  const mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 127 + 15; // fp16 biased exponent
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // fp16 subnormal (or zero): value = full24 * 2^(exp-150), in units of 2^-24 that is full24 >> (14 - e)
    if (e < -10) return sign;
    const full = mant | 0x800000;
    const shift = 14 - e;
    return sign | roundShift(full, shift);
  }
  // normal: drop 13 mantissa bits; a carry out of the mantissa correctly bumps the exponent (up to inf)
  return sign | (((e << 10) | (mant >>> 13)) + roundIncrement(mant, 13));
}

/** `v >> shift`, rounded to nearest even. */
function roundShift(v: number, shift: number): number {
  return (v >>> shift) + roundIncrement(v, shift);
}

/** 1 when the `shift` bits dropped from `v` round its kept part up (to nearest, ties to even). */
function roundIncrement(v: number, shift: number): number {
  const rest = v & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  if (rest > half) return 1;
  if (rest < half) return 0;
  return (v >>> shift) & 1;
}

/** bfloat16 bits -> value (exact). */
export function bf16ToF32(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0]!;
}

/** value -> bfloat16 bits, rounding to nearest even (as ggml); NaN becomes a quiet NaN. */
export function f32ToBf16(x: number): number {
  const u = float32Bits(x);
  if ((u & 0x7fffffff) > 0x7f800000) return ((u >>> 16) | 0x40) & 0xffff;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

let f16Table: Float32Array | undefined;

/** All 65536 fp16 values, for fast block dequantization. */
export function f16Table32(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = f16ToF32(h);
  }
  return f16Table;
}
