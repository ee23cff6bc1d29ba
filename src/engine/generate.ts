// The single-stream generation loop: prefill the prompt, then sample, detokenize and check stops per token.
import type { LoadedModel } from '../model/load.js';
import { Sampler, type SamplingParams } from './sampler.js';
import { StopMatcher } from './stopMatcher.js';
import { SequenceRunner } from './sequenceRunner.js';

export interface GenerateRequest {
  promptIds: readonly number[];
  maxTokens: number;
  sampling?: Partial<SamplingParams>;
  stop?: readonly string[];
  stopTokenIds?: readonly number[];
  /** keep going past end-of-generation tokens */
  ignoreEos?: boolean;
  chunkSize?: number;
  contextLength?: number;
}

export type FinishReason = 'stop' | 'length';

export interface GenerateResult {
  /** generated ids; an end-of-generation or stop token that ended the run is the last one */
  ids: number[];
  text: string;
  finishReason: FinishReason;
}

export function generate(model: LoadedModel, request: GenerateRequest, onText?: (delta: string) => void): GenerateResult {
  const contextLength = request.contextLength ?? model.config.contextLength;
  if (request.promptIds.length === 0) throw new Error('the prompt is empty (no tokens)');
  if (request.promptIds.length >= contextLength) {
    throw new Error(`the prompt has ${request.promptIds.length} tokens; the context length is ${contextLength}`);
  }
  // the KV cache only needs room for this request, not the model's whole context
  const capacity = Math.min(contextLength, request.promptIds.length + request.maxTokens);
  const runner = new SequenceRunner(model.transformer, capacity);
  const sampler = new Sampler(request.sampling ?? {}, model.config.vocabSize);
  const stopIds = new Set(request.stopTokenIds ?? []);
  if (!request.ignoreEos) for (const id of model.tokenizer.eogIds) stopIds.add(id);
  const stops = new StopMatcher([...(request.stop ?? [])]);
  // the output continues the prompt, so a leading space is real text, not SentencePiece's dummy prefix
  const decoder = model.tokenizer.createDecodeStream({ skipSpecial: true, keepLeadingSpace: true });
  const history = [...request.promptIds];
  const ids: number[] = [];
  let text = '';
  const emit = (delta: string) => {
    if (!delta) return;
    text += delta;
    onText?.(delta);
  };

  let logits = runner.feed(request.promptIds, { chunkSize: request.chunkSize });
  let finishReason: FinishReason = 'length';
  while (ids.length < request.maxTokens) {
    const id = sampler.sample(logits, history, request.promptIds.length);
    ids.push(id);
    history.push(id);
    if (stopIds.has(id)) {
      finishReason = 'stop';
      break;
    }
    const step = stops.push(decoder.push(id));
    emit(step.emit);
    if (step.stopped) {
      finishReason = 'stop';
      break;
    }
    if (ids.length >= request.maxTokens || runner.length >= capacity) break;
    logits = runner.feed([id]);
  }
  if (finishReason === 'length') {
    const tail = stops.push(decoder.flush());
    emit(tail.emit);
    if (tail.stopped) finishReason = 'stop';
    else emit(stops.flush());
  }
  return { ids, text, finishReason };
}
