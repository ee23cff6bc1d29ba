// Repetition, presence and frequency penalties, applied in place to the logits of tokens seen in the window.
import type { SamplingParams } from './params.js';

type PenaltyParams = Pick<
  SamplingParams,
  'repetitionPenalty' | 'penaltyLastN' | 'presencePenalty' | 'frequencyPenalty'
>;

export function penaltiesActive(params: PenaltyParams): boolean {
  return (
    params.penaltyLastN !== 0 &&
    (params.repetitionPenalty !== 1 || params.presencePenalty !== 0 || params.frequencyPenalty !== 0)
  );
}

/**
 * Penalizes the tokens among the last `penaltyLastN` ids of `history` (all of them for -1). Repetition (positive
 * logit / p, negative * p, once per distinct token) counts the whole window, prompt included, as llama.cpp and
 * vLLM do; presence and frequency (logit -= presence + frequency * count) count only the generated ids, those
 * from index `firstOutput` on, as OpenAI's API and vLLM define them. `counts` is scratch space, cleared here.
 */
export function applyPenalties(
  logits: Float32Array,
  history: readonly number[],
  params: PenaltyParams,
  counts: Map<number, number>,
  firstOutput = 0,
): void {
  const windowStart = params.penaltyLastN < 0 ? 0 : Math.max(0, history.length - params.penaltyLastN);
  counts.clear();
  for (let i = windowStart; i < history.length; i++) {
    const id = history[i]!;
    if (!Number.isInteger(id) || id < 0 || id >= logits.length) {
      throw new RangeError(`history[${i}] = ${id} is not a token id of this vocabulary (size ${logits.length})`);
    }
    counts.set(id, (counts.get(id) ?? 0) + (i >= firstOutput ? 1 : 0));
  }
  const { repetitionPenalty, presencePenalty, frequencyPenalty } = params;
  for (const [id, outputCount] of counts) {
    let logit = logits[id]!;
    if (repetitionPenalty !== 1) logit = logit > 0 ? logit / repetitionPenalty : logit * repetitionPenalty;
    if (outputCount > 0) logit -= presencePenalty + frequencyPenalty * outputCount;
    logits[id] = logit;
  }
}
