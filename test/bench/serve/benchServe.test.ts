// bench serve against the real server over the fake engine: counts, keys, exact prompt lengths, pacing.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { runBenchServe, type BenchServeOptions } from '../../../src/bench/serve/runBenchServe.js';
import { startHarness } from '../../server/support/harness.js';

const base = (baseUrl: string): BenchServeOptions => ({ baseUrl, endpoint: '/v1/completions', dataset: 'random', numPrompts: 12,
  inputLen: 20, outputLen: 8, requestRate: Infinity, burstiness: 1, seed: 0, progress: false });

const VLLM_KEYS = ['completed', 'failed', 'duration', 'total_input_tokens', 'total_output_tokens', 'request_throughput',
  'output_throughput', 'total_token_throughput', 'input_lens', 'output_lens', 'ttfts', 'itls', 'errors',
  ...['ttft', 'tpot', 'itl', 'e2el'].flatMap((m) => ['mean', 'median', 'std', 'p90', 'p99'].map((s) => `${s}_${m}_ms`))];

describe('bench serve', () => {
  test('random prompts of exact token lengths, fixed output lengths, vLLM keys', async () => {
    const h = await startHarness({ eosAfter: 3 });
    try {
      const { json, metrics, table } = await runBenchServe(base(h.url));
      for (const key of VLLM_KEYS) assert.ok(key in json, `missing ${key}`);
      assert.equal(json.model_id, 'fake-model');
      assert.equal(metrics.completed, 12);
      assert.equal(metrics.failed, 0);
      // 20 tokens fitted through /tokenize, plus the BOS the server adds; ignore_eos keeps every output at 8
      assert.deepEqual(json.input_lens, Array(12).fill(21));
      assert.deepEqual(json.output_lens, Array(12).fill(8));
      assert.equal(metrics.total_output_tokens, 96);
      assert.equal(metrics.total_input_tokens, 12 * 21);
      assert.equal((json.itls as number[][]).every((gaps) => gaps.length === 7), true);
      assert.ok(h.engine.requests.every((r) => r.ignoreEos && r.maxTokens === 8 && r.sampling.temperature === 0));
      assert.equal(new Set(h.engine.requests.map((r) => r.promptTokenIds.join())).size, 12);
      assert.equal(json.exact_prompt_lengths, true);
      assert.match(table, /Successful requests:\s+12/);
      assert.match(table, /P99 ITL \(ms\):/);
      // the same seed gives the same prompts
      const first = h.engine.requests.map((r) => r.promptTokenIds.join());
      await runBenchServe(base(h.url));
      assert.deepEqual(h.engine.requests.slice(12).map((r) => r.promptTokenIds.join()), first);
    } finally {
      await h.close();
    }
  });

  test('prefix-repetition: prompts share their prefixes; chat endpoint; --max-concurrency holds', async () => {
    const h = await startHarness({ tokenDelayMs: 1 });
    try {
      const { metrics } = await runBenchServe({ ...base(h.url), dataset: 'prefix-repetition', numPrompts: 8, numPrefixes: 2,
        prefixLen: 30, suffixLen: 10, maxConcurrency: 2, outputLen: 4, endpoint: '/v1/chat/completions' });
      assert.equal(metrics.completed, 8);
      assert.ok(h.engine.peakRunning <= 2, `peak ${h.engine.peakRunning}`);
      assert.ok(metrics.max_concurrent_requests! <= 2);
      const prefixes = new Map<string, number>();
      for (const r of h.engine.requests) {
        // the chat template's "<|im_start|>user\n" opens the prompt; the shared prefix follows
        const key = r.promptTokenIds.slice(0, 3 + 30).join();
        prefixes.set(key, (prefixes.get(key) ?? 0) + 1);
      }
      assert.deepEqual([...prefixes.values()], [4, 4]);
    } finally {
      await h.close();
    }
  });

  test('a finite request rate spreads the sends over about N / rate seconds', async () => {
    const h = await startHarness();
    try {
      const { metrics } = await runBenchServe({ ...base(h.url), numPrompts: 6, requestRate: 30, outputLen: 2 });
      assert.equal(metrics.completed, 6);
      assert.ok(metrics.duration! >= 0.2 - 0.02, `duration ${metrics.duration}`);
    } finally {
      await h.close();
    }
  });

  test('failures are counted with their errors', async () => {
    const h = await startHarness({ failWith: 'boom' });
    try {
      const { metrics, json } = await runBenchServe({ ...base(h.url), numPrompts: 3, endpoint: '/v1/nothing' });
      assert.equal(metrics.completed, 0);
      assert.equal(metrics.failed, 3);
      assert.match((json.errors as string[])[0]!, /HTTP 404/);
      const failing = await runBenchServe({ ...base(h.url), numPrompts: 2 });
      assert.equal(failing.metrics.failed, 2);
      assert.match((failing.json.errors as string[])[0]!, /boom/);
    } finally {
      await h.close();
    }
  });

  test('a bare server (no /tokenize, no usage): words stand in for tokens, chunks for output tokens', async () => {
    const bodies: any[] = [];
    const server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (d) => (raw += d));
      req.on('end', () => {
        if (req.url !== '/v1/completions') return void res.writeHead(404).end();
        bodies.push(JSON.parse(raw));
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const text of ['a', 'b', 'c']) res.write(`data: ${JSON.stringify({ choices: [{ index: 0, text }] })}\n\n`);
        res.end('data: [DONE]\n\n');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const { json, metrics } = await runBenchServe({ ...base(`http://127.0.0.1:${port}`), model: 'm', numPrompts: 2, inputLen: 7 });
      assert.equal(json.exact_prompt_lengths, false);
      assert.deepEqual(json.input_lens, [7, 7]);
      assert.deepEqual(json.output_lens, [3, 3]);
      assert.equal(metrics.completed, 2);
      assert.equal(bodies[0].prompt.split(' ').length, 7);
      assert.deepEqual({ ...bodies[0], prompt: undefined }, { model: 'm', prompt: undefined, max_tokens: 8, stream: true,
        stream_options: { include_usage: true }, temperature: 0, ignore_eos: true });
    } finally {
      server.close();
    }
  });
});
