// One streamed completion with a token-id prompt, timed per chunk (so prompt lengths are exact).
import { sseData } from '../serve/sseReader.js';

export interface TimedStream {
  ttftMs: number;
  /** arrival time (performance.now(), ms) of every chunk that carried text */
  chunkTimesMs: number[];
  startMs: number;
  endMs: number;
  cachedTokens: number;
}

export async function streamTokens(baseUrl: string, model: string, prompt: number[], maxTokens: number,
  onChunk?: (count: number) => void): Promise<TimedStream> {
  const startMs = performance.now();
  const response = await fetch(`${baseUrl}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, prompt, max_tokens: maxTokens, temperature: 0, ignore_eos: true, stream: true,
      stream_options: { include_usage: true } }),
  });
  if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  const chunkTimesMs: number[] = [];
  let cachedTokens = 0;
  for await (const data of sseData(response.body)) {
    if (data === '[DONE]') break;
    const chunk = JSON.parse(data) as { choices?: unknown[]; usage?: { prompt_tokens_details?: { cached_tokens?: number } } };
    if (chunk.choices && chunk.choices.length > 0) {
      chunkTimesMs.push(performance.now());
      onChunk?.(chunkTimesMs.length);
    }
    if (chunk.usage) cachedTokens = chunk.usage.prompt_tokens_details?.cached_tokens ?? 0;
  }
  const endMs = performance.now();
  return { ttftMs: (chunkTimesMs[0] ?? endMs) - startMs, chunkTimesMs, startMs, endMs, cachedTokens };
}

export function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]!);
}
