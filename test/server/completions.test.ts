import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Completion } from 'openai/resources/completions';
import { BOS } from './support/byteTokenizer.js';
import { fakeText } from './support/fakeEngine.js';
import { startHarness, type Harness } from './support/harness.js';

// ByteTokenizer: "Hello" = BOS + 5 bytes
const HELLO_TOKENS = 6;

describe('/v1/completions with the openai client', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ eosAfter: 30 });
  });
  after(() => h.close());

  test('non-streamed: the engine text, usage, ids and what reached the engine', async () => {
    const res = await h.client.completions.create({ model: 'fake-model', prompt: 'Hello', max_tokens: 20, seed: 7 });
    assert.match(res.id, /^cmpl-[0-9a-f]{32}$/);
    assert.equal(res.object, 'text_completion');
    assert.equal(res.model, 'fake-model');
    assert.ok(Math.abs(res.created - Date.now() / 1000) < 60);
    assert.equal(res.choices.length, 1);
    assert.equal(res.choices[0]!.text, fakeText(7, 20));
    assert.equal(res.choices[0]!.finish_reason, 'length');
    assert.equal(res.choices[0]!.logprobs, null);
    assert.deepEqual(res.usage, { prompt_tokens: HELLO_TOKENS, completion_tokens: 20, total_tokens: 26,
      prompt_tokens_details: { cached_tokens: 0 } });
    const sent = h.engine.requests.at(-1)!;
    assert.deepEqual(sent.promptTokenIds, [BOS, ...Buffer.from('Hello')]);
    assert.equal(sent.maxTokens, 20);
    assert.equal(sent.sampling.seed, 7);
  });

  test('max_tokens defaults to 16, as in OpenAI and vLLM', async () => {
    const res = await h.client.completions.create({ model: 'fake-model', prompt: 'Hello', seed: 1 });
    assert.equal(res.usage?.completion_tokens, 16);
    assert.equal(h.engine.requests.at(-1)!.maxTokens, 16);
  });

  test('sampling fields reach the engine under its names', async () => {
    await h.client.completions.create({ model: 'fake-model', prompt: 'Hi', max_tokens: 2, temperature: 0.7, top_p: 0.9,
      presence_penalty: 0.5, frequency_penalty: -0.5,
      ...{ top_k: -1, min_p: 0.05, repetition_penalty: 1.1, ignore_eos: true, stop_token_ids: [7] } } as any);
    const sent = h.engine.requests.at(-1)!;
    assert.deepEqual(sent.sampling, { temperature: 0.7, topP: 0.9, topK: 0, minP: 0.05, presencePenalty: 0.5,
      frequencyPenalty: -0.5, repetitionPenalty: 1.1, seed: undefined });
    assert.equal(sent.ignoreEos, true);
    assert.deepEqual(sent.stopTokenIds, [7]);
  });

  test('streamed: one chunk per token, finish_reason on the last, no usage unless asked', async () => {
    const stream = await h.client.completions.create({ model: 'fake-model', prompt: 'Hello', max_tokens: 12, seed: 3, stream: true });
    const chunks: Completion[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.equal(chunks.length, 12);
    assert.equal(chunks.map((c) => c.choices[0]!.text).join(''), fakeText(3, 12));
    assert.deepEqual(chunks.map((c) => c.choices[0]!.finish_reason), [...Array(11).fill(null), 'length']);
    assert.ok(chunks.every((c) => c.usage === undefined && c.id === chunks[0]!.id));
  });

  test('streamed with stream_options.include_usage: a last chunk with no choices and the usage', async () => {
    const stream = await h.client.completions.create({ model: 'fake-model', prompt: 'Hello', max_tokens: 5, seed: 3,
      stream: true, stream_options: { include_usage: true } });
    const chunks: Completion[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.deepEqual(last.usage, { prompt_tokens: HELLO_TOKENS, completion_tokens: 5, total_tokens: 11,
      prompt_tokens_details: { cached_tokens: 0 } });
    assert.equal(chunks.slice(0, -1).filter((c) => c.usage).length, 0);
  });

  test('stop strings: the text ends before the first stop, finish_reason "stop", stop_reason names it', async () => {
    const full = fakeText(11, 40);
    const stop = full.slice(8, 11);
    const expected = full.slice(0, full.indexOf(stop));
    const res = await h.client.completions.create({ model: 'fake-model', prompt: 'Hello', max_tokens: 40, seed: 11,
      stop: [stop, 'never-there'] });
    assert.equal(res.choices[0]!.text, expected);
    assert.equal(res.choices[0]!.finish_reason, 'stop');
    assert.equal((res.choices[0] as any).stop_reason, stop);
    const stream = await h.client.completions.create({ model: 'fake-model', prompt: 'Hello', max_tokens: 40, seed: 11,
      stop, stream: true });
    let text = '';
    let finish;
    for await (const chunk of stream) {
      text += chunk.choices[0]!.text;
      finish = chunk.choices[0]!.finish_reason ?? finish;
    }
    assert.equal(text, expected);
    assert.equal(finish, 'stop');
  });

  test('EOS stops with "stop" unless ignore_eos', async () => {
    const res = await h.client.completions.create({ model: 'fake-model', prompt: 'Hello', max_tokens: 40, seed: 2 });
    assert.equal(res.choices[0]!.text, fakeText(2, 40).slice(0, 30));
    assert.equal(res.choices[0]!.finish_reason, 'stop');
    assert.equal(res.usage?.completion_tokens, 31);
    const ignoring = await h.client.completions.create({ model: 'fake-model', prompt: 'Hello', max_tokens: 40, seed: 2,
      ...{ ignore_eos: true } } as any);
    assert.equal(ignoring.choices[0]!.text, fakeText(2, 40));
    assert.equal(ignoring.choices[0]!.finish_reason, 'length');
  });

  test('same seed, same text; another seed, another text', async () => {
    const ask = (seed: number) => h.client.completions.create({ model: 'fake-model', prompt: 'Hello', max_tokens: 24, seed })
      .then((r) => r.choices[0]!.text);
    const [a, b, c] = await Promise.all([ask(42), ask(42), ask(43)]);
    assert.equal(a, b);
    assert.notEqual(a, c);
  });

  test('n > 1: independent choices, indexed, seeded seed + j, the prompt counted once', async () => {
    const res = await h.client.completions.create({ model: 'fake-model', prompt: 'Hello', max_tokens: 10, seed: 5, n: 3 });
    const byIndex = [...res.choices].sort((x, y) => x.index - y.index);
    assert.deepEqual(byIndex.map((c) => c.index), [0, 1, 2]);
    assert.deepEqual(byIndex.map((c) => c.text), [fakeText(5, 10), fakeText(6, 10), fakeText(7, 10)]);
    assert.deepEqual(res.usage, { prompt_tokens: HELLO_TOKENS, completion_tokens: 30, total_tokens: 36,
      prompt_tokens_details: { cached_tokens: 0 } });
  });

  test('n > 1 streamed: every choice completes under its own index', async () => {
    const stream = await h.client.completions.create({ model: 'fake-model', prompt: 'Hello', max_tokens: 6, seed: 5, n: 2,
      stream: true, stream_options: { include_usage: true } });
    const texts = ['', ''];
    const finishes: (string | null)[] = [null, null];
    let usage;
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        texts[choice.index] += choice.text;
        finishes[choice.index] = choice.finish_reason ?? finishes[choice.index]!;
      }
      usage = chunk.usage ?? usage;
    }
    assert.deepEqual(texts, [fakeText(5, 6), fakeText(6, 6)]);
    assert.deepEqual(finishes, ['length', 'length']);
    assert.equal(usage?.completion_tokens, 12);
  });

  test('several prompts (and token-id prompts): choices prompt * n + j, prompts added up', async () => {
    const res = await h.client.completions.create({ model: 'fake-model', prompt: ['ab', 'cde'], max_tokens: 3, n: 2, seed: 1 });
    assert.deepEqual(res.choices.map((c) => c.index).sort(), [0, 1, 2, 3]);
    assert.equal(res.usage?.prompt_tokens, 3 + 4);
    const byId = new Map(h.engine.requests.slice(-4).map((r) => [r.requestId.split('-').at(-1), r.promptTokenIds.length]));
    assert.deepEqual([...byId.entries()].sort(), [['0', 3], ['1', 3], ['2', 4], ['3', 4]]);
    const ids = await h.client.completions.create({ model: 'fake-model', prompt: [104, 105], max_tokens: 2 });
    assert.equal(ids.usage?.prompt_tokens, 2);
    assert.deepEqual(h.engine.requests.at(-1)!.promptTokenIds, [104, 105]);
  });

  test('legacy logprobs: tokens, token_logprobs, top_logprobs with the chosen token, text_offset', async () => {
    const res = await h.client.completions.create({ model: 'fake-model', prompt: 'Hello', max_tokens: 4, seed: 9, logprobs: 2 });
    const text = fakeText(9, 4);
    const lp = res.choices[0]!.logprobs!;
    assert.deepEqual(lp.tokens, [...text]);
    assert.deepEqual(lp.token_logprobs, [-0.5, -0.5, -0.5, -0.5]);
    // the fake's alternatives: the chosen byte at -0.5, then the next byte value at -1.5
    assert.deepEqual(lp.top_logprobs, [...text].map((ch) => ({ [ch]: -0.5, [String.fromCharCode(ch.charCodeAt(0) + 1)]: -1.5 })));
    assert.deepEqual(lp.text_offset, [0, 1, 2, 3]);
    assert.equal(h.engine.requests.at(-1)!.topLogprobs, 2);
  });

  test('legacy logprobs streamed: offsets keep counting across chunks', async () => {
    const stream = await h.client.completions.create({ model: 'fake-model', prompt: 'Hello', max_tokens: 3, seed: 9, logprobs: 0,
      stream: true });
    const offsets = [];
    for await (const chunk of stream) offsets.push(...chunk.choices[0]!.logprobs!.text_offset!);
    assert.deepEqual(offsets, [0, 1, 2]);
  });
});
