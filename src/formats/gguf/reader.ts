import { fileByteSource, type ByteSource } from '../byteSource.js';
import { ModelFormatError } from '../errors.js';
import { ByteCursor } from './cursor.js';
import { readHeader } from './header.js';
import { readMetadata } from './metadata.js';
import { layoutTensors, readTensorInfos } from './tensorInfos.js';
import type { GgufFile, GgufTensorInfo, GgufTypedValue, GgufValue } from './types.js';

export type { GgufFile, GgufTensorInfo, GgufTypedValue, GgufValue } from './types.js';
export { ModelFormatError } from '../errors.js';

export interface OpenGgufOptions {
  /** read the metadata only (tokenizer work): no tensor infos are read, `tensors` is empty */
  vocabOnly?: boolean;
  /** how the file's bytes are reached (default: positional reads; the model loader passes a mapping) */
  openSource?: (path: string) => ByteSource;
}

/**
 * Opens a GGUF v2/v3 file: reads and checks the header, metadata and tensor infos (never the whole
 * file); tensor bytes are read on demand by tensorData(). Problems throw ModelFormatError.
 */
export function openGguf(path: string, options: OpenGgufOptions = {}): GgufFile {
  const source = (options.openSource ?? fileByteSource)(path);
  try {
    return openGgufSource(source, options);
  } catch (e) {
    source.close();
    throw e;
  }
}

/** openGguf over any ByteSource (in-memory files in tests and fuzzing). Takes ownership of it. */
export function openGgufSource(source: ByteSource, options: OpenGgufOptions = {}): GgufFile {
  const c = new ByteCursor(source);
  const header = readHeader(c);
  const { metadata, typedMetadata, alignment } = readMetadata(c, header.metadataCount);
  let tensors: GgufTensorInfo[] = [];
  let dataOffset = alignUp(c.position, alignment);
  if (!options.vocabOnly) {
    const raw = readTensorInfos(c, header.tensorCount);
    dataOffset = alignUp(c.position, alignment);
    if (raw.length > 0 && dataOffset > source.size) {
      c.fail(`tensor data section (offset ${dataOffset}) starts beyond the end of the file (${source.size} bytes)`);
    }
    tensors = layoutTensors(c, raw, { dataOffset, alignment, fileSize: source.size });
  }
  return new GgufFileReader(source, header.version, metadata, typedMetadata, alignment, dataOffset, tensors);
}

function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

class GgufFileReader implements GgufFile {
  private readonly byName: Map<string, GgufTensorInfo>;
  private closed = false;

  constructor(
    private readonly source: ByteSource,
    readonly version: number,
    readonly metadata: Map<string, GgufValue>,
    readonly typedMetadata: Map<string, GgufTypedValue>,
    readonly alignment: number,
    readonly dataOffset: number,
    readonly tensors: GgufTensorInfo[],
  ) {
    this.byName = new Map(tensors.map((t) => [t.name, t]));
  }

  get path(): string {
    return this.source.name;
  }

  tensor(name: string): GgufTensorInfo | undefined {
    return this.byName.get(name);
  }

  tensorData(info: GgufTensorInfo): Uint8Array {
    if (this.closed) throw new ModelFormatError(this.path, `cannot read tensor '${info.name}': file is closed`);
    return this.source.read(info.offset, info.byteLength);
  }

  close(): void {
    if (!this.closed) {
      this.closed = true;
      this.source.close();
    }
  }
}
