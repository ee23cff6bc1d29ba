import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { post, startHarness, waitFor, type Harness } from './support/harness.js';

function assertErrorShape(json: any, param: string | null, type = 'invalid_request_error'): void {
  assert.deepEqual(Object.keys(json), ['error']);
  assert.deepEqual(Object.keys(json.error).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(json.error.type, type);
  assert.equal(json.error.param, param, json.error.message);
  assert.equal(typeof json.error.message, 'string');
  assert.ok(json.error.message.length > 0);
}

describe('bad input: 400 in OpenAI\'s shape, param naming the field', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const cases: [string, string, unknown, string | null][] = [
    ['temperature of the wrong type', '/v1/completions', { prompt: 'a', temperature: 'hot' }, 'temperature'],
    ['temperature out of range', '/v1/completions', { prompt: 'a', temperature: -1 }, 'temperature'],
    ['top_p 0', '/v1/completions', { prompt: 'a', top_p: 0 }, 'top_p'],
    ['top_k below -1', '/v1/completions', { prompt: 'a', top_k: -2 }, 'top_k'],
    ['presence_penalty past 2', '/v1/chat/completions', { messages: [{ role: 'user', content: 'a' }], presence_penalty: 3 },
      'presence_penalty'],
    ['repetition_penalty 0', '/v1/completions', { prompt: 'a', repetition_penalty: 0 }, 'repetition_penalty'],
    ['seed not an integer', '/v1/completions', { prompt: 'a', seed: 1.5 }, 'seed'],
    ['unknown role', '/v1/chat/completions', { messages: [{ role: 'user', content: 'a' }, { role: 'wizard', content: 'b' }] },
      'messages[1].role'],
    ['no messages', '/v1/chat/completions', { messages: [] }, 'messages'],
    ['an image part', '/v1/chat/completions', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] },
      'messages[0].content[0].type'],
    ['no prompt', '/v1/completions', { max_tokens: 3 }, 'prompt'],
    ['a prompt of the wrong type', '/v1/completions', { prompt: 5 }, 'prompt'],
    ['n 0', '/v1/completions', { prompt: 'a', n: 0 }, 'n'],
    ['max_tokens 0', '/v1/completions', { prompt: 'a', max_tokens: 0 }, 'max_tokens'],
    ['max_completion_tokens negative', '/v1/chat/completions', { messages: [{ role: 'user', content: 'a' }], max_completion_tokens: -1 },
      'max_completion_tokens'],
    ['logprobs past 20', '/v1/completions', { prompt: 'a', logprobs: 30 }, 'logprobs'],
    ['top_logprobs without logprobs', '/v1/chat/completions', { messages: [{ role: 'user', content: 'a' }], top_logprobs: 3 },
      'top_logprobs'],
    ['echo', '/v1/completions', { prompt: 'a', echo: true }, 'echo'],
    ['stream_options without stream', '/v1/completions', { prompt: 'a', stream_options: { include_usage: true } }, 'stream_options'],
    ['an empty stop string', '/v1/completions', { prompt: 'a', stop: ['x', ''] }, 'stop'],
    ['a stop token outside the vocabulary', '/v1/completions', { prompt: 'a', stop_token_ids: [999] }, 'stop_token_ids'],
    ['a prompt token outside the vocabulary', '/v1/completions', { prompt: [1, 999] }, 'prompt[1]'],
    ['a mistyped prompt token', '/v1/completions', { prompt: [1, 2, 'b'] }, 'prompt[2]'],
    ['logit_bias', '/v1/completions', { prompt: 'a', logit_bias: { 5: 1 } }, 'logit_bias'],
    ['response_format json', '/v1/chat/completions', { messages: [{ role: 'user', content: 'a' }], response_format: { type: 'json_object' } },
      'response_format'],
    ['a body that is not an object', '/v1/completions', [1, 2], null],
    ['malformed JSON', '/v1/completions', '{"prompt": ', null],
    ['tokenize with neither prompt nor messages', '/tokenize', {}, 'prompt'],
    ['detokenize of an unknown id', '/detokenize', { tokens: [1, 5000] }, 'tokens[1]'],
  ];
  for (const [name, path, body, param] of cases) {
    test(name, async () => {
      const { status, json } = await post(h.url, path, body);
      assert.equal(status, 400, JSON.stringify(json));
      assertErrorShape(json, param);
    });
  }

  test('nothing reached the engine', () => {
    assert.equal(h.engine.requests.length, 0);
  });

  test('the openai client sees status, param and message', async () => {
    await assert.rejects(h.client.completions.create({ model: 'fake-model', prompt: 'a', temperature: -1 }),
      (e: any) => e instanceof OpenAI.BadRequestError && e.status === 400 && e.param === 'temperature'
        && /temperature must be/.test(e.message));
  });

  test('a prompt as long as the context: 400 naming both lengths', async () => {
    const { status, json } = await post(h.url, '/v1/completions', { prompt: 'x'.repeat(300) });
    assert.equal(status, 400);
    assertErrorShape(json, 'prompt');
    assert.equal(json.error.code, 'context_length_exceeded');
    assert.match(json.error.message, /maximum context length is 256 tokens.*301 tokens/);
  });

  test('prompt + max_tokens past the context: 400 naming the lengths, param max_tokens', async () => {
    const { status, json } = await post(h.url, '/v1/completions', { prompt: 'Hello', max_tokens: 300 });
    assert.equal(status, 400);
    assertErrorShape(json, 'max_tokens');
    assert.match(json.error.message, /256 tokens.*306 tokens \(6 in the prompt, 300 for the completion\)/);
  });

  test('an unknown route: 404 in the same shape', async () => {
    const res = await fetch(`${h.url}/v1/embeddings`);
    assert.equal(res.status, 404);
    assertErrorShape(await res.json(), null);
  });

  test('another model: 404 on model', async () => {
    const { status, json } = await post(h.url, '/v1/completions', { model: 'gpt-4', prompt: 'a' });
    assert.equal(status, 404);
    assertErrorShape(json, 'model');
    assert.equal(json.error.code, 'model_not_found');
  });
});

describe('limits', () => {
  test('a body past the limit: 413 in the error shape', async () => {
    const h = await startHarness({}, { bodyLimit: 1024 });
    try {
      const { status, json } = await post(h.url, '/v1/completions', { prompt: 'x'.repeat(2000) });
      assert.equal(status, 413);
      assertErrorShape(json, null);
      assert.equal(json.error.code, 'request_too_large');
    } finally {
      await h.close();
    }
  });

  test('more waiting requests than --max-queue: 429', async () => {
    const h = await startHarness({ maxRunning: 1, tokenDelayMs: 10 }, { maxQueue: 1 });
    const long = () => post(h.url, '/v1/completions', { prompt: 'a', max_tokens: 30 });
    try {
      const first = long();
      await waitFor(() => h.engine.stats().running === 1, 'the first request to run');
      const second = long();
      await waitFor(() => h.engine.stats().waiting === 1, 'the second request to wait');
      const { status, json } = await post(h.url, '/v1/completions', { prompt: 'a', max_tokens: 30 });
      assert.equal(status, 429);
      assertErrorShape(json, null, 'rate_limit_error');
      assert.equal((await first).status, 200);
      assert.equal((await second).status, 200);
      assert.equal(h.engine.requests.length, 2);
    } finally {
      await h.close();
    }
  });
});

describe('--api-key', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({}, { apiKey: 'sekrit' });
  });
  after(() => h.close());

  test('no key or a wrong key: 401 in the error shape, on every route', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 'sekrit' }] as Record<string, string>[]) {
      const { status, json } = await post(h.url, '/v1/completions', { prompt: 'a' }, headers);
      assert.equal(status, 401);
      assertErrorShape(json, null);
      assert.equal(json.error.code, 'invalid_api_key');
    }
    for (const path of ['/v1/models', '/metrics']) assert.equal((await fetch(`${h.url}${path}`)).status, 401);
    await assert.rejects(new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'wrong', maxRetries: 0 }).models.list(),
      (e: any) => e instanceof OpenAI.AuthenticationError);
  });

  test('the right key passes; /health needs none', async () => {
    const res = await h.client.completions.create({ model: 'fake-model', prompt: 'a', max_tokens: 2 });
    assert.equal(res.choices.length, 1);
    assert.equal((await fetch(`${h.url}/health`)).status, 200);
  });
});
