// One HTTP request = prompts × n choices, each its own engine request; choice index = prompt * n + j.
import type { GenerationRequest } from '../engine/api.js';
import { engineRequest, maxTokensFor, type GenerationSettings } from './generationParams.js';

export interface PlannedChoice {
  index: number;
  promptIndex: number;
  request: GenerationRequest;
}

/** Checks every prompt against the context (400 naming both lengths) before anything starts. */
export function planChoices(settings: GenerationSettings, prompts: number[][], responseId: string, contextLength: number,
  promptParam: string, defaultMaxTokens = Infinity): PlannedChoice[] {
  const choices: PlannedChoice[] = [];
  prompts.forEach((prompt, promptIndex) => {
    const limit = maxTokensFor(settings, prompt.length, contextLength, promptParam);
    const maxTokens = settings.maxTokens === undefined ? Math.min(limit, defaultMaxTokens) : limit;
    for (let j = 0; j < settings.n; j++) {
      const index = promptIndex * settings.n + j;
      choices.push({ index, promptIndex, request: engineRequest(settings, `${responseId}-${index}`, prompt, maxTokens, j) });
    }
  });
  return choices;
}
