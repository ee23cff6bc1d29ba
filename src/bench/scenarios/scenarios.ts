// The three serving benchmarks of the engine issue: (a) TTFT with a cached 2,048-token prefix vs cold,
// (b) inter-token latency of four decoding streams while a 4,096-token prompt arrives vs without it,
// (c) throughput on random 1,024-in / 128-out requests at several concurrencies.
import { createRng } from '../../engine/rng.js';
import { mean, percentile } from '../serve/benchMetrics.js';
import { gaps, streamTokens } from './tokenStream.js';

export interface ScenarioTarget {
  baseUrl: string;
  model: string;
  vocabSize: number;
}

const rng = createRng(1234);
export function randomPrompt(length: number, vocabSize: number): number[] {
  // stay clear of the top of the vocabulary, where special tokens usually live
  const high = Math.max(2, Math.floor(vocabSize * 0.95));
  return Array.from({ length }, () => 1 + Math.floor(rng.nextFloat() * (high - 1)));
}

export async function prefixReuse(t: ScenarioTarget, prefixLength = 2048, reps = 3) {
  const rows = [];
  for (let i = 0; i < reps; i++) {
    const prefix = randomPrompt(prefixLength, t.vocabSize);
    const cold = await streamTokens(t.baseUrl, t.model, [...prefix, ...randomPrompt(32, t.vocabSize)], 1);
    const warm = await streamTokens(t.baseUrl, t.model, [...prefix, ...randomPrompt(32, t.vocabSize)], 1);
    rows.push({ coldTtftMs: cold.ttftMs, warmTtftMs: warm.ttftMs, warmCachedTokens: warm.cachedTokens });
  }
  const cold = percentile(rows.map((r) => r.coldTtftMs), 50);
  const warm = percentile(rows.map((r) => r.warmTtftMs), 50);
  return { prefixLength, reps: rows, medianColdTtftMs: cold, medianWarmTtftMs: warm, speedup: cold / warm };
}

/** Four streams decode `outputTokens` each; with `longPrompt`, a prompt of that length arrives mid-way. */
export async function decodeStreams(t: ScenarioTarget, longPrompt: number | undefined, outputTokens = 48) {
  let injected: Promise<unknown> | undefined;
  let longTtftMs: number | undefined;
  const streams = Array.from({ length: 4 }, (_, i) =>
    streamTokens(t.baseUrl, t.model, randomPrompt(64, t.vocabSize), outputTokens, (count) => {
      if (i === 0 && count === 8 && longPrompt && !injected) {
        injected = streamTokens(t.baseUrl, t.model, randomPrompt(longPrompt, t.vocabSize), 1)
          .then((r) => (longTtftMs = r.ttftMs));
      }
    }));
  const results = await Promise.all(streams);
  await injected;
  const itl = results.flatMap((r) => gaps(r.chunkTimesMs));
  return { longPrompt: longPrompt ?? 0, longPromptTtftMs: longTtftMs, itlMeanMs: mean(itl),
    itlP50Ms: percentile(itl, 50), itlP99Ms: percentile(itl, 99), itlMaxMs: Math.max(...itl) };
}

export async function throughput(t: ScenarioTarget, concurrency: number, numPrompts: number, inputLength = 1024, outputLength = 128) {
  const prompts = Array.from({ length: numPrompts }, () => randomPrompt(inputLength, t.vocabSize));
  const start = performance.now();
  const results: Awaited<ReturnType<typeof streamTokens>>[] = [];
  let next = 0;
  const worker = async () => {
    while (next < prompts.length) {
      const prompt = prompts[next++]!;
      results.push(await streamTokens(t.baseUrl, t.model, prompt, outputLength));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  const outputTokens = results.reduce((n, r) => n + r.chunkTimesMs.length, 0);
  const tpot = results.map((r) => (r.endMs - r.startMs - r.ttftMs) / Math.max(1, r.chunkTimesMs.length - 1));
  return {
    concurrency, numPrompts, inputLength, outputLength, durationS: seconds,
    requestThroughput: numPrompts / seconds,
    outputThroughput: outputTokens / seconds,
    totalTokenThroughput: (outputTokens + numPrompts * inputLength) / seconds,
    meanTtftMs: mean(results.map((r) => r.ttftMs)), p99TtftMs: percentile(results.map((r) => r.ttftMs), 99),
    meanTpotMs: mean(tpot), p99TpotMs: percentile(tpot, 99),
  };
}
