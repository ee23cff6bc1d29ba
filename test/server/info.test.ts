import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BOS, ByteTokenizer, IM_END, IM_START } from './support/byteTokenizer.js';
import { post, startHarness, type Harness } from './support/harness.js';

/** The value of one sample line of a Prometheus text exposition. */
function sample(metrics: string, name: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  assert.ok(line, `no sample ${name} in:\n${metrics}`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('models, health, metrics, tokenize', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('/v1/models lists the served model', async () => {
    const page = await h.client.models.list();
    assert.deepEqual(page.data.map((m) => [m.id, m.object, m.owned_by]), [['fake-model', 'model', 'fastfill']]);
    assert.equal((page.data[0] as any).max_model_len, 256);
    assert.equal((await h.client.models.retrieve('fake-model')).id, 'fake-model');
  });

  test('/health is 200', async () => {
    assert.equal((await fetch(`${h.url}/health`)).status, 200);
  });

  test('/metrics: vLLM\'s names with the model_name label; tokens and latencies counted', async () => {
    await h.client.completions.create({ model: 'fake-model', prompt: 'Hello', max_tokens: 5 });
    await h.client.completions.create({ model: 'fake-model', prompt: 'Hi', max_tokens: 3, stream: true }).then(async (s) => {
      for await (const _ of s);
    });
    const res = await fetch(`${h.url}/metrics`);
    assert.match(res.headers.get('content-type')!, /^text\/plain/);
    const text = await res.text();
    for (const name of ['vllm:time_to_first_token_seconds', 'vllm:inter_token_latency_seconds', 'vllm:e2e_request_latency_seconds',
      'vllm:num_requests_running', 'vllm:num_requests_waiting', 'vllm:kv_cache_usage_perc', 'vllm:prefix_cache_queries',
      'vllm:prefix_cache_hits', 'vllm:prompt_tokens_total', 'vllm:generation_tokens_total']) {
      assert.ok(text.includes(`${name}`), `${name} missing`);
    }
    assert.equal(sample(text, 'vllm:prompt_tokens_total'), 6 + 3);
    assert.equal(sample(text, 'vllm:generation_tokens_total'), 5 + 3);
    assert.equal(sample(text, 'vllm:time_to_first_token_seconds_count'), 2);
    // each request has (tokens - 1) gaps
    assert.equal(sample(text, 'vllm:inter_token_latency_seconds_count'), 4 + 2);
    assert.equal(sample(text, 'vllm:e2e_request_latency_seconds_count'), 2);
    assert.ok(text.includes('vllm:num_requests_running{model_name="fake-model"} 0'));
    // the fake reports 10 queried and 4 hit tokens per request it has seen
    assert.equal(sample(text, 'vllm:prefix_cache_queries_total'), 20);
    assert.equal(sample(text, 'vllm:prefix_cache_hits_total'), 8);
  });

  test('/tokenize a prompt (with BOS), a chat (template, no BOS), token strings', async () => {
    const plain = await post(h.url, '/tokenize', { prompt: 'hi', return_token_strs: true });
    assert.deepEqual(plain.json, { count: 3, max_model_len: 256, tokens: [BOS, 104, 105], token_strs: ['<s>', 'h', 'i'] });
    const chat = await post(h.url, '/tokenize', { messages: [{ role: 'user', content: 'hi' }] });
    const expected = new ByteTokenizer().encode('<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n', { addSpecial: false });
    assert.deepEqual(chat.json.tokens, expected);
    assert.equal(chat.json.tokens[0], IM_START);
    assert.ok(chat.json.tokens.includes(IM_END));
    const raw = await post(h.url, '/tokenize', { prompt: 'hi', add_special_tokens: false });
    assert.deepEqual(raw.json.tokens, [104, 105]);
  });

  test('/detokenize', async () => {
    const res = await post(h.url, '/detokenize', { tokens: [104, 105, 0xc3, 0xa9] });
    assert.deepEqual(res.json, { prompt: 'hié' });
  });
});
