// Comparison of kernel output with a float64 reference under an explicit per-element tolerance.
import assert from 'node:assert/strict';

/**
 * Asserts |got[i] - want[i]| <= tolerance(i) for every i; the message names the first failing
 * element and the largest error relative to its tolerance.
 */
export function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, tolerance: (i: number) => number,
  what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let worst = 0;
  let worstIndex = -1;
  for (let i = 0; i < want.length; i++) {
    const error = Math.abs(got[i]! - want[i]!);
    const ratio = error === 0 ? 0 : error / tolerance(i);
    if (!(ratio <= worst)) {
      worst = Number.isNaN(ratio) ? Infinity : ratio;
      worstIndex = i;
    }
  }
  if (worst > 1) {
    assert.fail(`${what}: element ${worstIndex} is ${got[worstIndex]}, expected ${want[worstIndex]} ` +
      `(error ${(worst).toExponential(2)} x the tolerance ${tolerance(worstIndex).toExponential(2)})`);
  }
}

/** Tolerance relative to each reference value, with an absolute floor. */
export function relative(want: ArrayLike<number>, rel: number, floor = 1e-30): (i: number) => number {
  return (i) => rel * Math.abs(want[i]!) + floor;
}

export function assertIdentical(a: Float32Array, b: Float32Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) assert.fail(`${what}: element ${i} differs: ${a[i]} vs ${b[i]}`);
  }
}
