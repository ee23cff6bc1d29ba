// The engine's per-token log-probs in OpenAI's two shapes: chat's `logprobs.content[]` and the legacy
// completions object of parallel arrays.
import type { ChosenTokenLogprob } from '../engine/api.js';

export interface ChatTokenLogprob {
  token: string;
  logprob: number;
  bytes: number[];
  top_logprobs: { token: string; logprob: number; bytes: number[] }[];
}

export interface ChatLogprobs {
  content: ChatTokenLogprob[];
}

export function chatLogprobs(items: readonly ChosenTokenLogprob[]): ChatLogprobs {
  return {
    content: items.map((item) => ({
      token: item.token,
      logprob: item.logprob,
      bytes: item.bytes,
      top_logprobs: item.top.map((t) => ({ token: t.token, logprob: t.logprob, bytes: t.bytes })),
    })),
  };
}

export interface LegacyLogprobs {
  tokens: string[];
  token_logprobs: number[];
  /** per token: the top alternatives and the chosen token, text -> log-prob */
  top_logprobs: Record<string, number>[];
  /** where each token starts, in characters from the start of the completion */
  text_offset: number[];
}

/** Builds legacy log-probs chunk by chunk, keeping text offsets running across a stream. */
export class LegacyLogprobsBuilder {
  private offset = 0;

  add(items: readonly ChosenTokenLogprob[]): LegacyLogprobs {
    const out: LegacyLogprobs = { tokens: [], token_logprobs: [], top_logprobs: [], text_offset: [] };
    for (const item of items) {
      out.tokens.push(item.token);
      out.token_logprobs.push(item.logprob);
      const top: Record<string, number> = {};
      for (const t of item.top) top[t.token] = t.logprob;
      top[item.token] = item.logprob;
      out.top_logprobs.push(top);
      out.text_offset.push(this.offset);
      this.offset += item.token.length;
    }
    return out;
  }
}
