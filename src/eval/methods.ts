// Attention methods the harness can measure, by name. A method turns a prompt into the logits of its last
// token (the prefill, timed as TTFT) and then feeds generated tokens one at a time. Only "dense" exists today;
// sparse attention, chunk KV reuse or token pruning register here and every eval task can use them.
import { SequenceRunner } from '../engine/sequenceRunner.js';
import type { LoadedModel } from '../model/load.js';

export interface MethodSession {
  /** feeds the whole prompt; returns the logits of its last token */
  prefill(ids: readonly number[]): Float32Array;
  /** feeds one generated token; returns its logits */
  next(id: number): Float32Array;
  /** feeds the whole prompt; returns the logits of every position ([n][vocab]), for perplexity */
  prefillAll(ids: readonly number[]): Float32Array;
}

export interface AttentionMethod {
  name: string;
  description: string;
  /** a session with room for `capacity` tokens in all */
  open(model: LoadedModel, capacity: number): MethodSession;
}

const METHODS = new Map<string, AttentionMethod>();

export function registerMethod(method: AttentionMethod): void {
  if (METHODS.has(method.name)) throw new Error(`attention method '${method.name}' is already registered`);
  METHODS.set(method.name, method);
}

export function getMethod(name: string): AttentionMethod {
  const method = METHODS.get(name);
  if (!method) throw new Error(`unknown attention method '${name}' (known: ${methodNames().join(', ')})`);
  return method;
}

export function methodNames(): string[] {
  return [...METHODS.keys()];
}

registerMethod({
  name: 'dense',
  description: 'exact causal attention over the whole prompt (chunked prefill, paged KV cache)',
  open(model, capacity) {
    const runner = new SequenceRunner(model.transformer, capacity);
    return {
      prefill: (ids) => runner.feed(ids, { chunkSize: 512 }),
      next: (id) => runner.feed([id]),
      prefillAll: (ids) => runner.feed(ids, { chunkSize: 512, allLogits: true }),
    };
  },
});
