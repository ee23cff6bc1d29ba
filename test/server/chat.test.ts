import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { ChatTemplate } from '../../src/chat/chatTemplate.js';
import { ByteTokenizer } from './support/byteTokenizer.js';
import { fakeText } from './support/fakeEngine.js';
import { post, startHarness, type Harness } from './support/harness.js';

const tokenizer = new ByteTokenizer();
const chatml = (text: string) => tokenizer.encode(text, { addSpecial: false });

describe('/v1/chat/completions with the openai client', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('non-streamed: the template-rendered prompt reaches the engine; message, usage, ids', async () => {
    const res = await h.client.chat.completions.create({ model: 'fake-model', max_tokens: 9, seed: 4,
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: [{ type: 'text', text: 'Hi' }] }] });
    const prompt = chatml('<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n');
    assert.deepEqual(h.engine.requests.at(-1)!.promptTokenIds, prompt);
    assert.match(res.id, /^chatcmpl-[0-9a-f]{32}$/);
    assert.equal(res.object, 'chat.completion');
    assert.deepEqual(res.choices[0]!.message, { role: 'assistant', content: fakeText(4, 9) });
    assert.equal(res.choices[0]!.finish_reason, 'length');
    assert.deepEqual(res.usage, { prompt_tokens: prompt.length, completion_tokens: 9, total_tokens: prompt.length + 9,
      prompt_tokens_details: { cached_tokens: 0 } });
  });

  test('max_completion_tokens wins over max_tokens; without either the rest of the context is allowed', async () => {
    await h.client.chat.completions.create({ model: 'fake-model', max_tokens: 3, max_completion_tokens: 5,
      messages: [{ role: 'user', content: 'x' }] });
    assert.equal(h.engine.requests.at(-1)!.maxTokens, 5);
    await h.client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'x' }], stop: ' ' });
    const sent = h.engine.requests.at(-1)!;
    assert.equal(sent.maxTokens, h.engine.model.contextLength - sent.promptTokenIds.length);
  });

  test('streamed: a role chunk first, content deltas, finish_reason, then the usage chunk', async () => {
    const stream = await h.client.chat.completions.create({ model: 'fake-model', max_tokens: 8, seed: 4, stream: true,
      stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Hi' }] });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.equal(chunks[0]!.object, 'chat.completion.chunk');
    assert.deepEqual(chunks[0]!.choices[0]!.delta, { role: 'assistant', content: '' });
    const withChoices = chunks.filter((c) => c.choices.length > 0);
    assert.equal(withChoices.map((c) => c.choices[0]!.delta.content ?? '').join(''), fakeText(4, 8));
    assert.equal(withChoices.at(-1)!.choices[0]!.finish_reason, 'length');
    assert.deepEqual(chunks.at(-1)!.choices, []);
    assert.equal(chunks.at(-1)!.usage?.completion_tokens, 8);
  });

  test('logprobs: content[] with token, logprob, bytes and top_logprobs', async () => {
    const res = await h.client.chat.completions.create({ model: 'fake-model', max_tokens: 3, seed: 8, logprobs: true,
      top_logprobs: 2, messages: [{ role: 'user', content: 'Hi' }] });
    const text = fakeText(8, 3);
    assert.deepEqual(res.choices[0]!.logprobs!.content, [...text].map((ch) => {
      const next = String.fromCharCode(ch.charCodeAt(0) + 1);
      return { token: ch, logprob: -0.5, bytes: [ch.charCodeAt(0)], top_logprobs: [
        { token: ch, logprob: -0.5, bytes: [ch.charCodeAt(0)] }, { token: next, logprob: -1.5, bytes: [next.charCodeAt(0)] }] };
    }));
    const plain = await h.client.chat.completions.create({ model: 'fake-model', max_tokens: 2, logprobs: true,
      messages: [{ role: 'user', content: 'Hi' }] });
    assert.equal(plain.choices[0]!.logprobs!.content!.length, 2);
    assert.deepEqual(plain.choices[0]!.logprobs!.content![0]!.top_logprobs, []);
  });

  test('n > 1 and stop strings', async () => {
    const full = fakeText(21, 30);
    const stop = full.slice(6, 8);
    const res = await h.client.chat.completions.create({ model: 'fake-model', max_tokens: 30, seed: 20, n: 2, stop: [stop],
      messages: [{ role: 'user', content: 'Hi' }] });
    const second = res.choices.find((c) => c.index === 1)!;
    assert.equal(second.message.content, full.slice(0, full.indexOf(stop)));
    assert.equal(second.finish_reason, 'stop');
    assert.equal(res.choices.find((c) => c.index === 0)!.message.content!.length > 0, true);
  });

  test('tools are passed to the template', async () => {
    const tools = [{ type: 'function' as const, function: { name: 'add', parameters: { type: 'object' } } }];
    await h.client.chat.completions.create({ model: 'fake-model', max_tokens: 1, tools, messages: [{ role: 'user', content: 'Hi' }] });
    const text = tokenizer.decode(h.engine.requests.at(-1)!.promptTokenIds);
    assert.ok(text.includes(`<|im_start|>tools\n${JSON.stringify(tools).replaceAll(':', ': ').replaceAll(',', ', ')}<|im_end|>`), text);
  });
});

describe('chat templates, other cases', () => {
  test('tool-call arguments given as JSON text reach the template as objects; null content is empty', async () => {
    const probe = new ChatTemplate('{{ messages[0].tool_calls[0].function.arguments.a }}|{{ messages[0].content }}|'
      + '{{ messages[0].name is defined }}', 'probe template');
    const h = await startHarness({}, { chatTemplate: probe });
    try {
      await h.client.chat.completions.create({ model: 'fake-model', max_tokens: 1, messages: [{ role: 'assistant', content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'add', arguments: '{"a": 41}' } }] }] });
      assert.equal(tokenizer.decode(h.engine.requests.at(-1)!.promptTokenIds), '41||false');
    } finally {
      await h.close();
    }
  });

  test('a template that raises (raise_exception) is a 400 on messages with its message', async () => {
    const strict = new ChatTemplate(`{% if messages[0].role != 'user' %}{{ raise_exception('user first, please') }}{% endif %}`
      + '{{ messages[0].content }}', 'strict test template');
    const h = await startHarness({}, { chatTemplate: strict });
    try {
      const { status, json } = await post(h.url, '/v1/chat/completions', { messages: [{ role: 'assistant', content: 'Hi' }] });
      assert.equal(status, 400);
      assert.deepEqual(json.error, { message: 'the chat template (strict test template) failed: user first, please', type: 'invalid_request_error', param: 'messages',
        code: 'chat_template_error' });
    } finally {
      await h.close();
    }
  });

  test('no template at all is a 400 that says how to give one', async () => {
    const h = await startHarness({}, { chatTemplate: undefined });
    try {
      const { status, json } = await post(h.url, '/v1/chat/completions', { messages: [{ role: 'user', content: 'Hi' }] });
      assert.equal(status, 400);
      assert.equal(json.error.param, 'messages');
      assert.match(json.error.message, /--chat-template/);
    } finally {
      await h.close();
    }
  });
});
