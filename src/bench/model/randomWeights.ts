// Deterministic random weight values: one xoshiro128** stream per tensor, seeded from (seed, tensor name),
// so every tensor is independent of the order tensors are made in and of the weight type.
import { Xoshiro128StarStar } from '../../engine/rng.js';

/** 32-bit FNV-1a of the UTF-16 code units (names are ASCII). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export function tensorRng(seed: number, tensorName: string): Xoshiro128StarStar {
  return Xoshiro128StarStar.fromSeed((BigInt(seed >>> 0) << 32n) | BigInt(fnv1a(tensorName)));
}

/** Fills `out` with values uniform in [-halfWidth, halfWidth). */
export function fillUniform(rng: Xoshiro128StarStar, out: Float32Array, halfWidth: number): void {
  const scale = (2 * halfWidth) / 4294967296;
  for (let i = 0; i < out.length; i++) out[i] = rng.nextUint32() * scale - halfWidth;
}
