// bf16 and IEEE half rounding in plain JS, written from the definitions (bf16: the top 16 bits of an F32, rounded to the
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

function roundHalfEven(v: number): number {
  const floor = Math.floor(v);
  const rest = v - floor;
  if (rest !== 0.5) return rest < 0.5 ? floor : floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * The IEEE half bits nearest to the float x (ties to even), by arithmetic on the value (exact in doubles: only
 * power-of-two scalings): past the largest half, infinity; a NaN gives a quiet NaN with x's top payload bits.
 */
export function f16Bits(x: number): number {
  value[0] = x;
  const u = bits[0]!;
  const sign = (u >>> 16) & 0x8000;
  if (Number.isNaN(x)) return sign | 0x7e00 | ((u >>> 13) & 0x3ff);
  const a = Math.abs(value[0]!);
  if (a < 2 ** -14) return sign | roundHalfEven(a * 2 ** 24);  // subnormal steps of 2^-24 (1024 is the smallest normal)
  if (a === Infinity) return sign | 0x7c00;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  let mantissa = roundHalfEven((a / 2 ** e) * 1024);
  if (mantissa === 2048) {
    e++;
    mantissa = 1024;
  }
  if (e > 15) return sign | 0x7c00;
  return sign | ((e + 15) << 10) | (mantissa - 1024);
}

export function f16Float(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

export const roundedF16 = (x: Float32Array): Float32Array => x.map((v) => f16Float(f16Bits(v)));
