// Seeded pseudo-random numbers for sampling: xoshiro128** (Blackman & Vigna), its 128-bit state filled from
// a 64-bit seed by splitmix64, the seeding the generator's authors recommend.
import { getRandomValues } from 'node:crypto';

const MASK64 = (1n << 64n) - 1n;

/** splitmix64: a 64-bit counter passed through a mixing function; every output is a bijection of the counter. */
export class SplitMix64 {
  private state: bigint;

  constructor(seed: bigint) {
    this.state = BigInt.asUintN(64, seed);
  }

  next(): bigint {
    this.state = (this.state + 0x9e3779b97f4a7c15n) & MASK64;
    let z = this.state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    return z ^ (z >> 31n);
  }
}

/** xoshiro128**: 128 bits of state, 32-bit outputs, period 2^128 - 1. The state must not be all zero. */
export class Xoshiro128StarStar {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(s0: number, s1: number, s2: number, s3: number) {
    if ((s0 | s1 | s2 | s3) === 0) throw new Error('xoshiro128** state must not be all zero');
    this.s0 = s0 >>> 0;
    this.s1 = s1 >>> 0;
    this.s2 = s2 >>> 0;
    this.s3 = s3 >>> 0;
  }

  /** The state is two splitmix64 outputs, so nearby seeds give unrelated streams. */
  static fromSeed(seed: number | bigint): Xoshiro128StarStar {
    if (typeof seed === 'number' && !Number.isSafeInteger(seed)) {
      throw new RangeError(`RNG seed must be an integer, got ${seed}`);
    }
    const mixer = new SplitMix64(BigInt(seed));
    const a = mixer.next();
    const b = mixer.next();
    return new Xoshiro128StarStar(Number(a & 0xffffffffn), Number(a >> 32n), Number(b & 0xffffffffn), Number(b >> 32n));
  }

  /** Uniform integer in [0, 2^32). */
  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits (the top bits of two outputs). */
  nextFloat(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }
}

/** A fresh 64-bit seed from the operating system's random source. */
export function randomSeed(): bigint {
  const words = getRandomValues(new Uint32Array(2));
  return (BigInt(words[1]!) << 32n) | BigInt(words[0]!);
}

/** The generator for `seed`, or for a random seed when none is given. */
export function createRng(seed?: number | bigint): Xoshiro128StarStar {
  return Xoshiro128StarStar.fromSeed(seed ?? randomSeed());
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
