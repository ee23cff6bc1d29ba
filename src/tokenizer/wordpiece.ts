import type { FragmentContext, FragmentEncoder } from './tokenizer.js';
import type { Vocab } from './vocab.js';

const WHITE_SPACE = /^\p{White_Space}$/u;
const CONTROL = /^\p{C}$/u;
const PUNCTUATION = /^\p{P}$/u;
const SYMBOL = /^\p{S}$/u;
const ACCENT = /^\p{M}$/u;

function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** Single-code-point lowercase (the simple mapping: 'İ' -> 'i', not 'i̇'). */
function lowerChar(ch: string): string {
  const lower = ch.toLowerCase();
  return lower.codePointAt(0) === undefined ? ch : String.fromCodePoint(lower.codePointAt(0)!);
}

export interface WordPieceOptions {
  lowercase: boolean;
  stripAccents: boolean;
  unkId: number;
}

/**
 * WordPiece as llama.cpp runs BERT vocabularies (llm_tokenizer_wpm): words split at whitespace
 * and around punctuation, ASCII symbols and CJK characters; optional NFD + accent removal and
 * lowercasing; then greedy longest-prefix matching of "▁word" (llama.cpp's vocabs spell word
 * starts with "▁" and continuations bare); a word with an unmatched rest becomes [UNK].
 */
export class WordPieceFragmentEncoder implements FragmentEncoder {
  private readonly maxTokenLength: number;

  constructor(
    private readonly vocab: Vocab,
    private readonly options: WordPieceOptions,
  ) {
    this.maxTokenLength = Math.max(1, ...vocab.tokens.map((t) => t.length));
  }

  encode(text: string, _context: FragmentContext, out: number[]): void {
    for (const word of this.words(text)) this.encodeWord(word, out);
  }

  words(text: string): string[] {
    const input = this.options.stripAccents ? text.normalize('NFD') : text;
    const words: string[] = [];
    let current = '';
    const finish = () => {
      if (current.length > 0) words.push(current);
      current = '';
    };
    for (const ch of input) {
      const cp = ch.codePointAt(0)!;
      if (WHITE_SPACE.test(ch)) {
        finish();
        continue;
      }
      if (cp === 0 || cp === 0xfffd || CONTROL.test(ch)) continue;
      if (this.options.stripAccents && ACCENT.test(ch)) continue;
      const s = this.options.lowercase ? lowerChar(ch) : ch;
      if (PUNCTUATION.test(ch) || (cp < 0x7f && SYMBOL.test(ch)) || isChineseChar(cp)) {
        finish();
        words.push(s);
      } else {
        current += s;
      }
    }
    finish();
    return words;
  }

  private encodeWord(word: string, out: number[]): void {
    const full = '\u2581' + word;
    const n = full.length;
    const start = out.length;
    for (let i = 0; i < n; ) {
      let matched = false;
      for (let j = Math.min(n, i + this.maxTokenLength); j > i; j--) {
        const id = this.vocab.id(full.slice(i, j));
        if (id !== undefined) {
          out.push(id);
          matched = true;
          i = j;
          break;
        }
      }
      if (!matched) {
        out.length = start;
        break;
      }
    }
    if (out.length === start) out.push(this.options.unkId);
  }
}
