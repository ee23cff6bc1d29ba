// bf16 rounding in plain JS, written from the definition (the top 16 bits of an F32, rounded to the
// nearest, ties to even), for references independent of the native conversions.
const bits = new Uint32Array(1);
const value = new Float32Array(bits.buffer);

/** The bf16 bits nearest to x (ties to even); a NaN gives a quiet NaN of the same sign. */
export function bf16Bits(x: number): number {
  value[0] = x;
  const u = bits[0]!;
  if ((u & 0x7fffffff) > 0x7f800000) return (u >>> 16) | 0x40;
  const lower = u & 0xffff;
  let upper = u >>> 16;
  if (lower > 0x8000 || (lower === 0x8000 && (upper & 1) === 1)) upper += 1;
  return upper & 0xffff;
}

export function bf16Float(b: number): number {
  bits[0] = b << 16;
  return value[0]!;
}

/** x rounded to the nearest bf16 (ties to even); NaN stays NaN. */
export const roundBf16 = (x: number): number => bf16Float(bf16Bits(x));
export const rounded = (x: Float32Array): Float32Array => x.map(roundBf16);
