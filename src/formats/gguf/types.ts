import type { GgmlType } from '../ggmlTypes.js';

/**
 * A metadata value as read. 64-bit integers are numbers when within Number.MAX_SAFE_INTEGER,
 * else bigints. Arrays are plain JS arrays (possibly nested).
 */
export type GgufValue = number | bigint | boolean | string | GgufValue[];

/** GGUF metadata value type ids, as stored in the file. */
export enum GgufValueType {
  UINT8 = 0,
  INT8 = 1,
  UINT16 = 2,
  INT16 = 3,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  UINT64 = 10,
  INT64 = 11,
  FLOAT64 = 12,
}

/** Short names of the scalar value types, as used by the writer (`gguf.u32(5)`). */
export type GgufScalarTypeName = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'bool' | 'str' | 'u64' | 'i64' | 'f64';

/**
 * A value together with its stored type, so metadata can be written back exactly (a JS number
 * cannot say uint32 vs float32). Arrays of arrays hold typed inner arrays.
 */
export type GgufTypedValue =
  | { type: GgufScalarTypeName; value: number | bigint | boolean | string }
  | { type: 'array'; elementType: GgufScalarTypeName; values: GgufValue[] }
  | { type: 'array'; elementType: 'array'; values: GgufTypedArray[] };

export type GgufTypedArray = Extract<GgufTypedValue, { type: 'array' }>;

export interface GgufTensorInfo {
  name: string;
  type: GgmlType;
  /** ggml order: dims[0] is the contiguous (row) length; a [out,in] matrix has dims [in, out] */
  dims: number[];
  /** absolute byte offset in the file */
  offset: number;
  byteLength: number;
}

export interface GgufFile {
  path: string;
  version: number;
  metadata: Map<string, GgufValue>;
  /** the same keys with their stored types (for writing metadata back, or showing types) */
  typedMetadata: Map<string, GgufTypedValue>;
  /** general.alignment, or 32 */
  alignment: number;
  /** absolute offset of the tensor data section */
  dataOffset: number;
  tensors: GgufTensorInfo[];
  tensor(name: string): GgufTensorInfo | undefined;
  /** the tensor's bytes, read on demand */
  tensorData(info: GgufTensorInfo): Uint8Array;
  close(): void;
}
