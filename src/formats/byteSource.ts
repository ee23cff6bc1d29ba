import fs from 'node:fs';
import { ModelFormatError } from './errors.js';

/**
 * Random access to the bytes of a model file without reading it whole. Readers check every range
 * against `size` before calling `read`; a source still fails with a ModelFormatError when the file
 * changed under it (short read) or the OS refuses.
 */
export interface ByteSource {
  /** name used in error messages (the path for files) */
  readonly name: string;
  readonly size: number;
  /**
   * `length` bytes starting at `offset`. File sources return a fresh buffer (byteOffset 0, so typed
   * views of it are aligned); a mapped or in-memory source may return a view.
   */
  read(offset: number, length: number): Uint8Array;
  close(): void;
}

function describeOsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err && typeof err.message === 'string' ? err.message : String(e);
}

/** Opens `path` for positional reads (fs.readSync). */
export function fileByteSource(path: string): ByteSource {
  let fd: number;
  let size: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (e) {
    throw new ModelFormatError(path, `cannot open file (${describeOsError(e)})`, { cause: e });
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new ModelFormatError(path, 'not a regular file');
    size = stat.size;
  } catch (e) {
    fs.closeSync(fd);
    if (e instanceof ModelFormatError) throw e;
    throw new ModelFormatError(path, `cannot stat file (${describeOsError(e)})`, { cause: e });
  }
  let open = true;
  return {
    name: path,
    size,
    read(offset: number, length: number): Uint8Array {
      if (!open) throw new ModelFormatError(path, 'file is closed');
      checkRange(path, size, offset, length);
      let out: Uint8Array;
      try {
        out = new Uint8Array(length);
      } catch (e) {
        throw new ModelFormatError(path, `cannot allocate ${length} bytes to read at offset ${offset}`, { cause: e });
      }
      let done = 0;
      while (done < length) {
        let n: number;
        try {
          n = fs.readSync(fd, out, done, length - done, offset + done);
        } catch (e) {
          throw new ModelFormatError(path, `read failed at offset ${offset + done} (${describeOsError(e)})`, { cause: e });
        }
        if (n === 0) throw new ModelFormatError(path, `file ended at offset ${offset + done} (was it truncated while open?)`);
        done += n;
      }
      return out;
    },
    close(): void {
      if (open) {
        open = false;
        fs.closeSync(fd);
      }
    },
  };
}

/** A source over bytes already in memory (tests, fuzzing, or a mapped file). read() returns views. */
export function memoryByteSource(bytes: Uint8Array, name = '<memory>'): ByteSource {
  return {
    name,
    size: bytes.length,
    read(offset: number, length: number): Uint8Array {
      checkRange(name, bytes.length, offset, length);
      return bytes.subarray(offset, offset + length);
    },
    close(): void {},
  };
}

function checkRange(name: string, size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new ModelFormatError(name, `read of ${length} bytes at offset ${offset} is outside the file (${size} bytes)`);
  }
}
