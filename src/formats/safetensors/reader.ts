import { fileByteSource, type ByteSource } from '../byteSource.js';
import { ModelFormatError } from '../errors.js';
import { readSafetensorsHeader } from './header.js';
import type { SafetensorsFile, SafetensorsTensorInfo } from './types.js';

export type { SafetensorsFile, SafetensorsTensorInfo } from './types.js';

/** Opens a .safetensors file: header read and checked now, tensor bytes read on demand. */
export function openSafetensors(path: string, openSource: (path: string) => ByteSource = fileByteSource): SafetensorsFile {
  const source = openSource(path);
  try {
    return openSafetensorsSource(source);
  } catch (e) {
    source.close();
    throw e;
  }
}

/** openSafetensors over any ByteSource (in-memory files in tests and fuzzing). Takes ownership. */
export function openSafetensorsSource(source: ByteSource): SafetensorsFile {
  const header = readSafetensorsHeader(source);
  const byName = new Map(header.tensors.map((t) => [t.name, t]));
  let closed = false;
  return {
    path: source.name,
    metadata: header.metadata,
    dataOffset: header.dataOffset,
    tensors: header.tensors,
    tensor: (name: string) => byName.get(name),
    tensorData(info: SafetensorsTensorInfo): Uint8Array {
      if (closed) throw new ModelFormatError(source.name, `cannot read tensor '${info.name}': file is closed`);
      return source.read(info.offset, info.byteLength);
    },
    close(): void {
      if (!closed) {
        closed = true;
        source.close();
      }
    },
  };
}
