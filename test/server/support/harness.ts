// Starts the real server on 127.0.0.1:0 over a FakeEngine and a ByteTokenizer, with an openai client for it.
import OpenAI from 'openai';
import { ChatTemplate } from '../../../src/chat/chatTemplate.js';
import { createServer, type FastfillServer, type ServerOptions } from '../../../src/server/app.js';
import { ByteTokenizer } from './byteTokenizer.js';
import { FakeEngine, type FakeEngineOptions } from './fakeEngine.js';

/** ChatML, the shape of Qwen's template without its default system prompt. */
export const CHATML = `{%- for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}`
  + `{%- if tools %}<|im_start|>tools\n{{ tools | tojson }}<|im_end|>\n{% endif %}`
  + `{%- if add_generation_prompt %}<|im_start|>assistant\n{% endif %}`;

export interface Harness {
  server: FastfillServer;
  engine: FakeEngine;
  url: string;
  client: OpenAI;
  close(): Promise<void>;
}

export async function startHarness(fake: FakeEngineOptions = {}, options: Partial<ServerOptions> = {}): Promise<Harness> {
  const engine = new FakeEngine(fake);
  const server = createServer({ engine, tokenizer: new ByteTokenizer(), chatTemplate: new ChatTemplate(CHATML, 'test ChatML'),
    ...options });
  const url = await server.listen('127.0.0.1', 0);
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: options.apiKey ?? 'unused', maxRetries: 0, timeout: 10_000 });
  return { server, engine, url, client, close: () => server.shutdown() };
}

/** A raw JSON POST, for the responses the openai client would hide. */
export async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  const isJson = res.headers.get('content-type')?.startsWith('application/json');
  return { status: res.status, headers: res.headers, text, json: isJson ? JSON.parse(text) as any : undefined };
}

/** The `data:` payloads of an SSE body, parsed (the final "[DONE]" kept as the string). */
export function sseEvents(body: string): unknown[] {
  return body.split('\n\n').filter((block) => block.startsWith('data: '))
    .map((block) => block.slice(6)).map((data) => (data === '[DONE]' ? data : JSON.parse(data)));
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
