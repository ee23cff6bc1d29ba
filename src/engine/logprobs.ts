// Log-probabilities of the softmax of one position's logits, for the OpenAI `logprobs` fields.

export interface TokenLogprob {
  id: number;
  /** natural log of the probability */
  logprob: number;
}

/** log(sum(exp(logits))), computed stably as max + log(sum(exp(logit - max))) in float64. */
export function logSumExp(logits: Float32Array): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
  if (max === -Infinity) throw new Error('log-softmax is undefined: every logit is -Infinity or NaN (or there are none)');
  if (max === Infinity) throw new Error('log-softmax is undefined: a logit is +Infinity');
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  if (Number.isNaN(sum)) throw new Error('log-softmax is undefined: the logits contain NaN');
  return max + Math.log(sum);
}

/** log_softmax(logits)[id]; pass `lse` when several ids of the same logits are wanted. */
export function logprobOf(logits: Float32Array, id: number, lse: number = logSumExp(logits)): number {
  if (!Number.isInteger(id) || id < 0 || id >= logits.length) {
    throw new RangeError(`token id ${id} is outside the vocabulary (size ${logits.length})`);
  }
  return logits[id]! - lse;
}

/** The k most likely tokens with their log-probabilities, best first (ties: lower id first). */
export function topLogprobs(logits: Float32Array, k: number, lse: number = logSumExp(logits)): TokenLogprob[] {
  if (!Number.isSafeInteger(k) || k < 0) throw new RangeError(`top logprobs count must be an integer >= 0, got ${k}`);
  const n = Math.min(k, logits.length);
  if (n === 0) return [];
  // Kept sorted best first; a candidate enters only if it beats the current last (so equal values keep the lower id).
  const ids: number[] = [];
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i]!;
    if (ids.length === n && !(v > logits[ids[n - 1]!]!)) continue;
    if (Number.isNaN(v)) continue;
    let at = ids.length < n ? ids.length : n - 1;
    while (at > 0 && v > logits[ids[at - 1]!]!) at--;
    if (ids.length === n) ids.pop();
    ids.splice(at, 0, i);
  }
  return ids.map((id) => ({ id, logprob: logits[id]! - lse }));
}
