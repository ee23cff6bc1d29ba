import type { ByteCursor } from './cursor.js';
import { GgufValueType, type GgufScalarTypeName, type GgufTypedArray, type GgufTypedValue, type GgufValue } from './types.js';

/** Arrays of arrays deeper than this are refused (real files use depth 1). */
export const MAX_ARRAY_DEPTH = 8;

export const SCALAR_TYPE_NAMES: Readonly<Record<number, GgufScalarTypeName>> = {
  [GgufValueType.UINT8]: 'u8',
  [GgufValueType.INT8]: 'i8',
  [GgufValueType.UINT16]: 'u16',
  [GgufValueType.INT16]: 'i16',
  [GgufValueType.UINT32]: 'u32',
  [GgufValueType.INT32]: 'i32',
  [GgufValueType.FLOAT32]: 'f32',
  [GgufValueType.BOOL]: 'bool',
  [GgufValueType.STRING]: 'str',
  [GgufValueType.UINT64]: 'u64',
  [GgufValueType.INT64]: 'i64',
  [GgufValueType.FLOAT64]: 'f64',
};

/** Fewest bytes one value of a type takes in the file (bounds array counts before allocating). */
const MIN_BYTES: Readonly<Record<number, number>> = {
  [GgufValueType.UINT8]: 1, [GgufValueType.INT8]: 1, [GgufValueType.BOOL]: 1,
  [GgufValueType.UINT16]: 2, [GgufValueType.INT16]: 2,
  [GgufValueType.UINT32]: 4, [GgufValueType.INT32]: 4, [GgufValueType.FLOAT32]: 4,
  [GgufValueType.UINT64]: 8, [GgufValueType.INT64]: 8, [GgufValueType.FLOAT64]: 8,
  [GgufValueType.STRING]: 8,
  [GgufValueType.ARRAY]: 12,
};

/** 64-bit integers: a number when exactly representable, else the bigint. */
function int64Value(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function readScalar(c: ByteCursor, type: number): number | bigint | boolean | string {
  switch (type) {
    case GgufValueType.UINT8: return c.u8();
    case GgufValueType.INT8: return c.i8();
    case GgufValueType.UINT16: return c.u16();
    case GgufValueType.INT16: return c.i16();
    case GgufValueType.UINT32: return c.u32();
    case GgufValueType.INT32: return c.i32();
    case GgufValueType.FLOAT32: return c.f32();
    case GgufValueType.UINT64: return int64Value(c.u64());
    case GgufValueType.INT64: return int64Value(c.i64());
    case GgufValueType.FLOAT64: return c.f64();
    case GgufValueType.STRING: return c.string();
    case GgufValueType.BOOL: {
      const at = c.position;
      const b = c.u8('bool');
      if (b > 1) c.fail(`bool value ${b} at offset ${at} is neither 0 nor 1`);
      return b === 1;
    }
    default: return c.fail(`unknown metadata value type ${type}`);
  }
}

/** Reads a value of stored type id `type` (the type id itself already read). */
export function readTypedValue(c: ByteCursor, type: number, depth = 0): GgufTypedValue {
  if (type !== GgufValueType.ARRAY) {
    const name = SCALAR_TYPE_NAMES[type];
    if (name === undefined) c.fail(`unknown metadata value type ${type}`);
    return { type: name, value: readScalar(c, type) };
  }
  return readArray(c, depth + 1);
}

function readArray(c: ByteCursor, depth: number): GgufTypedArray {
  if (depth > MAX_ARRAY_DEPTH) c.fail(`arrays nested deeper than ${MAX_ARRAY_DEPTH} levels`);
  const elementType = c.u32('array element type');
  const minBytes = MIN_BYTES[elementType];
  if (minBytes === undefined) c.fail(`unknown array element type ${elementType}`);
  const count = c.count('array length', Math.floor((c.remaining() - 8) / minBytes));
  if (elementType === GgufValueType.ARRAY) {
    const values: GgufTypedArray[] = new Array(count);
    for (let i = 0; i < count; i++) values[i] = readArray(c, depth + 1);
    return { type: 'array', elementType: 'array', values };
  }
  const values: GgufValue[] = new Array(count);
  for (let i = 0; i < count; i++) values[i] = readScalar(c, elementType);
  return { type: 'array', elementType: SCALAR_TYPE_NAMES[elementType]!, values };
}

/** The plain value of a typed value (nested typed arrays become nested plain arrays). */
export function plainValue(tv: GgufTypedValue): GgufValue {
  if (tv.type !== 'array') return tv.value;
  if (tv.elementType !== 'array') return tv.values;
  return (tv.values as GgufTypedArray[]).map(plainValue);
}
