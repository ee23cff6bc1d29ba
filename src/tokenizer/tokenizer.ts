import { TokenDecoder, type DecodingRules } from './decoding.js';
import { SpecialTokenSplitter, type SpecialTokenSpec } from './specialTokens.js';
import type { DecodeOptions, DecodeStream, EncodeOptions, Tokenizer } from './types.js';
import type { Vocab } from './vocab.js';
import { ModelFormatError } from '../formats/errors.js';

/** Where a plain-text fragment sits: after a special token (or at the start), at offset 0. */
export interface FragmentContext {
  /** the fragment follows a special token or starts the input (SentencePiece adds its dummy prefix then) */
  afterSpecial: boolean;
  /** the fragment starts at offset 0 of the input (Metaspace prepend_scheme "first") */
  atStart: boolean;
}

/** The model-specific part: encodes one run of plain text between special tokens. */
export interface FragmentEncoder {
  encode(text: string, context: FragmentContext, out: number[]): void;
}

/** Everything a loader decides, handed to TokenizerImpl. */
export interface TokenizerParts {
  vocab: Vocab;
  encoder: FragmentEncoder;
  decoding: DecodingRules;
  /** tokens matched in the text before encoding (control, user-defined, added tokens) */
  specials: readonly SpecialTokenSpec[];
  bosId?: number;
  eosId?: number;
  /** ids put before / after the text when encode's addSpecial is on (BOS; EOS, BERT's [SEP]) */
  prefixIds: readonly number[];
  suffixIds: readonly number[];
  eogIds: Iterable<number>;
  /** file or metadata source, for error messages */
  source: string;
}

export class TokenizerImpl implements Tokenizer {
  readonly vocabSize: number;
  readonly bosId: number | undefined;
  readonly eosId: number | undefined;
  readonly eogIds: ReadonlySet<number>;
  readonly addBos: boolean;
  readonly addEos: boolean;
  private readonly splitter: SpecialTokenSplitter;
  private readonly decoder: TokenDecoder;

  constructor(private readonly parts: TokenizerParts) {
    const { vocab, source } = parts;
    this.vocabSize = vocab.size;
    const checkId = (name: string, id: number | undefined) => {
      if (id !== undefined && (!Number.isInteger(id) || id < 0 || id >= vocab.size)) {
        throw new ModelFormatError(source, `${name} id ${id} is outside the vocabulary (${vocab.size} tokens)`);
      }
    };
    checkId('BOS', parts.bosId);
    checkId('EOS', parts.eosId);
    for (const id of [...parts.prefixIds, ...parts.suffixIds]) checkId('added special token', id);
    this.bosId = parts.bosId;
    this.eosId = parts.eosId;
    this.addBos = parts.bosId !== undefined && parts.prefixIds.includes(parts.bosId);
    this.addEos = parts.eosId !== undefined && parts.suffixIds.includes(parts.eosId);
    this.eogIds = new Set([...parts.eogIds].filter((id) => id >= 0 && id < vocab.size));
    this.splitter = new SpecialTokenSplitter(parts.specials);
    this.decoder = new TokenDecoder(vocab, parts.decoding);
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    const addSpecial = options.addSpecial ?? true;
    const parseSpecial = options.parseSpecial ?? true;
    // lone surrogates become U+FFFD, as UTF-8 encoding of the text would make them
    const input = toWellFormed(text);
    const out: number[] = [];
    if (addSpecial) out.push(...this.parts.prefixIds);
    let afterSpecial = true;
    for (const fragment of this.splitter.split(input, parseSpecial)) {
      if (fragment.kind === 'token') {
        out.push(fragment.id);
        afterSpecial = true;
      } else {
        this.parts.encoder.encode(fragment.text, { afterSpecial, atStart: fragment.start === 0 }, out);
        afterSpecial = false;
      }
    }
    if (addSpecial) out.push(...this.parts.suffixIds);
    return out;
  }

  tokenBytes(id: number): Uint8Array {
    return this.decoder.tokenBytes(id);
  }

  tokenText(id: number): string {
    this.decoder.tokenBytes(id); // range check
    return this.parts.vocab.tokens[id]!;
  }

  tokenId(text: string): number | undefined {
    return this.parts.vocab.id(text);
  }

  isSpecial(id: number): boolean {
    this.decoder.tokenBytes(id); // range check
    return this.decoder.isSpecial(id);
  }

  decode(ids: readonly number[], options?: DecodeOptions): string {
    return this.decoder.decode(ids, options);
  }

  createDecodeStream(options?: DecodeOptions): DecodeStream {
    return this.decoder.stream(options);
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** String.prototype.toWellFormed (Node 20+), typed here because the TS lib target predates it. */
export function toWellFormed(text: string): string {
  const native = (text as { toWellFormed?: () => string }).toWellFormed;
  return native ? native.call(text) : text.replace(LONE_SURROGATE, '\uFFFD');
}
