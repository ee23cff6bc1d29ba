// OpenAI's usage object: each prompt counts once however many choices it has; completions add up.
import type { FinishEvent } from '../engine/api.js';
import type { PlannedChoice } from './choices.js';

export interface ApiUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
}

export function apiUsage(promptTokens: number, completionTokens: number, cachedTokens = 0): ApiUsage {
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cachedTokens } };
}

/** `finishes[i]` belongs to `choices[i]`. */
export function usageOf(choices: readonly PlannedChoice[], finishes: readonly FinishEvent[]): ApiUsage {
  const prompts = new Map<number, { tokens: number; cached: number }>();
  let completion = 0;
  choices.forEach((choice, i) => {
    const finish = finishes[i]!;
    completion += finish.usage.completionTokens;
    const seen = prompts.get(choice.promptIndex);
    const cached = Math.max(seen?.cached ?? 0, finish.usage.cachedPromptTokens);
    prompts.set(choice.promptIndex, { tokens: choice.request.promptTokenIds.length, cached });
  });
  let prompt = 0;
  let cached = 0;
  for (const p of prompts.values()) {
    prompt += p.tokens;
    cached += p.cached;
  }
  return apiUsage(prompt, completion, cached);
}
