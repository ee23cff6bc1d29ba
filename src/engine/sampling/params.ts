// Sampling parameters: plain data, their defaults (each default turns its step off) and validation.

export interface SamplingParams {
  /** 0 = greedy (argmax); otherwise logits are divided by it. */
  temperature: number;
  /** keep the k most likely tokens; 0 = off */
  topK: number;
  /** keep the smallest set of most likely tokens whose probability reaches topP; 1 = off */
  topP: number;
  /** keep tokens whose probability is at least minP times the most likely one's; 0 = off */
  minP: number;
  /** CTRL / llama.cpp style: a repeated token's positive logit is divided by it, a negative one multiplied; 1 = off */
  repetitionPenalty: number;
  /** how many of the last history tokens the penalties look at; -1 = the whole history, 0 = none */
  penaltyLastN: number;
  /** OpenAI: subtracted once from the logit of every token that occurs in the window */
  presencePenalty: number;
  /** OpenAI: subtracted once per occurrence in the window */
  frequencyPenalty: number;
  /** same seed + same logits = same tokens; absent = a random seed */
  seed?: number;
}

export const DEFAULT_SAMPLING_PARAMS: Readonly<SamplingParams> = Object.freeze({
  temperature: 1,
  topK: 0,
  topP: 1,
  minP: 0,
  repetitionPenalty: 1,
  penaltyLastN: 64,
  presencePenalty: 0,
  frequencyPenalty: 0,
});

export const SAMPLING_PARAM_NAMES: readonly (keyof SamplingParams)[] = [
  'temperature', 'topK', 'topP', 'minP', 'repetitionPenalty', 'penaltyLastN', 'presencePenalty', 'frequencyPenalty', 'seed',
];

/** One problem with one parameter; `param` is the SamplingParams field name. */
export interface SamplingParamError {
  param: keyof SamplingParams;
  message: string;
}

/** Fills absent (undefined) fields with the defaults. */
export function withSamplingDefaults(partial: Partial<SamplingParams>): SamplingParams {
  const params: SamplingParams = { ...DEFAULT_SAMPLING_PARAMS };
  const target = params as unknown as Record<string, unknown>;
  for (const key of SAMPLING_PARAM_NAMES) {
    if (partial[key] !== undefined) target[key] = partial[key];
  }
  return params;
}

/** Every out-of-range or mistyped value, with a message fit for an HTTP 400; empty when all is well. */
export function validateSamplingParams(params: Partial<SamplingParams>): SamplingParamError[] {
  const errors: SamplingParamError[] = [];
  const check = (param: keyof SamplingParams, ok: (v: number) => boolean, requirement: string) => {
    const value = params[param];
    if (value === undefined) return;
    if (typeof value !== 'number' || Number.isNaN(value) || !ok(value)) {
      errors.push({ param, message: `${param} must be ${requirement}, got ${describe(value)}` });
    }
  };
  check('temperature', (v) => Number.isFinite(v) && v >= 0, 'a finite number >= 0 (0 = greedy)');
  check('topK', (v) => Number.isSafeInteger(v) && v >= 0, 'an integer >= 0 (0 = off)');
  check('topP', (v) => v > 0 && v <= 1, 'in (0, 1] (1 = off)');
  check('minP', (v) => v >= 0 && v <= 1, 'in [0, 1] (0 = off)');
  check('repetitionPenalty', (v) => Number.isFinite(v) && v > 0, 'a finite number > 0 (1 = off)');
  check('penaltyLastN', (v) => Number.isSafeInteger(v) && v >= -1, 'an integer >= -1 (-1 = whole history)');
  check('presencePenalty', (v) => v >= -2 && v <= 2, 'in [-2, 2] (0 = off)');
  check('frequencyPenalty', (v) => v >= -2 && v <= 2, 'in [-2, 2] (0 = off)');
  check('seed', (v) => Number.isSafeInteger(v), 'an integer');
  return errors;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
