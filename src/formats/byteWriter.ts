/** Little-endian append-only byte buffer (for writing headers). */
export class ByteWriter {
  private buf = Buffer.alloc(4096);
  length = 0;

  /** Grows the buffer (replacing this.buf) and returns where the next n bytes go. */
  private reserve(n: number): number {
    if (this.length + n > this.buf.length) {
      const grown = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  u8(v: number): void { const at = this.reserve(1); this.buf.writeUInt8(v, at); }
  i8(v: number): void { const at = this.reserve(1); this.buf.writeInt8(v, at); }
  u16(v: number): void { const at = this.reserve(2); this.buf.writeUInt16LE(v, at); }
  i16(v: number): void { const at = this.reserve(2); this.buf.writeInt16LE(v, at); }
  u32(v: number): void { const at = this.reserve(4); this.buf.writeUInt32LE(v, at); }
  i32(v: number): void { const at = this.reserve(4); this.buf.writeInt32LE(v, at); }
  f32(v: number): void { const at = this.reserve(4); this.buf.writeFloatLE(v, at); }
  f64(v: number): void { const at = this.reserve(8); this.buf.writeDoubleLE(v, at); }
  u64(v: number | bigint): void { const at = this.reserve(8); this.buf.writeBigUInt64LE(BigInt(v), at); }
  i64(v: number | bigint): void { const at = this.reserve(8); this.buf.writeBigInt64LE(BigInt(v), at); }

  bytes(b: Uint8Array): void {
    const at = this.reserve(b.length);
    this.buf.set(b, at);
  }

  /** UTF-8 bytes of `s` with no length prefix. */
  utf8(s: string): number {
    const n = Buffer.byteLength(s, 'utf8');
    const at = this.reserve(n); // before touching this.buf: reserve may replace it
    this.buf.write(s, at, n, 'utf8');
    return n;
  }

  zeros(n: number): void {
    const at = this.reserve(n);
    this.buf.fill(0, at, at + n);
  }

  result(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}
