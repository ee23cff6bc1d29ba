// /v1/completions response bodies: the whole response, and the chunks of a stream.
import type { FinishEvent } from '../engine/api.js';
import type { ChunkFormatter, ChoiceOutcome } from './deliver.js';
import { LegacyLogprobsBuilder } from './logprobsFormat.js';
import { apiUsage, type ApiUsage } from './usage.js';

export interface Envelope {
  id: string;
  created: number;
  model: string;
}

export function completionResponse(env: Envelope, outcomes: ChoiceOutcome[], usage: ApiUsage, withLogprobs: boolean) {
  return {
    ...env,
    object: 'text_completion',
    choices: outcomes.map((o) => ({
      index: o.choice.index,
      text: o.text,
      logprobs: withLogprobs ? new LegacyLogprobsBuilder().add(o.logprobs) : null,
      finish_reason: o.finish.reason,
      stop_reason: o.finish.stoppedBy ?? null,
    })),
    usage,
  };
}

export function completionChunks(env: Envelope, withLogprobs: boolean, continuousUsage: boolean): ChunkFormatter {
  const builders = new Map<number, LegacyLogprobsBuilder>();
  const chunk = (choices: unknown[], usage?: ApiUsage) => ({ ...env, object: 'text_completion', choices,
    ...(usage ? { usage } : {}) });
  return {
    chunk(choice, delta, finish: FinishEvent | undefined, progress) {
      // every delta that carries tokens is sent, even with no text yet, so clients can time each token
      if (!finish && (!delta || (delta.tokenIds.length === 0 && delta.text === ''))) return undefined;
      let logprobs = null;
      if (withLogprobs) {
        if (!builders.has(choice.index)) builders.set(choice.index, new LegacyLogprobsBuilder());
        logprobs = builders.get(choice.index)!.add(delta?.logprobs ?? []);
      }
      return chunk([{ index: choice.index, text: delta?.text ?? '', logprobs, finish_reason: finish?.reason ?? null,
        stop_reason: finish?.stoppedBy ?? null }],
      continuousUsage ? apiUsage(progress.promptTokens, progress.completionTokens) : undefined);
    },
    usage: (usage) => chunk([], usage),
  };
}
