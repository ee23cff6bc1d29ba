import type { GgufScalarTypeName, GgufTypedArray, GgufTypedValue, GgufValue } from './types.js';

const INT_RANGES: Partial<Record<GgufScalarTypeName, [bigint, bigint]>> = {
  u8: [0n, 255n], i8: [-128n, 127n], u16: [0n, 65535n], i16: [-32768n, 32767n],
  u32: [0n, 4294967295n], i32: [-2147483648n, 2147483647n],
  u64: [0n, 2n ** 64n - 1n], i64: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** Throws a TypeError/RangeError when `v` cannot be stored as `type`. */
export function checkScalar(type: GgufScalarTypeName, v: unknown): void {
  switch (type) {
    case 'str':
      if (typeof v !== 'string') throw new TypeError(`GGUF str value must be a string, got ${typeof v}`);
      return;
    case 'bool':
      if (typeof v !== 'boolean') throw new TypeError(`GGUF bool value must be a boolean, got ${typeof v}`);
      return;
    case 'f32':
    case 'f64':
      if (typeof v !== 'number') throw new TypeError(`GGUF ${type} value must be a number, got ${typeof v}`);
      return;
    default: {
      const range = INT_RANGES[type];
      if (!range) throw new TypeError(`unknown GGUF value type '${type}'`);
      if (typeof v === 'number' ? !Number.isSafeInteger(v) : typeof v !== 'bigint') {
        throw new TypeError(`GGUF ${type} value must be an integer (number or bigint), got ${String(v)}`);
      }
      const b = BigInt(v as number | bigint);
      if (b < range[0] || b > range[1]) throw new RangeError(`GGUF ${type} value ${b} is outside ${range[0]}..${range[1]}`);
    }
  }
}

function scalar<V extends number | bigint | boolean | string>(type: GgufScalarTypeName) {
  return (value: V): GgufTypedValue => {
    checkScalar(type, value);
    return { type, value };
  };
}

function arr(elementType: 'array', values: GgufTypedArray[]): GgufTypedArray;
function arr(elementType: GgufScalarTypeName, values: GgufValue[]): GgufTypedArray;
function arr(elementType: GgufScalarTypeName | 'array', values: GgufValue[] | GgufTypedArray[]): GgufTypedArray {
  if (elementType === 'array') {
    for (const v of values as GgufTypedArray[]) {
      if (typeof v !== 'object' || v === null || (v as GgufTypedArray).type !== 'array') {
        throw new TypeError('elements of a GGUF array of arrays must be typed arrays made by gguf.arr');
      }
    }
    return { type: 'array', elementType, values: values as GgufTypedArray[] };
  }
  for (const v of values as GgufValue[]) checkScalar(elementType, v);
  return { type: 'array', elementType, values: values as GgufValue[] };
}

/** Typed metadata values for writeGguf: `gguf.u32(5)`, `gguf.f32(1e-5)`, `gguf.arr('str', [...])`. */
export const gguf = {
  u8: scalar<number>('u8'), i8: scalar<number>('i8'), u16: scalar<number>('u16'), i16: scalar<number>('i16'),
  u32: scalar<number>('u32'), i32: scalar<number>('i32'), f32: scalar<number>('f32'), f64: scalar<number>('f64'),
  u64: scalar<number | bigint>('u64'), i64: scalar<number | bigint>('i64'),
  bool: scalar<boolean>('bool'), str: scalar<string>('str'),
  arr,
};
