// The run's summary with vLLM's definitions and JSON keys: TPOT = (latency - TTFT) / (output tokens - 1) for
// requests with more than one output token; ITL = every gap between chunks of every request; throughputs over
// the whole run (first send to last completion); failed requests count 0 output tokens.
import type { RequestOutput } from './streamRequest.js';

export const PERCENTILES = [50, 90, 99] as const;
export const LATENCY_METRICS = ['ttft', 'tpot', 'itl', 'e2el'] as const;

/** numpy's default percentile: linear interpolation between the closest ranks. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

export const mean = (values: readonly number[]) => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);

/** Population standard deviation (numpy's default). */
export function std(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const m = mean(values);
  return Math.sqrt(mean(values.map((v) => (v - m) ** 2)));
}

export interface RunFacts {
  durationS: number;
}

export type BenchMetrics = Record<string, number>;

export function computeMetrics(outputs: readonly RequestOutput[], { durationS }: RunFacts): BenchMetrics {
  const ok = outputs.filter((o) => o.success);
  const series: Record<(typeof LATENCY_METRICS)[number], number[]> = {
    ttft: ok.map((o) => o.ttft),
    tpot: ok.filter((o) => o.outputTokens > 1).map((o) => (o.latency - o.ttft) / (o.outputTokens - 1)),
    itl: ok.flatMap((o) => o.itl),
    e2el: ok.map((o) => o.latency),
  };
  const totalInput = ok.reduce((a, o) => a + o.promptLen, 0);
  const totalOutput = ok.reduce((a, o) => a + o.outputTokens, 0);
  const metrics: BenchMetrics = {
    duration: durationS,
    completed: ok.length,
    failed: outputs.length - ok.length,
    total_input_tokens: totalInput,
    total_output_tokens: totalOutput,
    request_throughput: ok.length / durationS,
    output_throughput: totalOutput / durationS,
    total_token_throughput: (totalInput + totalOutput) / durationS,
    max_output_tokens_per_s: peakTokensPerSecond(ok),
    max_concurrent_requests: peakConcurrency(outputs),
  };
  for (const name of LATENCY_METRICS) {
    const ms = series[name].map((s) => s * 1000);
    metrics[`mean_${name}_ms`] = mean(ms);
    metrics[`median_${name}_ms`] = percentile(ms, 50);
    metrics[`std_${name}_ms`] = std(ms);
    for (const p of PERCENTILES) metrics[`p${p}_${name}_ms`] = percentile(ms, p);
  }
  return metrics;
}

/** Output tokens per one-second window of the run (tokens timed by their chunk), at most. */
function peakTokensPerSecond(outputs: readonly RequestOutput[]): number {
  if (outputs.length === 0) return 0;
  const origin = Math.min(...outputs.map((o) => o.startMs));
  const perSecond = new Map<number, number>();
  for (const o of outputs) {
    let t = o.startMs + o.ttft * 1000;
    const stamps = [t, ...o.itl.map((gap) => (t += gap * 1000))];
    for (const stamp of stamps) {
      const second = Math.floor((stamp - origin) / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }
  }
  return Math.max(...perSecond.values());
}

/** Requests in flight at once, at most (a request counts from its send to its last chunk). */
function peakConcurrency(outputs: readonly RequestOutput[]): number {
  const edges = outputs.flatMap((o) => [[o.startMs, 1], [o.startMs + Math.max(o.latency, 0) * 1000, -1]] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, step] of edges) {
    now += step;
    peak = Math.max(peak, now);
  }
  return peak;
}
