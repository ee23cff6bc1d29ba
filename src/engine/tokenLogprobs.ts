// The chosen token's log-prob and the top alternatives, with their text and bytes, as the API reports them.
import type { Tokenizer } from '../tokenizer/index.js';
import type { ChosenTokenLogprob, TokenLogprob } from './api.js';
import { logprobOf, logSumExp, topLogprobs } from './logprobs.js';

const utf8 = new TextDecoder('utf-8', { fatal: false });

function describe(tokenizer: Tokenizer, tokenId: number, logprob: number): TokenLogprob {
  const bytes = tokenizer.tokenBytes(tokenId);
  return { tokenId, token: utf8.decode(bytes), bytes: [...bytes], logprob };
}

export function tokenLogprobs(logits: Float32Array, chosen: number, top: number, tokenizer: Tokenizer): ChosenTokenLogprob {
  const lse = logSumExp(logits);
  return {
    ...describe(tokenizer, chosen, logprobOf(logits, chosen, lse)),
    top: top > 0 ? topLogprobs(logits, top, lse).map((t) => describe(tokenizer, t.id, t.logprob)) : [],
  };
}
