// The summary as a table (for people) and as vLLM-keyed JSON (for scripts).
import { LATENCY_METRICS, PERCENTILES, type BenchMetrics } from './benchMetrics.js';
import type { RequestOutput } from './streamRequest.js';

export interface RunDescription {
  baseUrl: string;
  endpoint: string;
  model: string;
  dataset: string;
  numPrompts: number;
  requestRate: number;
  burstiness: number;
  maxConcurrency: number | undefined;
  exactPromptLengths: boolean;
}

const TITLES: Record<(typeof LATENCY_METRICS)[number], [string, string]> = {
  ttft: ['Time to First Token', 'TTFT'],
  tpot: ['Time per Output Token (excl. 1st token)', 'TPOT'],
  itl: ['Inter-token Latency', 'ITL'],
  e2el: ['End-to-end Latency', 'E2EL'],
};

const WIDTH = 50;
const rule = (title = '', fill = '-') => {
  if (!title) return fill.repeat(WIDTH);
  const left = Math.floor((WIDTH - title.length - 2) / 2);
  return `${fill.repeat(Math.max(left, 1))} ${title} ${fill.repeat(Math.max(WIDTH - left - title.length - 2, 1))}`;
};
const row = (label: string, value: string | number) =>
  `${label.padEnd(40)}${typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(2)) : value}`;

export function formatTable(run: RunDescription, m: BenchMetrics): string {
  const lines = [
    rule('Serving Benchmark Result', '='),
    row('Successful requests:', m.completed!),
    row('Failed requests:', m.failed!),
    row('Maximum request concurrency:', run.maxConcurrency ?? 'unlimited'),
    row('Request rate (req/s):', run.requestRate === Infinity ? 'inf' : run.requestRate),
    row('Benchmark duration (s):', m.duration!),
    row('Total input tokens:', m.total_input_tokens!),
    row('Total generated tokens:', m.total_output_tokens!),
    row('Request throughput (req/s):', m.request_throughput!),
    row('Output token throughput (tok/s):', m.output_throughput!),
    row('Peak output token throughput (tok/s):', m.max_output_tokens_per_s!),
    row('Peak concurrent requests:', m.max_concurrent_requests!),
    row('Total token throughput (tok/s):', m.total_token_throughput!),
  ];
  for (const name of LATENCY_METRICS) {
    const [title, short] = TITLES[name];
    lines.push(rule(title));
    lines.push(row(`Mean ${short} (ms):`, m[`mean_${name}_ms`]!));
    lines.push(row(`Median ${short} (ms):`, m[`median_${name}_ms`]!));
    for (const p of PERCENTILES.filter((p) => p !== 50)) lines.push(row(`P${p} ${short} (ms):`, m[`p${p}_${name}_ms`]!));
  }
  lines.push(rule('', '='));
  if (!run.exactPromptLengths) lines.push('note: the server has no /tokenize; prompt lengths were approximated by words');
  return lines.join('\n');
}

export function resultJson(run: RunDescription, m: BenchMetrics, outputs: readonly RequestOutput[]): Record<string, unknown> {
  return {
    date: new Date().toISOString(),
    backend: 'openai',
    endpoint_type: run.endpoint.includes('chat') ? 'openai-chat' : 'openai',
    base_url: run.baseUrl,
    endpoint: run.endpoint,
    model_id: run.model,
    dataset_name: run.dataset,
    num_prompts: run.numPrompts,
    request_rate: run.requestRate === Infinity ? 'inf' : run.requestRate,
    burstiness: run.burstiness,
    max_concurrency: run.maxConcurrency ?? null,
    exact_prompt_lengths: run.exactPromptLengths,
    ...m,
    input_lens: outputs.map((o) => o.promptLen),
    output_lens: outputs.map((o) => (o.success ? o.outputTokens : 0)),
    ttfts: outputs.map((o) => o.ttft),
    itls: outputs.map((o) => o.itl),
    errors: outputs.map((o) => o.error),
  };
}
