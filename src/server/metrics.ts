// Prometheus metrics under vLLM's names (as vLLM exposes them: counters end in _total), labelled model_name.
// Latencies are observed here on the HTTP side; queue and cache numbers are read from the engine per scrape.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EngineStats, FinishEvent } from '../engine/api.js';

// vLLM's bucket bounds (seconds)
const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560];
const ITL_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];
const E2E_BUCKETS = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly labels: { model_name: string };
  private readonly ttft: Histogram<'model_name'>;
  private readonly itl: Histogram<'model_name'>;
  private readonly e2e: Histogram<'model_name'>;
  private readonly promptTokens: Counter<'model_name'>;
  private readonly generationTokens: Counter<'model_name'>;
  private readonly success: Counter<'model_name' | 'finished_reason'>;

  constructor(modelName: string, engineStats: () => EngineStats) {
    this.labels = { model_name: modelName };
    const registers = [this.registry];
    const labelNames = ['model_name'] as const;
    const histogram = (name: string, help: string, buckets: number[]) =>
      new Histogram({ name, help, buckets, labelNames, registers });
    this.ttft = histogram('vllm:time_to_first_token_seconds', 'Histogram of time to first token in seconds.', TTFT_BUCKETS);
    this.itl = histogram('vllm:inter_token_latency_seconds', 'Histogram of inter-token latency in seconds.', ITL_BUCKETS);
    this.e2e = histogram('vllm:e2e_request_latency_seconds', 'Histogram of end to end request latency in seconds.', E2E_BUCKETS);
    this.promptTokens = new Counter({ name: 'vllm:prompt_tokens_total', help: 'Number of prefill tokens processed.', labelNames, registers });
    this.generationTokens = new Counter({ name: 'vllm:generation_tokens_total', help: 'Number of generation tokens processed.',
      labelNames, registers });
    this.success = new Counter({ name: 'vllm:request_success_total', help: 'Count of successfully processed requests.',
      labelNames: ['model_name', 'finished_reason'], registers });

    const labels = this.labels;
    const gauge = (name: string, help: string, read: (s: EngineStats) => number) => new Gauge({
      name, help, labelNames, registers,
      collect() {
        this.set(labels, read(engineStats()));
      },
    });
    gauge('vllm:num_requests_running', 'Number of requests in model execution batches.', (s) => s.running);
    gauge('vllm:num_requests_waiting', 'Number of requests waiting to be processed.', (s) => s.waiting);
    gauge('vllm:kv_cache_usage_perc', 'KV-cache usage. 1 means 100 percent usage.', (s) => s.kvCacheUsage);
    // the engine keeps running totals; a counter can only grow, so each scrape adds what is new
    const total = (name: string, help: string, read: (s: EngineStats) => number) => {
      let seen = 0;
      return new Counter({
        name, help, labelNames, registers,
        collect() {
          const now = read(engineStats());
          if (now > seen) this.inc(labels, now - seen);
          seen = Math.max(seen, now);
        },
      });
    };
    total('vllm:prefix_cache_queries_total', 'Prefix cache queries, in terms of number of queried tokens.', (s) => s.prefixCacheQueries);
    total('vllm:prefix_cache_hits_total', 'Prefix cache hits, in terms of number of cached tokens.', (s) => s.prefixCacheHits);
    total('vllm:num_preemptions_total', 'Cumulative number of preemptions from the engine.', (s) => s.preemptions);
  }

  observeFirstToken(seconds: number): void {
    this.ttft.observe(this.labels, seconds);
  }

  observeInterToken(seconds: number): void {
    this.itl.observe(this.labels, seconds);
  }

  /** Any finished engine request; latency (seconds from arrival) only counts for those that ran to their end. */
  observeFinish(finish: FinishEvent, e2eSeconds: number): void {
    this.promptTokens.inc(this.labels, finish.usage.promptTokens);
    this.generationTokens.inc(this.labels, finish.usage.completionTokens);
    if (finish.reason !== 'stop' && finish.reason !== 'length') return;
    this.e2e.observe(this.labels, e2eSeconds);
    this.success.inc({ ...this.labels, finished_reason: finish.reason }, 1);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
