// One streamed request, timed as vLLM's benchmark times it: TTFT = first chunk with choices, ITL = the gaps
// between later chunks with choices, latency = the last such chunk; output tokens from the usage chunk.
import { sseData } from './sseReader.js';

export type EndpointKind = 'completions' | 'chat';

export interface RequestInput {
  prompt: string;
  promptLen: number;
  outputLen: number;
}

export interface RequestOutput {
  success: boolean;
  /** the server's prompt_tokens when it reports usage, else the dataset's count */
  promptLen: number;
  outputTokens: number;
  /** seconds */
  ttft: number;
  itl: number[];
  latency: number;
  /** performance.now() in ms when the request was sent */
  startMs: number;
  error: string;
}

export interface Target {
  url: string;
  kind: EndpointKind;
  model: string;
  headers: Record<string, string>;
}

export function requestBody(target: Target, input: RequestInput): unknown {
  const common = { model: target.model, stream: true, stream_options: { include_usage: true }, temperature: 0, ignore_eos: true };
  if (target.kind === 'chat') {
    return { ...common, messages: [{ role: 'user', content: input.prompt }], max_completion_tokens: input.outputLen };
  }
  return { ...common, prompt: input.prompt, max_tokens: input.outputLen };
}

export async function streamRequest(target: Target, input: RequestInput): Promise<RequestOutput> {
  const out: RequestOutput = { success: false, promptLen: input.promptLen, outputTokens: 0, ttft: 0, itl: [], latency: 0,
    startMs: performance.now(), error: '' };
  let chunks = 0;
  let usageTokens: number | undefined;
  try {
    const res = await fetch(target.url, { method: 'POST', headers: { 'content-type': 'application/json', ...target.headers },
      body: JSON.stringify(requestBody(target, input)) });
    if (!res.ok || !res.body) {
      out.error = `HTTP ${res.status}: ${(await res.text()).slice(0, 500)}`;
      return out;
    }
    let last = out.startMs;
    for await (const data of sseData(res.body)) {
      if (data === '[DONE]') break;
      const chunk = JSON.parse(data) as { choices?: unknown[]; usage?: { prompt_tokens?: number; completion_tokens?: number };
        error?: { message?: string } };
      if (chunk.error) throw new Error(chunk.error.message ?? JSON.stringify(chunk.error));
      if (chunk.usage?.completion_tokens !== undefined) usageTokens = chunk.usage.completion_tokens;
      if (chunk.usage?.prompt_tokens !== undefined) out.promptLen = chunk.usage.prompt_tokens;
      if (!chunk.choices || chunk.choices.length === 0) continue;
      const now = performance.now();
      if (chunks === 0) out.ttft = (now - out.startMs) / 1000;
      else out.itl.push((now - last) / 1000);
      last = now;
      chunks++;
    }
    if (chunks === 0) throw new Error('the stream carried no tokens');
    out.latency = (last - out.startMs) / 1000;
    out.outputTokens = usageTokens ?? chunks;
    out.success = true;
  } catch (error) {
    out.error = (error as Error).message;
  }
  return out;
}
