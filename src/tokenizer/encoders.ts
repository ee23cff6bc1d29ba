import type { BpeModel } from './bpeModel.js';
import { splitByRegexes } from './pretokenize.js';
import type { SpmEncoder } from './spm.js';
import type { FragmentContext, FragmentEncoder } from './tokenizer.js';

/** llama.cpp's SentencePiece path: dummy-prefix space after a special token, spaces as "▁". */
export class SpmFragmentEncoder implements FragmentEncoder {
  constructor(
    private readonly spm: SpmEncoder,
    private readonly addSpacePrefix: boolean,
  ) {}

  encode(text: string, context: FragmentContext, out: number[]): void {
    const prefixed = this.addSpacePrefix && context.afterSpecial ? ' ' + text : text;
    this.spm.encode(prefixed.replaceAll(' ', '\u2581'), out);
  }
}

/** llama.cpp's BPE path: optional normalization, regex pre-tokenization, BPE per pre-token. */
export class RegexBpeFragmentEncoder implements FragmentEncoder {
  constructor(
    private readonly model: BpeModel,
    private readonly regexes: readonly RegExp[],
    private readonly normalize?: (text: string) => string,
  ) {}

  encode(text: string, _context: FragmentContext, out: number[]): void {
    const normalized = this.normalize ? this.normalize(text) : text;
    for (const piece of splitByRegexes(normalized, this.regexes)) this.model.encodeWord(piece, out);
  }
}
