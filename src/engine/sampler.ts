// Turns one position's logits into a token id under SamplingParams, with a seeded RNG per sampler.
import { createRng, type Xoshiro128StarStar } from './rng.js';
import { validateSamplingParams, withSamplingDefaults, type SamplingParams } from './sampling/params.js';
import { applyPenalties, penaltiesActive } from './sampling/penalties.js';
import { RadixScratch, thresholdReaching } from './sampling/radixSelect.js';
import { argmax, exponentiate, pickByCumulativeWeight, replaceBelow, zeroBelow } from './sampling/weights.js';

export {
  DEFAULT_SAMPLING_PARAMS,
  validateSamplingParams,
  withSamplingDefaults,
  type SamplingParamError,
  type SamplingParams,
} from './sampling/params.js';

/**
 * The chain, in order: penalties -> temperature -> top-k -> top-p -> min-p -> draw.
 * - Penalties first: they are defined on raw logits (OpenAI subtracts from the logit, CTRL scales it).
 * - Temperature before every cut, so top-p and min-p measure the distribution that is actually drawn from.
 *   top-k only ranks, so it runs on the logits themselves (a positive temperature keeps the ranking).
 * - top-k is the cheapest cut and bounds what top-p measures: top-p's mass is over the top-k survivors.
 * - min-p last: it compares with the most likely token, which every cut keeps, and it leaves top-p's mass
 *   unaffected. Each cut keeps every token tied with its boundary token.
 * Temperature 0 is argmax after the penalties (the cuts always keep the argmax); ties go to the lowest id.
 */
export class Sampler {
  readonly params: Readonly<SamplingParams>;
  readonly vocabSize: number;
  private readonly rng: Xoshiro128StarStar;
  /** the one vocabulary-sized buffer: penalized logits, then weights */
  private readonly work: Float32Array;
  private readonly counts = new Map<number, number>();
  private readonly radix = new RadixScratch();

  constructor(params: Partial<SamplingParams>, vocabSize: number) {
    const errors = validateSamplingParams(params);
    if (errors.length > 0) throw new RangeError(`invalid sampling parameters: ${errors.map((e) => e.message).join('; ')}`);
    if (!Number.isSafeInteger(vocabSize) || vocabSize < 1) {
      throw new RangeError(`vocabulary size must be a positive integer, got ${vocabSize}`);
    }
    this.params = Object.freeze(withSamplingDefaults(params));
    this.vocabSize = vocabSize;
    this.rng = createRng(this.params.seed);
    this.work = new Float32Array(vocabSize);
  }

  /**
   * One token id drawn from `logits` (length vocabSize). `history` = the ids so far, for the penalties, of which
   * those from `firstOutput` on were generated (presence and frequency penalties count only those).
   */
  sample(logits: Float32Array, history: readonly number[] = [], firstOutput = 0): number {
    this.checkLogits(logits);
    if (this.params.temperature === 0) return this.greedy(logits, history, firstOutput);
    const total = this.fillWeights(logits, history, firstOutput);
    return pickByCumulativeWeight(this.work, this.rng.nextFloat() * total);
  }

  /**
   * The unnormalized probabilities `sample` draws from (0 = cut), after the whole chain; a one-hot vector
   * when greedy. The array is the sampler's own buffer: valid until the next call. Draws no random number.
   */
  filteredWeights(logits: Float32Array, history: readonly number[] = [], firstOutput = 0): Float32Array {
    this.checkLogits(logits);
    if (this.params.temperature === 0) {
      const id = this.greedy(logits, history, firstOutput);
      this.work.fill(0);
      this.work[id] = 1;
    } else {
      this.fillWeights(logits, history, firstOutput);
    }
    return this.work;
  }

  private greedy(logits: Float32Array, history: readonly number[], firstOutput: number): number {
    let values = logits;
    if (penaltiesActive(this.params)) {
      values = this.work;
      values.set(logits);
      applyPenalties(values, history, this.params, this.counts, firstOutput);
    }
    const id = argmax(values);
    if (id < 0) throw new Error('cannot sample: every logit is -Infinity or NaN');
    return id;
  }

  /** Runs the chain into `work`; returns the total weight left. */
  private fillWeights(logits: Float32Array, history: readonly number[], firstOutput: number): number {
    const { topK, topP, minP, temperature } = this.params;
    const work = this.work;
    work.set(logits);
    if (penaltiesActive(this.params)) applyPenalties(work, history, this.params, this.counts, firstOutput);
    const maxId = argmax(work);
    if (maxId < 0) throw new Error('cannot sample: every logit is -Infinity or NaN');
    if (topK > 0 && topK < work.length) {
      replaceBelow(work, thresholdReaching(work, topK, 'count', this.radix), -Infinity);
    }
    let total = exponentiate(work, work[maxId]!, temperature);
    if (!Number.isFinite(total)) throw new Error('cannot sample: the logits contain NaN or +Infinity');
    if (topP < 1) total = zeroBelow(work, thresholdReaching(work, topP * total, 'value', this.radix));
    if (minP > 0) total = zeroBelow(work, minP); // the most likely token weighs exactly 1
    return total;
  }

  private checkLogits(logits: Float32Array): void {
    if (!(logits instanceof Float32Array)) throw new TypeError('logits must be a Float32Array');
    if (logits.length !== this.vocabSize) {
      throw new RangeError(`logits have ${logits.length} entries; the vocabulary has ${this.vocabSize}`);
    }
  }
}
