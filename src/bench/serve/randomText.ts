// Seeded random prose for prompts: common English words, which most tokenizers keep whole (about one token
// each with its leading space), so word counts are a fair first guess at token counts.
import { Xoshiro128StarStar } from '../../engine/rng.js';

const WORDS = (
  'the of and to in is was for on that with as by at from his her they this have had not are but were which one '
  + 'all there when their been has more if who will some would time what about other into them can only new could '
  + 'than first also after two years then over most its may people made like these many before such where through '
  + 'water city world house river music game light story school paper table garden window morning night summer '
  + 'winter forest island market doctor teacher letter number question answer reason moment family friend animal '
  + 'mountain village engine signal ocean planet silver golden quiet bright simple early green yellow purple orange '
  + 'small large happy gentle careful strong sudden distant ancient modern always never often slowly quickly'
).split(' ');

export class RandomText {
  readonly rng: Xoshiro128StarStar;

  constructor(seed: number) {
    this.rng = Xoshiro128StarStar.fromSeed(seed);
  }

  word(): string {
    return WORDS[this.rng.nextUint32() % WORDS.length]!;
  }

  /** `count` words joined by spaces. */
  words(count: number): string {
    return Array.from({ length: count }, () => this.word()).join(' ');
  }

  /** Fisher-Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.rng.nextUint32() % (i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}
