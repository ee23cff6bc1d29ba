import { BYTE_TO_CHAR, toByteLevel } from './byteLevel.js';
import { bpeMergeInPlace } from './bpeMerge.js';
import type { MergeTable } from './mergeTable.js';
import { PairHeap } from './pairHeap.js';
import type { Vocab } from './vocab.js';

export interface BpeModelOptions {
  /** GPT-2 byte-level: symbols are the UTF-8 bytes of a word (spelt via bytes_to_unicode) */
  byteLevel: boolean;
  /** a word that is itself a token is emitted whole (HF ignore_merges, tiktoken) */
  ignoreMerges: boolean;
  /** characters that are no token become their UTF-8 bytes as <0xXX> tokens (HF byte_fallback) */
  byteFallback: boolean;
  /** token for symbols that are no token (char-level BPE without fallback) */
  unkId?: number;
  /** consecutive unknown symbols give one unk token (HF fuse_unk) */
  fuseUnk?: boolean;
}

const CACHE_LIMIT = 100_000;
/** longer words (a whole Metaspace fragment, say) are not worth keeping */
const CACHE_MAX_WORD = 128;

/** BPE over one pre-token ("word") at a time, with a cache of words seen before. */
export class BpeModel {
  private readonly heap = new PairHeap();
  private readonly cache = new Map<string, readonly number[]>();
  /** token id of each byte-level character, or of each <0xXX> byte token */
  private readonly byteIds = new Int32Array(256).fill(-1);

  constructor(
    private readonly vocab: Vocab,
    private readonly merges: MergeTable,
    private readonly options: BpeModelOptions,
  ) {
    for (let b = 0; b < 256; b++) {
      const text = options.byteLevel ? BYTE_TO_CHAR[b]! : `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
      this.byteIds[b] = vocab.id(text) ?? -1;
    }
  }

  encodeWord(word: string, out: number[]): void {
    if (word.length === 0) return;
    let ids = this.cache.get(word);
    if (ids === undefined) {
      ids = this.options.byteLevel ? this.encodeBytes(word) : this.encodeChars(word);
      if (word.length <= CACHE_MAX_WORD) {
        if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
        this.cache.set(word, ids);
      }
    }
    for (const id of ids) out.push(id);
  }

  private encodeBytes(word: string): number[] {
    const bytes = Buffer.from(word, 'utf8');
    if (this.options.ignoreMerges) {
      const whole = this.vocab.id(toByteLevel(word));
      if (whole !== undefined) return [whole];
    }
    const ids = new Int32Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) ids[i] = this.byteIds[bytes[i]!]!;
    bpeMergeInPlace(ids, this.merges, this.heap);
    const out: number[] = [];
    for (const id of ids) {
      if (id >= 0) out.push(id);
      else if (id === -1 && this.options.unkId !== undefined) out.push(this.options.unkId);
    }
    return out;
  }

  private encodeChars(word: string): number[] {
    if (this.options.ignoreMerges) {
      const whole = this.vocab.id(word);
      if (whole !== undefined) return [whole];
    }
    const chars = Array.from(word);
    const ids = new Int32Array(chars.length);
    for (let i = 0; i < chars.length; i++) ids[i] = this.vocab.id(chars[i]!) ?? -1;
    bpeMergeInPlace(ids, this.merges, this.heap);
    const out: number[] = [];
    let lastWasUnk = false;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id >= 0) {
        out.push(id);
        lastWasUnk = false;
      } else if (id === -1) {
        lastWasUnk = this.pushUnknownChar(chars[i]!, out, lastWasUnk);
      }
    }
    return out;
  }

  /** a character that is no token: its bytes (byte_fallback) or unk; returns whether unk was used */
  private pushUnknownChar(ch: string, out: number[], lastWasUnk: boolean): boolean {
    if (this.options.byteFallback) {
      const bytes = Buffer.from(ch, 'utf8');
      const ids = Array.from(bytes, (b) => this.byteIds[b]!);
      if (ids.every((id) => id >= 0)) {
        out.push(...ids);
        return false;
      }
    }
    const unk = this.options.unkId;
    if (unk === undefined) return false;
    if (!(this.options.fuseUnk && lastWasUnk)) out.push(unk);
    return true;
  }
}
