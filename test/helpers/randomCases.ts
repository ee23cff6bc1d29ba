// The llama.cpp reference cases on random-weight GGUFs (../shared/models/random, see its README for the
// schema and the tolerance rules) and the checks several tests run on them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { LoadedModel } from '../../src/model/load.js';
import { SequenceRunner } from '../../src/engine/sequenceRunner.js';
import { argmax, logSoftmax } from './logSoftmax.js';
import { sharedPath, sharedSkip } from './paths.js';

export interface Case {
  id: string; model_file: string; prompt_text: string; prompt_ids: number[]; greedy_ids: number[];
  greedy_text: string; top5_logprobs: [number, number][][]; f32_math_top5_logprobs: [number, number][][];
}

// Greedy-divergence tolerance per weight type (log-prob units), from the README's table.
const TOLERANCE: Record<string, number> = {
  'qwen2-pub-f32': 0.04, 'qwen2-pub-f16': 0.08, 'qwen2-pub-bf16': 0.2, 'qwen2-pub-q8_0': 0.6,
  'qwen2-pub-q6_k': 0.8, 'qwen2-pub-q5_0': 0.6, 'qwen2-pub-q4_k_m': 0.8, 'qwen2-pub-q4_0': 0.5,
  'llama-pub-f16': 0.05, 'llama-pub-q8_0': 0.5, 'llama-pub-q5_k_m': 0.5, 'llama-pub-q4_k_m': 0.4,
};
const DEFAULT_TOLERANCE = 0.8;

const CASES = 'models/random/cases.json';
export const casesSkip = sharedSkip(CASES);
export const randomCases: Case[] = casesSkip ? [] : JSON.parse(readFileSync(sharedPath(CASES), 'utf8')).cases;

export const baseName = (file: string): string => file.replace(/^.*\//, '').replace(/\.gguf$/, '');
export const toleranceFor = (c: Case): number => TOLERANCE[baseName(c.model_file)] ?? DEFAULT_TOLERANCE;

/** Teacher-forced logits at the positions that predict greedy_ids[i]. */
export function teacherForced(m: LoadedModel, c: Case): Float32Array[] {
  const runner = new SequenceRunner(m.transformer, 512);
  const logits = runner.feed([...c.prompt_ids, ...c.greedy_ids.slice(0, -1)], { allLogits: true, chunkSize: 37 });
  const vocab = m.config.vocabSize;
  return c.greedy_ids.map((_, i) => logits.subarray((c.prompt_ids.length - 1 + i) * vocab, (c.prompt_ids.length + i) * vocab));
}

/** The engine's argmax is llama.cpp's, or a near-tie listed in its top 5 within the file's tolerance. */
export function assertArgmaxAllowed(ours: number, c: Case, i: number, tol: number): void {
  const refTop = c.top5_logprobs[i]!;
  const listed = refTop.find(([id]) => id === ours);
  assert.ok(ours === c.greedy_ids[i] || (listed && refTop[0]![1] - listed[1] <= tol),
    `position ${i}: argmax ${ours}, reference ${c.greedy_ids[i]}`);
}

/** Teacher-forced top-5 log-probs within the file's tolerance of llama.cpp's, and argmax allowed, at every position. */
export function assertWithinLlamaNoise(m: LoadedModel, c: Case, what = ''): void {
  const rows = teacherForced(m, c);
  const tol = toleranceFor(c);
  c.top5_logprobs.forEach((top5, i) => {
    const lp = logSoftmax(rows[i]!);
    for (const [id, ref] of top5) {
      assert.ok(Math.abs(lp[id]! - ref) <= tol, `${what}position ${i} token ${id}: ${lp[id]} vs llama.cpp ${ref} (tolerance ${tol})`);
    }
    assertArgmaxAllowed(argmax(rows[i]!), c, i, tol);
  });
}
