import type { ByteCursor } from './cursor.js';

export const GGUF_MAGIC = 'GGUF';
/** Fewest bytes a tensor info takes: name length, n_dims, one dim, type, offset. */
export const MIN_TENSOR_INFO_BYTES = 8 + 4 + 8 + 4 + 8;
/** Fewest bytes a metadata entry takes: key length, one key byte, value type, a 1-byte value. */
export const MIN_METADATA_ENTRY_BYTES = 8 + 1 + 4 + 1;

export interface GgufHeader {
  version: number;
  tensorCount: number;
  metadataCount: number;
}

/** Reads magic, version and the two counts (GGUF v2/v3: uint64 counts). */
export function readHeader(c: ByteCursor): GgufHeader {
  if (c.size < 4) c.fail(`file too small to be GGUF (${c.size} bytes)`);
  const magic = [c.u8(), c.u8(), c.u8(), c.u8()];
  if (String.fromCharCode(...magic) !== GGUF_MAGIC) {
    const hex = magic.map((b) => b.toString(16).padStart(2, '0')).join(' ');
    c.fail(`not a GGUF file (magic bytes ${hex}, expected 47 47 55 46 "GGUF")`);
  }
  const version = c.u32('version');
  if (version === 0x02000000 || version === 0x03000000) c.fail('big-endian GGUF files are not supported');
  if (version !== 2 && version !== 3) c.fail(`unsupported GGUF version ${version} (supported: 2, 3)`);
  const tensorCount = c.count('tensor count', Math.floor((c.remaining() - 16) / MIN_TENSOR_INFO_BYTES));
  const metadataCount = c.count(
    'metadata entry count',
    Math.floor((c.remaining() - 8 - tensorCount * MIN_TENSOR_INFO_BYTES) / MIN_METADATA_ENTRY_BYTES),
  );
  return { version, tensorCount, metadataCount };
}
