// In-place passes over a vocabulary-sized Float32Array used by the sampler. Sums are float64 in index order,
// so a later cumulative scan in the same order reproduces them exactly.

/** Index of the largest value, the lowest index on ties; -1 when no value is above -Infinity (or all NaN). */
export function argmax(values: Float32Array): number {
  let best = -Infinity;
  let bestId = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > best) {
      best = v;
      bestId = i;
    }
  }
  return bestId;
}

/** Sets every value below `threshold` to `fill`. */
export function replaceBelow(values: Float32Array, threshold: number, fill: number): void {
  for (let i = 0; i < values.length; i++) if (values[i]! < threshold) values[i] = fill;
}

/** values[i] = exp((values[i] - max) / temperature), so the largest becomes exactly 1; returns the sum. */
export function exponentiate(values: Float32Array, max: number, temperature: number): number {
  const inverse = 1 / temperature;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === -Infinity) {
      values[i] = 0; // cut by top-k: skip the exp
      continue;
    }
    const weight = Math.fround(Math.exp((v - max) * inverse));
    values[i] = weight;
    sum += weight;
  }
  return sum;
}

/** Zeroes the weights below `threshold`; returns the sum of those left. */
export function zeroBelow(weights: Float32Array, threshold: number): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (w < threshold) weights[i] = 0;
    else sum += w;
  }
  return sum;
}

/** The index where the running sum first exceeds `point` (0 <= point < the total weight). */
export function pickByCumulativeWeight(weights: Float32Array, point: number): number {
  let sum = 0;
  let lastPositive = -1;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (w === 0) continue;
    sum += w;
    if (sum > point) return i;
    lastPositive = i;
  }
  return lastPositive; // only reached when point >= total through rounding by the caller
}
