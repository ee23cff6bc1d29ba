// Runs one task over a grid of prompt lengths × needle depths with one attention method: builds each prompt,
// times its prefill (TTFT), decodes greedily and scores exact match of the asked number.
import { performance } from 'node:perf_hooks';
import type { LoadedModel } from '../model/load.js';
import { Haystack } from './haystack.js';
import { getMethod, type AttentionMethod } from './methods.js';
import { EvalRandom, sampleSeed } from './random.js';
import { leadingNumber, TASK_BUILDERS, type TaskName } from './tasks.js';
import { loadTaskSpec, type TaskSpec } from './taskSpec.js';

export interface EvalOptions {
  task: TaskName;
  /** target prompt lengths in tokens */
  lengths: readonly number[];
  /** needle depths in percent (0 = start of the context, 100 = end) */
  depths: readonly number[];
  samples: number;
  method?: string;
  /** tokens decoded after the prompt (the answers are 5–6 digits and a period) */
  maxNewTokens?: number;
  /** replace the asked number in the context by another one (a control run) */
  corrupt?: boolean;
  seed?: number;
  spec?: TaskSpec;
  haystack?: Haystack;
  onProgress?: (done: number, total: number, label: string) => void;
}

export interface CellResult {
  length: number;
  depth: number;
  accuracy: number;
  ttft_ms: number;
  samples: number;
  correct: number;
  /** mean tokens of the prompts actually built (at most `length`) */
  prompt_tokens: number;
}

export interface SampleOutcome {
  answer: string;
  output: string;
  correct: boolean;
  promptTokens: number;
  ttftMs: number;
}

export function greedy(logits: Float32Array): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
  return best;
}

/** One prompt through the method: TTFT of its prefill, then greedy decoding until the number is complete. */
export function answerPrompt(model: LoadedModel, method: AttentionMethod, promptIds: readonly number[],
  maxNewTokens: number): { output: string; ttftMs: number } {
  const session = method.open(model, promptIds.length + maxNewTokens);
  const start = performance.now();
  let logits = session.prefill(promptIds);
  const ttftMs = performance.now() - start;
  const ids: number[] = [];
  let output = '';
  for (let i = 0; i < maxNewTokens; i++) {
    const id = greedy(logits);
    if (model.tokenizer.eogIds.has(id)) break;
    ids.push(id);
    output = model.tokenizer.decode(ids);
    if (/\d\D/.test(output) || i + 1 === maxNewTokens) break;
    logits = session.next(id);
  }
  return { output, ttftMs };
}

export function runEval(model: LoadedModel, options: EvalOptions): CellResult[] {
  const method = getMethod(options.method ?? 'dense');
  const spec = options.spec ?? loadTaskSpec();
  const haystack = options.haystack ?? Haystack.heldOut(model.tokenizer);
  const count = (text: string) => model.tokenizer.encode(text).length;
  const build = TASK_BUILDERS[options.task];
  const total = options.lengths.length * options.depths.length * options.samples;
  const cells: CellResult[] = [];
  let done = 0;
  for (const length of options.lengths) {
    for (const depth of options.depths) {
      let correct = 0;
      let ttft = 0;
      let tokens = 0;
      for (let s = 0; s < options.samples; s++) {
        const rng = new EvalRandom(sampleSeed(options.seed ?? 0, options.task, length, depth, s));
        const example = build({ spec, haystack, count, rng, corrupt: options.corrupt }, length, depth / 100);
        const ids = model.tokenizer.encode(example.prompt);
        const { output, ttftMs } = answerPrompt(model, method, ids, options.maxNewTokens ?? 10);
        if (leadingNumber(output) === example.answer) correct++;
        ttft += ttftMs;
        tokens += ids.length;
        options.onProgress?.(++done, total, `${options.task} ${length} tokens, depth ${depth}%`);
      }
      cells.push({ length, depth, accuracy: correct / options.samples, ttft_ms: ttft / options.samples,
        samples: options.samples, correct, prompt_tokens: Math.round(tokens / options.samples) });
    }
  }
  return cells;
}
