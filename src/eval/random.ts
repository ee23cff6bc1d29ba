// Deterministic choices for prompt building: one generator per (task, length, depth, sample).
import { Xoshiro128StarStar } from '../engine/rng.js';

export class EvalRandom {
  private readonly gen: Xoshiro128StarStar;

  constructor(seed: number) {
    this.gen = Xoshiro128StarStar.fromSeed(seed);
  }

  /** uniform in [0, 1) */
  next(): number {
    return this.gen.nextUint32() / 2 ** 32;
  }

  /** integer in [0, n) */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** n digits, the first not zero */
  digits(n: number): string {
    let s = String(1 + this.below(9));
    for (let i = 1; i < n; i++) s += String(this.below(10));
    return s;
  }

  letters(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(97 + this.below(26));
    return s;
  }

  /** k distinct items */
  sample<T>(items: readonly T[], k: number): T[] {
    const pool = [...items];
    for (let i = 0; i < k; i++) {
      const j = i + this.below(pool.length - i);
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    return pool.slice(0, k);
  }
}

/** A stable seed from the parts that name one sample. */
export function sampleSeed(...parts: (string | number)[]): number {
  let h = 2166136261;
  for (const ch of parts.join('|')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h;
}
