import fs from 'node:fs';
import { ByteWriter } from '../byteWriter.js';
import { blockLayout, ggmlTypeName, type GgmlType } from '../ggmlTypes.js';
import { ALIGNMENT_KEY, DEFAULT_ALIGNMENT } from './metadata.js';
import { MAX_DIMS } from './tensorInfos.js';
import { checkScalar } from './typedValues.js';
import { GgufValueType, type GgufScalarTypeName, type GgufTypedArray, type GgufTypedValue } from './types.js';

export { gguf } from './typedValues.js';

export interface GgufTensorToWrite {
  name: string;
  type: GgmlType;
  /** ggml order (dims[0] = row length) */
  dims: number[];
  data: Uint8Array;
}

export interface GgufToWrite {
  metadata: Array<[string, GgufTypedValue]>;
  tensors: GgufTensorToWrite[];
  /** data alignment; when not 32 a general.alignment key is written (default: the key's value, else 32) */
  alignment?: number;
}

const TYPE_IDS: Readonly<Record<GgufScalarTypeName, GgufValueType>> = {
  u8: GgufValueType.UINT8, i8: GgufValueType.INT8, u16: GgufValueType.UINT16, i16: GgufValueType.INT16,
  u32: GgufValueType.UINT32, i32: GgufValueType.INT32, f32: GgufValueType.FLOAT32, bool: GgufValueType.BOOL,
  str: GgufValueType.STRING, u64: GgufValueType.UINT64, i64: GgufValueType.INT64, f64: GgufValueType.FLOAT64,
};

/** Writes a GGUF v3 file. Invalid input (types, sizes, duplicate names) throws before anything is written. */
export function writeGguf(path: string, file: GgufToWrite): void {
  const metadata = withAlignmentKey(file.metadata, file.alignment);
  const alignment = resolveAlignment(metadata);
  const tensors = file.tensors.map(checkTensor);
  if (new Set(tensors.map((t) => t.name)).size !== tensors.length) throw new Error('duplicate tensor name');

  const w = new ByteWriter();
  w.utf8('GGUF');
  w.u32(3);
  w.u64(tensors.length);
  w.u64(metadata.length);
  for (const [key, value] of metadata) {
    writeString(w, key);
    writeTypedValue(w, value);
  }
  let relative = 0;
  for (const t of tensors) {
    writeString(w, t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(t.type);
    w.u64(relative);
    relative = alignUp(relative + t.data.length, alignment);
  }
  w.zeros(alignUp(w.length, alignment) - w.length);

  const fd = fs.openSync(path, 'w');
  try {
    writeAll(fd, w.result());
    const padding = new Uint8Array(alignment);
    for (const t of tensors) {
      writeAll(fd, t.data);
      writeAll(fd, padding.subarray(0, alignUp(t.data.length, alignment) - t.data.length));
    }
  } finally {
    fs.closeSync(fd);
  }
}

function withAlignmentKey(metadata: Array<[string, GgufTypedValue]>, alignment: number | undefined): Array<[string, GgufTypedValue]> {
  const keys = new Set<string>();
  for (const [key] of metadata) {
    if (typeof key !== 'string' || key.length === 0) throw new Error('metadata keys must be non-empty strings');
    if (keys.has(key)) throw new Error(`duplicate metadata key '${key}'`);
    keys.add(key);
  }
  if (alignment === undefined) return metadata;
  const existing = metadata.find(([key]) => key === ALIGNMENT_KEY);
  if (existing) {
    if (existing[1].type !== 'u32' || existing[1].value !== alignment) {
      throw new Error(`alignment ${alignment} disagrees with the ${ALIGNMENT_KEY} metadata entry`);
    }
    return metadata;
  }
  return alignment === DEFAULT_ALIGNMENT ? metadata : [...metadata, [ALIGNMENT_KEY, { type: 'u32', value: alignment }]];
}

function resolveAlignment(metadata: Array<[string, GgufTypedValue]>): number {
  const entry = metadata.find(([key]) => key === ALIGNMENT_KEY);
  if (!entry) return DEFAULT_ALIGNMENT;
  const a = entry[1].type === 'u32' ? (entry[1].value as number) : NaN;
  if (!(a > 0) || (a & (a - 1)) !== 0) throw new Error(`${ALIGNMENT_KEY} must be a uint32 power of two`);
  return a;
}

function checkTensor(t: GgufTensorToWrite): GgufTensorToWrite {
  const layout = blockLayout(t.type);
  if (!layout) throw new Error(`tensor '${t.name}': unsupported type ${ggmlTypeName(t.type)}`);
  if (t.dims.length < 1 || t.dims.length > MAX_DIMS || !t.dims.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`tensor '${t.name}': dims [${t.dims.join(', ')}] must be 1..${MAX_DIMS} non-negative integers`);
  }
  if (t.dims[0]! % layout.blockElements !== 0) {
    throw new Error(`tensor '${t.name}': row length ${t.dims[0]} is not a multiple of the ${ggmlTypeName(t.type)} block (${layout.blockElements})`);
  }
  const elements = t.dims.reduce((a, b) => a * b, 1);
  const expected = (elements / layout.blockElements) * layout.blockBytes;
  if (t.data.length !== expected) {
    throw new Error(`tensor '${t.name}': data has ${t.data.length} bytes, dims [${t.dims.join(', ')}] of ${ggmlTypeName(t.type)} need ${expected}`);
  }
  return t;
}

function writeString(w: ByteWriter, s: string): void {
  w.u64(Buffer.byteLength(s, 'utf8'));
  w.utf8(s);
}

function writeTypedValue(w: ByteWriter, tv: GgufTypedValue): void {
  if (tv.type === 'array') {
    w.u32(GgufValueType.ARRAY);
    writeArrayBody(w, tv);
    return;
  }
  checkScalar(tv.type, tv.value);
  w.u32(TYPE_IDS[tv.type]);
  writeScalar(w, tv.type, tv.value);
}

function writeArrayBody(w: ByteWriter, a: GgufTypedArray): void {
  if (a.elementType === 'array') {
    w.u32(GgufValueType.ARRAY);
    w.u64(a.values.length);
    for (const inner of a.values as GgufTypedArray[]) writeArrayBody(w, inner);
    return;
  }
  w.u32(TYPE_IDS[a.elementType]);
  w.u64(a.values.length);
  for (const v of a.values) {
    checkScalar(a.elementType, v);
    writeScalar(w, a.elementType, v as number | bigint | boolean | string);
  }
}

function writeScalar(w: ByteWriter, type: GgufScalarTypeName, v: number | bigint | boolean | string): void {
  switch (type) {
    case 'u8': w.u8(v as number); break;
    case 'i8': w.i8(v as number); break;
    case 'u16': w.u16(v as number); break;
    case 'i16': w.i16(v as number); break;
    case 'u32': w.u32(v as number); break;
    case 'i32': w.i32(v as number); break;
    case 'f32': w.f32(v as number); break;
    case 'f64': w.f64(v as number); break;
    case 'u64': w.u64(v as number | bigint); break;
    case 'i64': w.i64(v as number | bigint); break;
    case 'bool': w.u8(v ? 1 : 0); break;
    case 'str': writeString(w, v as string); break;
  }
}

function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}
