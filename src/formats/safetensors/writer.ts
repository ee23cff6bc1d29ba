import fs from 'node:fs';
import { DTYPES, isSupportedDtype, type SafetensorsDtype } from './dtypes.js';
import { METADATA_KEY } from './header.js';

export interface SafetensorsTensorToWrite {
  name: string;
  dtype: SafetensorsDtype;
  /** PyTorch order */
  shape: number[];
  data: Uint8Array;
}

/** Writes a .safetensors file (header padded with spaces to a multiple of 8, tensors in the given order). */
export function writeSafetensors(path: string, tensors: SafetensorsTensorToWrite[], metadata?: Record<string, string>): void {
  const header: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new TypeError(`metadata value of '${k}' must be a string`);
    }
    header[METADATA_KEY] = metadata;
  }
  let offset = 0;
  for (const t of tensors) {
    if (t.name === METADATA_KEY || Object.prototype.hasOwnProperty.call(header, t.name)) {
      throw new Error(`tensor name '${t.name}' is reserved or duplicated`);
    }
    if (!isSupportedDtype(t.dtype)) throw new Error(`tensor '${t.name}': unsupported dtype ${String(t.dtype)}`);
    const info = DTYPES[t.dtype];
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new Error(`tensor '${t.name}': bad shape [${t.shape.join(', ')}]`);
    const bytes = t.shape.reduce((a, b) => a * b, info.bytes);
    if (t.data.length !== bytes) throw new Error(`tensor '${t.name}': data has ${t.data.length} bytes, shape needs ${bytes}`);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  const jsonBytes = Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - (jsonBytes % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(headerBytes.length));

  const fd = fs.openSync(path, 'w');
  try {
    for (const chunk of [prefix, headerBytes, ...tensors.map((t) => t.data)]) {
      let done = 0;
      while (done < chunk.length) done += fs.writeSync(fd, chunk, done, chunk.length - done);
    }
  } finally {
    fs.closeSync(fd);
  }
}
