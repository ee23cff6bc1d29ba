// Natural-text filler for long prompts: consecutive held-out sentences, each counted in tokens as ' ' + sentence.
import { HELDOUT_PATH, readTextAsset } from './assets.js';
import type { EvalRandom } from './random.js';

/** what sizing needs of a tokenizer */
export interface TokenCounter {
  encode(text: string): { length: number };
}

export class Haystack {
  private constructor(readonly sentences: readonly string[], private readonly counts: readonly number[]) {}

  static fromText(text: string, tokenizer: TokenCounter): Haystack {
    const sentences = text.split('\n').map((s) => s.trim()).filter((s) => s.length > 0);
    if (sentences.length === 0) throw new Error('the haystack text has no sentences');
    return new Haystack(sentences, sentences.map((s) => tokenizer.encode(' ' + s).length));
  }

  static heldOut(tokenizer: TokenCounter, file = HELDOUT_PATH): Haystack {
    return Haystack.fromText(readTextAsset(file), tokenizer);
  }

  /** Consecutive sentences (wrapping around) from a random start, at most `budget` tokens in all. */
  window(rng: EvalRandom, budget: number): string[] {
    const out: string[] = [];
    let used = 0;
    for (let i = rng.below(this.sentences.length); ; i++) {
      const k = i % this.sentences.length;
      if (used + this.counts[k]! > budget || out.length >= this.sentences.length) return out;
      out.push(this.sentences[k]!);
      used += this.counts[k]!;
    }
  }
}

/**
 * Joins items with a leading space each, inserting needles between them: a needle at depth d (0..1) goes before
 * item round(d * items.length), so 0 is before the first item and 1 after the last. Needles at the same slot
 * keep their given order.
 */
export function insertNeedles(items: readonly string[], needles: readonly { depth: number; text: string }[]): string {
  const slots = needles.map((n, k) => ({ slot: Math.round(n.depth * items.length), k, text: n.text }))
    .sort((a, b) => a.slot - b.slot || a.k - b.k);
  let out = '';
  let j = 0;
  for (let i = 0; i <= items.length; i++) {
    while (j < slots.length && slots[j]!.slot === i) out += ' ' + slots[j++]!.text;
    if (i < items.length) out += ' ' + items[i];
  }
  return out;
}
