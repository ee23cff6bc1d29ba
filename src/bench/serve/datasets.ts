// The prompts of a run. random: unrelated prompts of --input-len tokens. prefix-repetition: --num-prefixes
// shared prefixes of --prefix-len tokens, each followed by a unique suffix of --suffix-len tokens (shuffled).
// long-doc-qa: --num-prefixes documents of --prefix-len tokens asked about in turn, each prompt one document and a
// question of --suffix-len tokens: the prefix cache should serve every repeat of a document.
import { RandomText } from './randomText.js';
import type { TokenCounter } from './tokenCounter.js';

export type DatasetName = 'random' | 'prefix-repetition' | 'long-doc-qa';
export const DATASETS: readonly DatasetName[] = ['random', 'prefix-repetition', 'long-doc-qa'];

export interface DatasetOptions {
  dataset: DatasetName;
  numPrompts: number;
  inputLen: number;
  numPrefixes: number;
  prefixLen: number;
  suffixLen: number;
  seed: number;
}

export interface BenchPrompt {
  prompt: string;
  /** tokens, as the counter measured them (prefix + suffix for the shared-prefix sets) */
  promptLen: number;
}

/** Defaults per dataset where the flags are left out (vLLM's for random and prefix-repetition). */
export function datasetDefaults(dataset: DatasetName): Omit<DatasetOptions, 'dataset' | 'numPrompts' | 'seed'> {
  if (dataset === 'long-doc-qa') return { inputLen: 0, numPrefixes: 4, prefixLen: 2048, suffixLen: 32 };
  return { inputLen: 1024, numPrefixes: 10, prefixLen: 256, suffixLen: 256 };
}

export async function buildPrompts(options: DatasetOptions, counter: TokenCounter,
  onProgress: (done: number) => void = () => {}): Promise<BenchPrompt[]> {
  const random = new RandomText(options.seed);
  const prompts: BenchPrompt[] = [];
  const add = (prompt: BenchPrompt) => {
    prompts.push(prompt);
    onProgress(prompts.length);
  };
  if (options.dataset === 'random') {
    for (let i = 0; i < options.numPrompts; i++) {
      const { text, tokens } = await counter.fit(random, options.inputLen);
      add({ prompt: text, promptLen: tokens });
    }
    return prompts;
  }
  const prefixes = [];
  for (let p = 0; p < options.numPrefixes; p++) prefixes.push(await counter.fit(random, options.prefixLen));
  for (let i = 0; i < options.numPrompts; i++) {
    const prefix = prefixes[i % prefixes.length]!;
    const suffix = await counter.fit(random, options.suffixLen);
    add({ prompt: `${prefix.text} ${suffix.text}`, promptLen: prefix.tokens + suffix.tokens });
  }
  // long-doc-qa keeps its round-robin order, so each document comes back after the others
  return options.dataset === 'prefix-repetition' ? random.shuffle(prompts) : prompts;
}
