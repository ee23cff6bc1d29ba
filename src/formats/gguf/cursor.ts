import { ModelFormatError } from '../errors.js';
import type { ByteSource } from '../byteSource.js';

const DEFAULT_CHUNK = 1 << 20;

/**
 * Sequential little-endian reader over a ByteSource, for the GGUF header. It keeps one chunk in
 * memory and refills it on demand, so a header of any size is read without loading the file.
 * Every read is checked against the end of the file first.
 */
export class ByteCursor {
  private buf: Buffer<ArrayBufferLike> = Buffer.alloc(0);
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  /** absolute file offset of buf[0] */
  private bufStart = 0;
  position = 0;

  constructor(private readonly source: ByteSource, private readonly chunkSize = DEFAULT_CHUNK) {}

  get name(): string {
    return this.source.name;
  }

  get size(): number {
    return this.source.size;
  }

  /** Bytes between the cursor and the end of the file. */
  remaining(): number {
    return this.source.size - this.position;
  }

  fail(problem: string): never {
    throw new ModelFormatError(this.source.name, problem);
  }

  /** Makes `n` bytes at the cursor available in buf; returns their index in buf. */
  private need(n: number, what: string): number {
    if (n > this.remaining()) {
      this.fail(`unexpected end of file reading ${what} at offset ${this.position} (${n} bytes needed, ${this.remaining()} left)`);
    }
    const end = this.position + n;
    if (this.position < this.bufStart || end > this.bufStart + this.buf.length) {
      const length = Math.min(Math.max(n, this.chunkSize), this.remaining());
      const bytes = this.source.read(this.position, length);
      this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      this.bufStart = this.position;
    }
    const at = this.position - this.bufStart;
    this.position = end;
    return at;
  }

  u8(what = 'uint8'): number { const at = this.need(1, what); return this.view.getUint8(at); }
  i8(what = 'int8'): number { const at = this.need(1, what); return this.view.getInt8(at); }
  u16(what = 'uint16'): number { const at = this.need(2, what); return this.view.getUint16(at, true); }
  i16(what = 'int16'): number { const at = this.need(2, what); return this.view.getInt16(at, true); }
  u32(what = 'uint32'): number { const at = this.need(4, what); return this.view.getUint32(at, true); }
  i32(what = 'int32'): number { const at = this.need(4, what); return this.view.getInt32(at, true); }
  f32(what = 'float32'): number { const at = this.need(4, what); return this.view.getFloat32(at, true); }
  f64(what = 'float64'): number { const at = this.need(8, what); return this.view.getFloat64(at, true); }
  u64(what = 'uint64'): bigint { const at = this.need(8, what); return this.view.getBigUint64(at, true); }
  i64(what = 'int64'): bigint { const at = this.need(8, what); return this.view.getBigInt64(at, true); }

  /**
   * A uint64 used as a count, length or offset: returned as a number, failing when it exceeds
   * `max` (callers pass a bound derived from the bytes left, so nothing huge is ever allocated).
   */
  count(what: string, max: number): number {
    const at = this.need(8, what);
    const lo = this.view.getUint32(at, true);
    const hi = this.view.getUint32(at + 4, true);
    const value = hi * 2 ** 32 + lo; // exact below 2^53; beyond that it is far above any max anyway
    if (value > max) {
      const shown = hi >= 2 ** 21 ? this.view.getBigUint64(at, true).toString() : String(value);
      this.fail(`${what} ${shown} is too large (at most ${max} possible here)`);
    }
    return value;
  }

  /** A GGUF string: uint64 byte length, then UTF-8 bytes (invalid sequences become U+FFFD). */
  string(what = 'string'): string {
    const length = this.count(`${what} length`, this.remaining() - 8);
    const at = this.need(length, what);
    return this.buf.toString('utf8', at, at + length);
  }

  skip(n: number, what: string): void {
    this.need(n, what);
  }
}
