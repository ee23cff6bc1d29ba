import { fromByteLevel } from './byteLevel.js';
import { TokenType, type DecodeOptions, type DecodeStream } from './types.js';
import type { Vocab } from './vocab.js';

/**
 * How a normal token's text becomes bytes: byte-level BPE spelling (GPT-2), text with "▁" for
 * spaces (SentencePiece, Metaspace, llama.cpp's WordPiece vocabs), or the text itself.
 */
export type PieceDecoding = 'byteLevel' | 'spaceMarker' | 'plain';

export interface DecodingRules {
  pieceDecoding: PieceDecoding;
  /** the tokenizer adds a dummy-prefix space, so decoding drops one from the first piece */
  stripLeadingSpace: boolean;
}

const EMPTY = new Uint8Array(0);
const BYTE_TOKEN = /^<0x([0-9A-Fa-f]{2})>$/;

/** Token ids -> bytes -> text, whole or streaming. */
export class TokenDecoder {
  private readonly bytesCache: (Uint8Array | undefined)[];
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly vocab: Vocab,
    private readonly rules: DecodingRules,
  ) {
    this.bytesCache = new Array(vocab.size);
  }

  /** the bytes a token stands for; control, unknown and unused tokens stand for none */
  tokenBytes(id: number): Uint8Array {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocab.size) throw new RangeError(`token id ${id} is out of range 0..${this.vocab.size - 1}`);
    let bytes = this.bytesCache[id];
    if (bytes === undefined) {
      bytes = this.computeBytes(id);
      this.bytesCache[id] = bytes;
    }
    return bytes;
  }

  isSpecial(id: number): boolean {
    const t = this.vocab.types[id];
    return t === TokenType.Control || t === TokenType.Unknown;
  }

  /** what a token contributes to decoded text: special tokens give their text unless skipped */
  pieceBytes(id: number, skipSpecial: boolean): Uint8Array {
    const bytes = this.tokenBytes(id);
    if (skipSpecial || !this.isSpecial(id)) return bytes;
    return this.encoder.encode(this.vocab.tokens[id]!);
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const stream = this.stream(options);
    const parts: string[] = [];
    for (const id of ids) parts.push(stream.push(id));
    parts.push(stream.flush());
    return parts.join('');
  }

  stream(options: DecodeOptions = {}): DecodeStream {
    const skipSpecial = options.skipSpecial ?? false;
    let stripNext = this.rules.stripLeadingSpace && !options.keepLeadingSpace;
    // ignoreBOM: keep a leading U+FEFF as text instead of eating it
    const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
    return {
      push: (id: number): string => {
        let bytes = this.pieceBytes(id, skipSpecial);
        if (bytes.length === 0) return '';
        if (stripNext) {
          stripNext = false;
          if (bytes[0] === 0x20) bytes = bytes.subarray(1);
        }
        return utf8.decode(bytes, { stream: true });
      },
      flush: (): string => utf8.decode(),
    };
  }

  private computeBytes(id: number): Uint8Array {
    const text = this.vocab.tokens[id]!;
    switch (this.vocab.types[id]) {
      case TokenType.Control:
      case TokenType.Unknown:
      case TokenType.Unused:
        return EMPTY;
      case TokenType.UserDefined:
        return this.encoder.encode(text);
      case TokenType.Byte: {
        const m = BYTE_TOKEN.exec(text);
        return m ? Uint8Array.of(parseInt(m[1]!, 16)) : this.encoder.encode(text);
      }
      default:
        break;
    }
    switch (this.rules.pieceDecoding) {
      case 'byteLevel':
        return fromByteLevel(text) ?? this.encoder.encode(text);
      case 'spaceMarker':
        return this.encoder.encode(text.replaceAll('\u2581', ' '));
      default:
        return this.encoder.encode(text);
    }
  }
}
