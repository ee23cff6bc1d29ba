/** Options of Tokenizer.encode. */
export interface EncodeOptions {
  /** add BOS/EOS (or CLS/SEP) as the model's rule says; default true */
  addSpecial?: boolean;
  /**
   * default true: the text of control/special tokens (e.g. "<|im_start|>") becomes their ids.
   * false = plain text, as llama.cpp's tokenizer tests run; user-defined (non-special added)
   * tokens are still matched whole then, as llama.cpp and HF tokenizers both do.
   */
  parseSpecial?: boolean;
}

/** Options of Tokenizer.decode and createDecodeStream. */
export interface DecodeOptions {
  /** leave out control and unknown tokens (BOS, <|im_end|>, ...); default false */
  skipSpecial?: boolean;
  /**
   * Tokenizers that add a dummy-prefix space (SentencePiece, Metaspace, WordPiece) drop one
   * leading space of the first emitted token by default, so decode(encode(s)) == s. Set true when
   * decoding a continuation (e.g. generated tokens after a prompt) to keep it.
   */
  keepLeadingSpace?: boolean;
}

/** Incremental, UTF-8-safe detokenizer. */
export interface DecodeStream {
  /** the text that became complete with this token (never half a character) */
  push(id: number): string;
  /** what is left; an incomplete UTF-8 tail becomes U+FFFD */
  flush(): string;
}

export interface Tokenizer {
  readonly vocabSize: number;
  readonly bosId: number | undefined;
  readonly eosId: number | undefined;
  /** end-of-generation ids (EOS, EOT, <|im_end|>, <|eom_id|>, ...) */
  readonly eogIds: ReadonlySet<number>;
  readonly addBos: boolean;
  readonly addEos: boolean;
  encode(text: string, options?: EncodeOptions): number[];
  /** the bytes a token stands for when decoding (control and unknown tokens: empty) */
  tokenBytes(id: number): Uint8Array;
  /** the vocabulary string */
  tokenText(id: number): string;
  tokenId(text: string): number | undefined;
  /** control and unknown tokens: the ones skipSpecial leaves out */
  isSpecial(id: number): boolean;
  decode(ids: readonly number[], options?: DecodeOptions): string;
  createDecodeStream(options?: DecodeOptions): DecodeStream;
}

/** Token types, numbered as GGUF's tokenizer.ggml.token_type (= SentencePiece piece types). */
export enum TokenType {
  Normal = 1,
  Unknown = 2,
  Control = 3,
  UserDefined = 4,
  Unused = 5,
  Byte = 6,
}
