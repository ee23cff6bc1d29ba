// A tiny but real Tokenizer for server tests: one token per UTF-8 byte, plus four special tokens.
import type { DecodeOptions, DecodeStream, EncodeOptions, Tokenizer } from '../../../src/tokenizer/index.js';

export const BOS = 256;
export const EOS = 257;
export const IM_START = 258;
export const IM_END = 259;
const SPECIALS = new Map<number, string>([[BOS, '<s>'], [EOS, '</s>'], [IM_START, '<|im_start|>'], [IM_END, '<|im_end|>']]);
const SPECIAL_SPLIT = /(<s>|<\/s>|<\|im_start\|>|<\|im_end\|>)/;

export class ByteTokenizer implements Tokenizer {
  readonly vocabSize = 260;
  readonly bosId = BOS;
  readonly eosId = EOS;
  readonly eogIds: ReadonlySet<number> = new Set([EOS, IM_END]);
  readonly addBos = true;
  readonly addEos = false;

  encode(text: string, options: EncodeOptions = {}): number[] {
    const ids: number[] = options.addSpecial ?? true ? [BOS] : [];
    const parts = options.parseSpecial ?? true ? text.split(SPECIAL_SPLIT) : [text];
    for (const part of parts) {
      const special = this.tokenId(part);
      if (special !== undefined && special >= 256 && (options.parseSpecial ?? true)) ids.push(special);
      else ids.push(...Buffer.from(part, 'utf8'));
    }
    return ids;
  }

  tokenBytes(id: number): Uint8Array {
    return id < 256 ? Uint8Array.of(id) : new Uint8Array(0);
  }

  tokenText(id: number): string {
    return SPECIALS.get(id) ?? String.fromCharCode(id);
  }

  tokenId(text: string): number | undefined {
    for (const [id, t] of SPECIALS) if (t === text) return id;
    return text.length === 1 && text.charCodeAt(0) < 128 ? text.charCodeAt(0) : undefined;
  }

  isSpecial(id: number): boolean {
    return id >= 256;
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const stream = this.createDecodeStream(options);
    return ids.map((id) => stream.push(id)).join('') + stream.flush();
  }

  createDecodeStream(options: DecodeOptions = {}): DecodeStream {
    const decoder = new TextDecoder('utf-8');
    return {
      push: (id) => {
        if (id >= 256) return options.skipSpecial ? '' : decoder.decode() + SPECIALS.get(id)!;
        return decoder.decode(Uint8Array.of(id), { stream: true });
      },
      flush: () => decoder.decode(),
    };
  }
}
