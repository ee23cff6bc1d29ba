import { ModelFormatError } from '../formats/errors.js';
/** A minimal protobuf wire-format reader (enough for SentencePiece's ModelProto). */
export interface ProtoField {
  field: number;
  /** 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32 */
  wireType: number;
  /** varint value (exact below 2^53) or the fixed32 bits */
  value: number;
  /** a varint read as protobuf int32 (negative ones are stored as 10-byte varints) */
  int32: number;
  /** length-delimited payload */
  bytes?: Uint8Array;
}

export class ProtoReader {
  private pos = 0;

  constructor(
    private readonly buf: Uint8Array,
    private readonly source: string,
  ) {}

  private fail(problem: string): never {
    throw new ModelFormatError(this.source, `not a valid protobuf (${problem} at byte ${this.pos})`);
  }

  private low32 = 0;

  private varint(): number {
    let result = 0;
    let scale = 1;
    let low = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) this.fail('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * scale;
      if (i < 5) low |= (b & 0x7f) << (7 * i);
      if ((b & 0x80) === 0) {
        this.low32 = low | 0;
        return result;
      }
      scale *= 128;
    }
    return this.fail('varint longer than 10 bytes');
  }

  *fields(): Generator<ProtoField> {
    while (this.pos < this.buf.length) {
      const key = this.varint();
      const field = Math.floor(key / 8);
      const wireType = key & 7;
      if (field === 0) this.fail('field number 0');
      switch (wireType) {
        case 0:
          yield { field, wireType, value: this.varint(), int32: this.low32 };
          break;
        case 1:
          if (this.pos + 8 > this.buf.length) this.fail('truncated fixed64');
          this.pos += 8;
          yield { field, wireType, value: 0, int32: 0 };
          break;
        case 2: {
          const len = this.varint();
          if (this.pos + len > this.buf.length) this.fail(`field ${field} runs past the end`);
          const bytes = this.buf.subarray(this.pos, this.pos + len);
          this.pos += len;
          yield { field, wireType, value: len, int32: 0, bytes };
          break;
        }
        case 5: {
          if (this.pos + 4 > this.buf.length) this.fail('truncated fixed32');
          const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4);
          this.pos += 4;
          yield { field, wireType, value: view.getUint32(0, true), int32: 0 };
          break;
        }
        default:
          this.fail(`unsupported wire type ${wireType}`);
      }
    }
  }
}

/** The float stored in a fixed32 field. */
export function float32FromBits(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits, true);
  return view.getFloat32(0, true);
}

