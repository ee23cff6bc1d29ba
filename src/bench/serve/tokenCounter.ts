// Exact prompt lengths through the server's /tokenize and /detokenize (vLLM's shapes), or, for servers
// without them, words standing in for tokens.
import type { RandomText } from './randomText.js';

export interface TokenCounter {
  /** true when lengths are the server's own token counts */
  readonly exact: boolean;
  /** a text of `tokens` tokens (as close as the tokenizer allows) and its length */
  fit(random: RandomText, tokens: number): Promise<{ text: string; tokens: number }>;
}

export const wordCounter: TokenCounter = {
  exact: false,
  async fit(random, tokens) {
    return { text: random.words(tokens), tokens };
  },
};

export class ServerTokenCounter implements TokenCounter {
  readonly exact = true;

  constructor(private readonly baseUrl: string, private readonly headers: Record<string, string>, private readonly model: string) {}

  /** The server's counter if it answers /tokenize, else undefined. */
  static async probe(baseUrl: string, headers: Record<string, string>, model: string): Promise<ServerTokenCounter | undefined> {
    const counter = new ServerTokenCounter(baseUrl, headers, model);
    try {
      const ids = await counter.tokenize('hello world');
      return ids.length > 0 ? counter : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Words until the text is long enough, then cut to `tokens` ids and decoded; decoding and re-encoding can
   * shift a boundary by a token, so the cut is retried a few times and the closest text is kept.
   */
  async fit(random: RandomText, tokens: number): Promise<{ text: string; tokens: number }> {
    if (tokens <= 0) return { text: '', tokens: 0 };
    let text = random.words(tokens);
    let ids = await this.tokenize(text);
    while (ids.length < tokens) {
      text += ` ${random.words(tokens - ids.length)}`;
      ids = await this.tokenize(text);
    }
    let best = { text, tokens: ids.length };
    let cut = tokens;
    for (let attempt = 0; attempt < 4 && best.tokens !== tokens; attempt++) {
      const candidate = await this.detokenize(ids.slice(0, cut));
      const length = (await this.tokenize(candidate)).length;
      if (Math.abs(length - tokens) < Math.abs(best.tokens - tokens)) best = { text: candidate, tokens: length };
      cut += tokens - length;
      if (cut <= 0 || cut > ids.length) break;
    }
    return best;
  }

  private async tokenize(prompt: string): Promise<number[]> {
    const json = await this.post('/tokenize', { model: this.model, prompt, add_special_tokens: false }) as { tokens?: unknown };
    if (!Array.isArray(json.tokens)) throw new Error('/tokenize answered without "tokens"');
    return json.tokens as number[];
  }

  private async detokenize(tokens: number[]): Promise<string> {
    const json = await this.post('/detokenize', { model: this.model, tokens }) as { prompt?: unknown };
    if (typeof json.prompt !== 'string') throw new Error('/detokenize answered without "prompt"');
    return json.prompt;
  }

  private async post(path: string, body: unknown): Promise<unknown> {
    const res = await fetch(`${this.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...this.headers },
      body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return res.json();
  }
}
