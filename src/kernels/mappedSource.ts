// A ByteSource over a memory-mapped file: tensor bytes are views of the page cache, never copied or read
// whole, so a model larger than RAM still opens (pages come in as the kernels touch them).
import { memoryByteSource, type ByteSource } from '../formats/byteSource.js';
import { ModelFormatError } from '../formats/errors.js';
import { mapFile } from './system.js';

export function mappedByteSource(path: string): ByteSource {
  let mapped: ArrayBuffer;
  try {
    mapped = mapFile(path);
  } catch (e) {
    throw new ModelFormatError(path, `cannot map file (${(e as Error).message})`, { cause: e });
  }
  return memoryByteSource(new Uint8Array(mapped), path);
}
