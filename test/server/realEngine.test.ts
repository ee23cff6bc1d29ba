// End to end: the server over the real engine (worker thread) and real tiny models.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { runBenchServe } from '../../src/bench/serve/runBenchServe.js';
import { loadChatTemplateFile } from '../../src/chat/findChatTemplate.js';
import { createEngine } from '../../src/engine/engine.js';
import { createServer, type FastfillServer } from '../../src/server/app.js';
import { loadTokenizer } from '../../src/tokenizer/index.js';
import { sharedPath, sharedSkip } from '../helpers/paths.js';

const STORIES = 'models/stories260K.gguf';
const REFERENCE = 'models/reference-greedy.json';

async function serve(model: string, chatTemplate?: string): Promise<{ server: FastfillServer; client: OpenAI; url: string }> {
  const engine = await createEngine(sharedPath(model), { contextLength: 128, threads: 1 });
  const server = createServer({ engine, tokenizer: loadTokenizer(sharedPath(model)),
    chatTemplate: chatTemplate ? loadChatTemplateFile(sharedPath(chatTemplate)) : undefined });
  const url = await server.listen('127.0.0.1', 0);
  return { server, url, client: new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0, timeout: 20_000 }) };
}

describe('stories260K through the server', { skip: sharedSkip(STORIES) || sharedSkip(REFERENCE) }, () => {
  let s: Awaited<ReturnType<typeof serve>>;
  let reference: { prompt: string; prompt_ids: number[]; generated_text: string };
  before(async () => {
    reference = JSON.parse(readFileSync(sharedPath(REFERENCE), 'utf8')).stories260K;
    s = await serve(STORIES);
  });
  after(() => s.server.shutdown());

  test('greedy completion = llama.cpp\'s 64 tokens, streamed or not', async () => {
    const res = await s.client.completions.create({ model: 'stories260K.gguf', prompt: reference.prompt, max_tokens: 64, temperature: 0 });
    assert.equal(res.choices[0]!.text, reference.generated_text);
    assert.equal(res.choices[0]!.finish_reason, 'length');
    assert.equal(res.usage?.prompt_tokens, reference.prompt_ids.length);
    assert.equal(res.usage?.completion_tokens, 64);
    const stream = await s.client.completions.create({ model: 'stories260K.gguf', prompt: reference.prompt, max_tokens: 64,
      temperature: 0, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? '';
      usage = chunk.usage ?? usage;
    }
    assert.equal(text, reference.generated_text);
    assert.equal(usage?.completion_tokens, 64);
  });

  test('stop strings, log-probs, seeds', async () => {
    const stopped = await s.client.completions.create({ model: 'stories260K.gguf', prompt: reference.prompt, max_tokens: 64,
      temperature: 0, stop: ['Lily'] });
    assert.equal(stopped.choices[0]!.text, reference.generated_text.slice(0, reference.generated_text.indexOf('Lily')));
    assert.equal(stopped.choices[0]!.finish_reason, 'stop');

    const withLogprobs = await s.client.completions.create({ model: 'stories260K.gguf', prompt: reference.prompt, max_tokens: 12,
      temperature: 0, logprobs: 3 });
    const lp = withLogprobs.choices[0]!.logprobs!;
    assert.equal(lp.tokens!.join(''), withLogprobs.choices[0]!.text);
    lp.top_logprobs!.forEach((top, i) => {
      // greedy: the chosen token is the most likely one
      assert.equal(Math.max(...Object.values(top)), lp.token_logprobs![i]);
      assert.ok(lp.token_logprobs![i]! <= 0);
    });

    const sample = (seed: number) => s.client.completions.create({ model: 'stories260K.gguf', prompt: reference.prompt,
      max_tokens: 24, temperature: 1, seed }).then((r) => r.choices[0]!.text);
    assert.equal(await sample(42), await sample(42));
  });

  test('bench serve against it: fixed output lengths', async () => {
    const { metrics, json } = await runBenchServe({ baseUrl: s.url, endpoint: '/v1/completions', dataset: 'random', numPrompts: 4,
      inputLen: 16, outputLen: 8, requestRate: Infinity, burstiness: 1, seed: 1, progress: false });
    assert.equal(metrics.completed, 4);
    assert.deepEqual(json.output_lens, [8, 8, 8, 8]);
    // 16 tokens fitted through /tokenize, plus BOS
    assert.deepEqual(json.input_lens, [17, 17, 17, 17]);
  });
});

describe('qwen2 random weights with the Qwen2.5 template, through chat',
  { skip: sharedSkip('models/random/qwen2-pub-f32.gguf') || sharedSkip('tokenizers/qwen2.5/chat_template.jinja') }, () => {
    test('the rendered prompt is what the engine counts; streamed and not', async () => {
      const s = await serve('models/random/qwen2-pub-f32.gguf', 'tokenizers/qwen2.5/chat_template.jinja');
      try {
        const messages = [{ role: 'user' as const, content: 'Hi' }];
        const tokenized = await fetch(`${s.url}/tokenize`, { method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ messages }) }).then((r) => r.json()) as { count: number };
        const res = await s.client.chat.completions.create({ model: 'qwen2-pub-f32.gguf', messages, max_tokens: 6, temperature: 0,
          ...{ ignore_eos: true } } as any) as OpenAI.ChatCompletion;
        assert.equal(res.usage?.prompt_tokens, tokenized.count);
        assert.equal(res.usage?.completion_tokens, 6);
        const stream = await s.client.chat.completions.create({ model: 'qwen2-pub-f32.gguf', messages, max_tokens: 6, temperature: 0,
          stream: true, ...{ ignore_eos: true } } as any) as unknown as AsyncIterable<OpenAI.ChatCompletionChunk>;
        let text = '';
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
        assert.equal(text, res.choices[0]!.message.content);
      } finally {
        await s.server.shutdown();
      }
    });
  });
