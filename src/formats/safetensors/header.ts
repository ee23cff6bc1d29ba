import type { ByteSource } from '../byteSource.js';
import { ModelFormatError, shortName } from '../errors.js';
import { DTYPES, isSupportedDtype, OTHER_DTYPES } from './dtypes.js';
import type { SafetensorsTensorInfo } from './types.js';

/** Largest JSON header accepted (the reference implementation's limit is 100 MB as well). */
export const MAX_HEADER_BYTES = 100_000_000;
export const METADATA_KEY = '__metadata__';

export interface SafetensorsHeader {
  metadata: Record<string, string>;
  dataOffset: number;
  tensors: SafetensorsTensorInfo[];
}

/** Reads and checks the 8-byte length, the JSON header and every tensor entry. */
export function readSafetensorsHeader(source: ByteSource): SafetensorsHeader {
  const fail = (problem: string): never => { throw new ModelFormatError(source.name, problem); };
  if (source.size < 8) fail(`file too small to be safetensors (${source.size} bytes)`);
  const lengthBytes = source.read(0, 8);
  const headerLength = new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, source.size - 8))) {
    fail(`header length ${headerLength} exceeds ${source.size - 8 < MAX_HEADER_BYTES ? `the ${source.size - 8} bytes after it` : `the limit of ${MAX_HEADER_BYTES} bytes`}`);
  }
  const dataOffset = 8 + Number(headerLength);
  const header = parseJsonObject(source.read(8, Number(headerLength)), fail);
  const dataSize = source.size - dataOffset;

  let metadata: Record<string, string> = {};
  const tensors: SafetensorsTensorInfo[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === METADATA_KEY) metadata = readMetadata(entry, fail);
    else tensors.push(readTensorEntry(name, entry, dataOffset, dataSize, (p) => fail(`tensor '${shortName(name)}': ${p}`)));
  }
  checkNoOverlap(tensors, fail);
  return { metadata, dataOffset, tensors };
}

function parseJsonObject(bytes: Uint8Array, fail: (p: string) => never): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('header is not valid UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail('header is not a JSON object');
  return parsed as Record<string, unknown>;
}

function readMetadata(entry: unknown, fail: (p: string) => never): Record<string, string> {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail(`${METADATA_KEY} is not an object`);
  for (const [k, v] of Object.entries(entry as object)) {
    if (typeof v !== 'string') fail(`${METADATA_KEY} value of '${shortName(k)}' is not a string`);
  }
  return entry as Record<string, string>;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function readTensorEntry(name: string, entry: unknown, dataOffset: number, dataSize: number, fail: (p: string) => never): SafetensorsTensorInfo {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail('entry is not an object');
  const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
  if (!isSupportedDtype(dtype)) {
    if (typeof dtype !== 'string') fail('dtype is missing or not a string');
    fail(OTHER_DTYPES.has(dtype as string) ? `dtype ${dtype} is not supported (only F32, F16, BF16)` : `unknown dtype '${dtype}'`);
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) fail('shape is not a list of non-negative integers');
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) fail('data_offsets is not a pair of non-negative integers');
  const [begin, end] = offsets as [number, number];
  if (begin > end) fail(`data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataSize) fail(`data_offsets end ${end} is beyond the ${dataSize} bytes of data`);
  const info = DTYPES[dtype as keyof typeof DTYPES];
  const expected = (shape as number[]).reduce((n, d) => n * BigInt(d), BigInt(info.bytes));
  if (expected !== BigInt(end - begin)) {
    fail(`shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${expected} bytes, data_offsets give ${end - begin}`);
  }
  const dims = (shape as number[]).length === 0 ? [1] : [...(shape as number[])].reverse();
  return { name, dtype: dtype as keyof typeof DTYPES, type: info.type, shape: shape as number[], dims, offset: dataOffset + begin, byteLength: end - begin };
}

function checkNoOverlap(tensors: SafetensorsTensorInfo[], fail: (p: string) => never): void {
  const sorted = tensors.filter((t) => t.byteLength > 0).sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.offset < prev.offset + prev.byteLength) fail(`tensors '${shortName(prev.name)}' and '${shortName(cur.name)}' overlap`);
  }
}
