// Direct float64 reference computations for the sampler tests: sort-based, no shared code with src/.

export interface ReferenceCuts {
  temperature: number;
  topK: number;
  topP: number;
  minP: number;
}

/** softmax(logits / temperature) in float64. */
export function softmax(logits: ArrayLike<number>, temperature = 1): number[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const e = Array.from({ length: logits.length }, (_, i) => Math.exp((logits[i]! - max) / temperature));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

/**
 * Probabilities after temperature -> top-k -> top-p -> min-p, renormalized; 0 = cut. Every cut keeps the
 * tokens tied with its boundary token.
 */
export function referenceDistribution(logits: ArrayLike<number>, cuts: ReferenceCuts): number[] {
  const n = logits.length;
  let probs = softmax(logits, cuts.temperature);
  const order = [...probs.keys()].sort((a, b) => logits[b]! - logits[a]! || a - b);
  if (cuts.topK > 0 && cuts.topK < n) {
    const kth = logits[order[cuts.topK - 1]!]!;
    probs = probs.map((p, i) => (logits[i]! >= kth ? p : 0));
    probs = normalize(probs);
  }
  if (cuts.topP < 1) {
    let cumulative = 0;
    let cutoff = 0;
    for (const id of order) {
      cumulative += probs[id]!;
      cutoff = probs[id]!;
      if (cumulative >= cuts.topP) break;
    }
    probs = normalize(probs.map((p) => (p >= cutoff ? p : 0)));
  }
  if (cuts.minP > 0) {
    const best = probs.reduce((a, b) => Math.max(a, b), 0);
    probs = normalize(probs.map((p) => (p >= cuts.minP * best ? p : 0)));
  }
  return probs;
}

export function keptIds(probs: ArrayLike<number>): number[] {
  const ids: number[] = [];
  for (let i = 0; i < probs.length; i++) if (probs[i]! > 0) ids.push(i);
  return ids;
}

function normalize(values: number[]): number[] {
  const z = values.reduce((a, b) => a + b, 0);
  return values.map((v) => v / z);
}

/** Pearson's chi-square statistic of observed counts against expected probabilities. */
export function chiSquare(counts: readonly number[], probs: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  let statistic = 0;
  counts.forEach((observed, i) => {
    const expected = total * probs[i]!;
    statistic += ((observed - expected) * (observed - expected)) / expected;
  });
  return statistic;
}

/** Upper 0.1% points of the chi-square distribution by degrees of freedom (standard tables). */
export const CHI_SQUARE_0_999: Readonly<Record<number, number>> = { 1: 10.828, 2: 13.816, 4: 18.467, 9: 27.877 };
