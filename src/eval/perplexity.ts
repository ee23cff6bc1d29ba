// Perplexity of held-out text: windows of `windowTokens` tokens, every position scored (the first of a window
// has no context and is skipped).
import type { LoadedModel } from '../model/load.js';
import { HELDOUT_PATH, readTextAsset } from './assets.js';
import type { AttentionMethod } from './methods.js';

export interface PerplexityResult {
  perplexity: number;
  /** mean negative log-likelihood in nats per token */
  nll: number;
  tokens: number;
  window_tokens: number;
  windows: number;
}

/** Held-out sentences as the model saw text in training: each sentence preceded by one space. */
export function heldOutTokens(model: LoadedModel, file = HELDOUT_PATH): number[] {
  const docs = readTextAsset(file).split(/\n\s*\n/);
  return docs.flatMap((doc) => model.tokenizer.encode(doc.split('\n').filter((s) => s.trim()).map((s) => ' ' + s.trim()).join('')));
}

function nllOf(logits: Float32Array, offset: number, vocab: number, target: number): number {
  let max = -Infinity;
  for (let i = 0; i < vocab; i++) max = Math.max(max, logits[offset + i]!);
  let sum = 0;
  for (let i = 0; i < vocab; i++) sum += Math.exp(logits[offset + i]! - max);
  return Math.log(sum) + max - logits[offset + target]!;
}

export function perplexity(model: LoadedModel, method: AttentionMethod, tokens: readonly number[],
  windowTokens: number, windows: number): PerplexityResult {
  if (windowTokens < 2) throw new Error('perplexity windows need at least 2 tokens');
  const vocab = model.config.vocabSize;
  const usable = Math.min(windows, Math.floor(tokens.length / windowTokens));
  if (usable === 0) throw new Error(`the held-out text has ${tokens.length} tokens, fewer than one window of ${windowTokens}`);
  const stride = Math.floor(tokens.length / usable);
  let nll = 0;
  let scored = 0;
  for (let w = 0; w < usable; w++) {
    const ids = tokens.slice(w * stride, w * stride + windowTokens);
    const logits = method.open(model, ids.length).prefillAll(ids);
    for (let i = 0; i + 1 < ids.length; i++) nll += nllOf(logits, i * vocab, vocab, ids[i + 1]!);
    scored += ids.length - 1;
  }
  return { perplexity: Math.exp(nll / scored), nll: nll / scored, tokens: scored, window_tokens: windowTokens, windows: usable };
}
