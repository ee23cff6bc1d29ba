import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeMetrics, mean, percentile, std } from '../../../src/bench/serve/benchMetrics.js';
import type { RequestOutput } from '../../../src/bench/serve/streamRequest.js';

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);

test('percentile interpolates linearly between ranks (numpy\'s default)', () => {
  // sorted 1, 2, 3, 4, 10: rank = p/100 * 4
  const values = [4, 1, 10, 3, 2];
  close(percentile(values, 50), 3, 'p50');
  close(percentile(values, 90), 4 + (10 - 4) * 0.6, 'p90 (rank 3.6)');
  close(percentile(values, 99), 4 + (10 - 4) * 0.96, 'p99 (rank 3.96)');
  close(percentile(values, 0), 1, 'p0');
  close(percentile(values, 100), 10, 'p100');
  close(percentile([7], 99), 7, 'one value');
  assert.equal(percentile([], 50), 0);
  close(percentile([1, 2, 3, 4], 50), 2.5, 'even count median');
  close(mean([1, 2, 3, 6]), 3, 'mean');
  close(std([1, 2, 3, 6]), Math.sqrt((4 + 1 + 0 + 9) / 4), 'population std');
});

function output(o: Partial<RequestOutput>): RequestOutput {
  return { success: true, promptLen: 10, outputTokens: 1, ttft: 0, itl: [], latency: 0, startMs: 0, error: '', ...o };
}

test('TTFT, TPOT, ITL, E2EL and throughputs as vLLM defines them', () => {
  const outputs = [
    // 4 tokens: ttft 0.1 s, gaps 0.05, 0.05, 0.2 -> latency 0.4; TPOT = (0.4 - 0.1) / 3 = 0.1
    output({ promptLen: 10, outputTokens: 4, ttft: 0.1, itl: [0.05, 0.05, 0.2], latency: 0.4, startMs: 0 }),
    // 1 token: no TPOT, no gaps
    output({ promptLen: 20, outputTokens: 1, ttft: 0.3, itl: [], latency: 0.3, startMs: 100 }),
    // 3 tokens: TPOT = (0.6 - 0.2) / 2 = 0.2
    output({ promptLen: 30, outputTokens: 3, ttft: 0.2, itl: [0.1, 0.3], latency: 0.6, startMs: 200 }),
    // failed: counts nowhere but in "failed"
    output({ success: false, promptLen: 99, outputTokens: 0, error: 'HTTP 500' }),
  ];
  const m = computeMetrics(outputs, { durationS: 2 });
  assert.equal(m.completed, 3);
  assert.equal(m.failed, 1);
  assert.equal(m.total_input_tokens, 60);
  assert.equal(m.total_output_tokens, 8);
  close(m.request_throughput!, 1.5, 'request_throughput');
  close(m.output_throughput!, 4, 'output_throughput');
  close(m.total_token_throughput!, 34, 'total_token_throughput');
  close(m.mean_ttft_ms!, 200, 'mean ttft');
  close(m.median_ttft_ms!, 200, 'median ttft');
  close(m.p99_ttft_ms!, 200 + 100 * 0.98, 'p99 ttft (rank 1.98 of 100, 200, 300)');
  close(m.mean_tpot_ms!, 150, 'mean tpot over the two requests with > 1 token');
  close(m.median_tpot_ms!, 150, 'median tpot');
  // ITL: all five gaps of all requests: 50, 50, 200, 100, 300 ms
  close(m.mean_itl_ms!, 140, 'mean itl');
  close(m.median_itl_ms!, 100, 'median itl');
  close(m.p90_itl_ms!, 200 + 100 * 0.6, 'p90 itl (rank 3.6)');
  close(m.mean_e2el_ms!, 1300 / 3, 'mean e2el');
  close(m.p50_e2el_ms!, 400, 'p50 e2el');
  // request 1 runs 0..400 ms, request 2 100..400 ms, request 3 200..800 ms: three at once
  assert.equal(m.max_concurrent_requests, 3);
  // every chunk lands in the first second: 4 + 1 + 3
  assert.equal(m.max_output_tokens_per_s, 8);
});

test('no successful request: zeros, not NaN', () => {
  const m = computeMetrics([output({ success: false })], { durationS: 1 });
  assert.equal(m.completed, 0);
  for (const [key, value] of Object.entries(m)) assert.ok(Number.isFinite(value), `${key} = ${value}`);
});
