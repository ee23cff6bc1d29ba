// A hand-rolled little-endian byte builder for crafting GGUF files byte by byte in tests
// (including malformed ones), independent of the project's writer.

export class RawBytes {
  private parts: number[] = [];

  get length(): number {
    return this.parts.length;
  }

  u8(...vs: number[]): this { for (const v of vs) this.parts.push(v & 0xff); return this; }
  u32(v: number): this { return this.u8(v, v >>> 8, v >>> 16, v >>> 24); }
  u64(v: number | bigint): this {
    const b = BigInt.asUintN(64, BigInt(v));
    for (let i = 0n; i < 8n; i++) this.parts.push(Number((b >> (8n * i)) & 0xffn));
    return this;
  }
  f32(v: number): this { return this.bytes(new Uint8Array(new Float32Array([v]).buffer)); }
  ascii(s: string): this { for (const ch of s) this.parts.push(ch.charCodeAt(0)); return this; }
  /** GGUF string: u64 length + bytes (ASCII only here) */
  str(s: string): this { return this.u64(s.length).ascii(s); }
  bytes(b: Uint8Array): this { for (const v of b) this.parts.push(v); return this; }
  padTo(alignment: number): this { while (this.parts.length % alignment) this.parts.push(0); return this; }
  zeros(n: number): this { for (let i = 0; i < n; i++) this.parts.push(0); return this; }

  build(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** GGUF header start: magic, version, tensor count, metadata count. */
export function ggufHead(version: number, tensors: number | bigint, kvs: number | bigint): RawBytes {
  return new RawBytes().ascii('GGUF').u32(version).u64(tensors).u64(kvs);
}
