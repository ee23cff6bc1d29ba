// OpenAI request fields -> the engine's generation settings, with every range checked and named.
import type { GenerationRequest } from '../engine/api.js';
import { validateSamplingParams, type SamplingParams } from '../engine/sampling/params.js';
import { badRequest } from './errors.js';
import type { GenerationFields } from './schemas/common.js';

export const MAX_CHOICES = 128;
export const MAX_LOGPROBS = 20;

/** What every choice of one HTTP request shares (the prompt and max tokens come later). */
export interface GenerationSettings {
  n: number;
  sampling: Partial<SamplingParams>;
  stop: string[];
  stopTokenIds: number[];
  ignoreEos: boolean;
  topLogprobs?: number;
  cacheSalt?: string;
  /** the requested output limit, if any (field name in maxTokensParam) */
  maxTokens?: number;
  maxTokensParam: string;
  stream: boolean;
  includeUsage: boolean;
  continuousUsage: boolean;
}

const SAMPLING_FIELD: Record<keyof SamplingParams, string> = {
  temperature: 'temperature', topK: 'top_k', topP: 'top_p', minP: 'min_p', repetitionPenalty: 'repetition_penalty',
  penaltyLastN: 'penalty_last_n', presencePenalty: 'presence_penalty', frequencyPenalty: 'frequency_penalty', seed: 'seed',
};

export interface ExtraFields {
  maxTokens: number | null | undefined;
  maxTokensParam: string;
  topLogprobs: number | undefined;
  logprobsParam: string;
}

export function generationSettings(body: GenerationFields, extra: ExtraFields, vocabSize: number): GenerationSettings {
  const n = body.n ?? 1;
  if (n < 1 || n > MAX_CHOICES) throw badRequest(`n must be between 1 and ${MAX_CHOICES}, got ${n}`, 'n');
  const maxTokens = extra.maxTokens ?? undefined;
  if (maxTokens !== undefined && maxTokens < 1) {
    throw badRequest(`${extra.maxTokensParam} must be at least 1, got ${maxTokens}`, extra.maxTokensParam);
  }
  if (extra.topLogprobs !== undefined && (extra.topLogprobs < 0 || extra.topLogprobs > MAX_LOGPROBS)) {
    throw badRequest(`${extra.logprobsParam} must be between 0 and ${MAX_LOGPROBS}, got ${extra.topLogprobs}`, extra.logprobsParam);
  }
  if (body.stream_options && !body.stream) {
    throw badRequest('stream_options can only be set when stream is true', 'stream_options');
  }
  if (body.logit_bias && Object.keys(body.logit_bias).length > 0) throw badRequest('logit_bias is not supported', 'logit_bias');
  if (body.min_tokens) throw badRequest('min_tokens is not supported', 'min_tokens');
  return {
    n,
    sampling: samplingParams(body),
    stop: stopStrings(body.stop),
    stopTokenIds: stopTokenIds(body.stop_token_ids, vocabSize),
    ignoreEos: body.ignore_eos ?? false,
    topLogprobs: extra.topLogprobs,
    cacheSalt: body.cache_salt ?? undefined,
    maxTokens,
    maxTokensParam: extra.maxTokensParam,
    stream: body.stream ?? false,
    includeUsage: body.stream_options?.include_usage ?? false,
    continuousUsage: body.stream_options?.continuous_usage_stats ?? false,
  };
}

function samplingParams(body: GenerationFields): Partial<SamplingParams> {
  const sampling: Partial<SamplingParams> = {
    temperature: body.temperature ?? undefined,
    topP: body.top_p ?? undefined,
    // vLLM's "off" is -1; ours is 0
    topK: body.top_k === -1 ? 0 : body.top_k ?? undefined,
    minP: body.min_p ?? undefined,
    presencePenalty: body.presence_penalty ?? undefined,
    frequencyPenalty: body.frequency_penalty ?? undefined,
    repetitionPenalty: body.repetition_penalty ?? undefined,
    seed: body.seed ?? undefined,
  };
  const problem = validateSamplingParams(sampling)[0];
  if (problem) {
    const field = SAMPLING_FIELD[problem.param];
    throw badRequest(problem.message.replace(problem.param, field), field);
  }
  return sampling;
}

function stopStrings(stop: string | string[] | null | undefined): string[] {
  const list = stop === null || stop === undefined ? [] : typeof stop === 'string' ? [stop] : stop;
  if (list.some((s) => s.length === 0)) throw badRequest('stop strings must not be empty', 'stop');
  return list;
}

function stopTokenIds(ids: number[] | null | undefined, vocabSize: number): number[] {
  for (const id of ids ?? []) {
    if (id < 0 || id >= vocabSize) {
      throw badRequest(`stop_token_ids: ${id} is outside the vocabulary (0..${vocabSize - 1})`, 'stop_token_ids');
    }
  }
  return ids ?? [];
}

/**
 * The output limit for a prompt of `promptLength` tokens: the request's own, or what the context leaves.
 * Like vLLM, a prompt that fills the context, or prompt + max_tokens past it, is a 400 naming both lengths.
 */
export function maxTokensFor(settings: GenerationSettings, promptLength: number, contextLength: number, promptParam: string): number {
  if (promptLength >= contextLength) {
    throw badRequest(`This model's maximum context length is ${contextLength} tokens. However, your prompt has `
      + `${promptLength} tokens, which leaves no room for output. Please shorten the prompt.`, promptParam, 'context_length_exceeded');
  }
  if (settings.maxTokens === undefined) return contextLength - promptLength;
  if (promptLength + settings.maxTokens > contextLength) {
    throw badRequest(`This model's maximum context length is ${contextLength} tokens. However, you requested `
      + `${promptLength + settings.maxTokens} tokens (${promptLength} in the prompt, ${settings.maxTokens} for the completion). `
      + `Please reduce the prompt or ${settings.maxTokensParam}.`, settings.maxTokensParam, 'context_length_exceeded');
  }
  return settings.maxTokens;
}

/** The engine request of choice `index`: with a seed, choice i uses seed + i so the choices differ. */
export function engineRequest(settings: GenerationSettings, requestId: string, promptTokenIds: number[], maxTokens: number,
  index: number): GenerationRequest {
  const seed = settings.sampling.seed;
  return {
    requestId,
    promptTokenIds,
    maxTokens,
    sampling: seed === undefined ? settings.sampling : { ...settings.sampling, seed: seed + index },
    stop: settings.stop,
    stopTokenIds: settings.stopTokenIds,
    ignoreEos: settings.ignoreEos,
    topLogprobs: settings.topLogprobs,
    cacheSalt: settings.cacheSalt,
  };
}
