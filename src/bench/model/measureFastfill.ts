// Times one benchmark test on Fastfill's single-sequence path (SequenceRunner): a warm-up, then `reps`
// timed repetitions, each on an emptied cache.
import { SequenceRunner } from '../../engine/sequenceRunner.js';
import type { Transformer } from '../../model/transformer.js';
import { randomTokenIds, testContextLength, TG_PROMPT_TOKENS, type BenchTest } from './benchTests.js';

export interface MeasureOptions {
  reps: number;
  /** prefill chunk size in tokens */
  chunk: number;
  /** seed of the random token ids */
  seed: number;
}

/** Tokens per second of each repetition. */
export function measureFastfill(model: Transformer, test: BenchTest, options: MeasureOptions): number[] {
  const vocab = model.config.vocabSize;
  const runner = new SequenceRunner(model, testContextLength(test));
  const rates: number[] = [];
  if (test.kind === 'pp') {
    const ids = randomTokenIds(test.tokens, vocab, options.seed);
    runner.feed(ids.slice(0, Math.min(options.chunk, ids.length)), { chunkSize: options.chunk }); // warm-up
    for (let r = 0; r < options.reps; r++) {
      runner.reset();
      const start = performance.now();
      runner.feed(ids, { chunkSize: options.chunk });
      rates.push(test.tokens / ((performance.now() - start) / 1000));
    }
    return rates;
  }
  const prompt = randomTokenIds(TG_PROMPT_TOKENS, vocab, options.seed);
  for (let r = -1; r < options.reps; r++) {
    runner.reset();
    let logits = runner.feed(prompt, { chunkSize: options.chunk });
    const steps = r < 0 ? Math.min(2, test.tokens) : test.tokens; // r = -1: warm-up
    const start = performance.now();
    for (let i = 0; i < steps; i++) logits = runner.feed([argmax(logits)]);
    if (r >= 0) rates.push(steps / ((performance.now() - start) / 1000));
  }
  return rates;
}

function argmax(xs: Float32Array): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}
