// /v1/chat/completions response bodies: the whole response, and the chunks of a stream.
import type { ChunkFormatter, ChoiceOutcome } from './deliver.js';
import type { Envelope } from './completionFormat.js';
import { chatLogprobs } from './logprobsFormat.js';
import { apiUsage, type ApiUsage } from './usage.js';

export function chatResponse(env: Envelope, outcomes: ChoiceOutcome[], usage: ApiUsage, withLogprobs: boolean) {
  return {
    ...env,
    object: 'chat.completion',
    choices: outcomes.map((o) => ({
      index: o.choice.index,
      message: { role: 'assistant', content: o.text },
      logprobs: withLogprobs ? chatLogprobs(o.logprobs) : null,
      finish_reason: o.finish.reason,
      stop_reason: o.finish.stoppedBy ?? null,
    })),
    usage,
  };
}

export function chatChunks(env: Envelope, withLogprobs: boolean, continuousUsage: boolean): ChunkFormatter {
  const chunk = (choices: unknown[], usage?: ApiUsage) => ({ ...env, object: 'chat.completion.chunk', choices,
    ...(usage ? { usage } : {}) });
  return {
    opening: (choice) => chunk([{ index: choice.index, delta: { role: 'assistant', content: '' }, logprobs: null,
      finish_reason: null }]),
    chunk(choice, delta, finish, progress) {
      const text = delta?.text ?? '';
      const tokenLogprobs = withLogprobs ? delta?.logprobs ?? [] : [];
      // held-back text (a possible stop string, half a character) makes no chunk unless log-probs are due
      if (!finish && text === '' && tokenLogprobs.length === 0) return undefined;
      return chunk([{
        index: choice.index,
        delta: text === '' ? {} : { content: text },
        logprobs: withLogprobs ? chatLogprobs(tokenLogprobs) : null,
        finish_reason: finish?.reason ?? null,
        stop_reason: finish?.stoppedBy ?? null,
      }], continuousUsage ? apiUsage(progress.promptTokens, progress.completionTokens) : undefined);
    },
    usage: (usage) => chunk([], usage),
  };
}
