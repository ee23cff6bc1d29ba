// A deterministic EngineHandle for server tests: ASCII words, one byte token per step, with configurable
// delays and a running-slot limit (the rest wait, as in the real scheduler). It records every request
// and every abort.
import type { ChosenTokenLogprob, EngineEvent, EngineHandle, EngineStats, FinishEvent, GenerationRequest, ModelInfo }
  from '../../../src/engine/api.js';
import { EventQueue } from '../../../src/engine/eventQueue.js';
import { Xoshiro128StarStar } from '../../../src/engine/rng.js';
import { StopMatcher } from '../../../src/engine/stopMatcher.js';
import { EOS } from './byteTokenizer.js';

export interface FakeEngineOptions {
  contextLength?: number;
  firstTokenDelayMs?: number;
  tokenDelayMs?: number;
  /** requests beyond this many wait (default: no limit) */
  maxRunning?: number;
  /** emit EOS after this many tokens unless ignoreEos (default: never) */
  eosAfter?: number;
  /** make every request finish with reason 'error' */
  failWith?: string;
}

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];

/** The text the fake writes for a seed: words picked by a seeded generator (greedy = seed 0). */
export function fakeText(seed: number, length: number): string {
  const rng = Xoshiro128StarStar.fromSeed(seed);
  let text = '';
  while (text.length < length) text += `${WORDS[rng.nextUint32() % WORDS.length]} `;
  return text.slice(0, length);
}

/** Fake log-probs: the chosen byte at -0.5, then `top` alternatives (the next byte values) further down. */
export function fakeLogprob(tokenId: number, top: number): ChosenTokenLogprob {
  const describe = (id: number, logprob: number) => ({ tokenId: id, token: String.fromCharCode(id), bytes: [id], logprob });
  return { ...describe(tokenId, -0.5), top: Array.from({ length: top }, (_, k) => describe(k === 0 ? tokenId : (tokenId + k) % 128, -0.5 - k)) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class FakeEngine implements EngineHandle {
  readonly model: ModelInfo;
  readonly requests: GenerationRequest[] = [];
  readonly aborts: string[] = [];
  closed = false;
  /** the most requests running at once so far */
  peakRunning = 0;
  private readonly live = new Map<string, { aborted: boolean }>();
  private running = 0;
  private readonly slotWaiters: (() => void)[] = [];

  constructor(readonly options: FakeEngineOptions = {}) {
    this.model = { id: 'fake-model', path: '/models/fake.gguf', contextLength: options.contextLength ?? 256, vocabSize: 260 };
  }

  generate(request: GenerationRequest): AsyncIterable<EngineEvent> {
    if (this.closed) throw new Error('the engine is closed');
    this.requests.push(request);
    const state = { aborted: false };
    this.live.set(request.requestId, state);
    const queue = new EventQueue<EngineEvent>(() => this.abort(request.requestId));
    void this.run(request, state, queue);
    return queue;
  }

  abort(requestId: string): void {
    const state = this.live.get(requestId);
    if (!state || state.aborted) return;
    state.aborted = true;
    this.aborts.push(requestId);
  }

  stats(): EngineStats {
    return { running: this.running, waiting: this.slotWaiters.length, kvCacheUsage: this.running / 100,
      prefixCacheQueries: this.requests.length * 10, prefixCacheHits: this.requests.length * 4, preemptions: 0 };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const id of this.live.keys()) this.abort(id);
  }

  private async run(request: GenerationRequest, state: { aborted: boolean }, queue: EventQueue<EngineEvent>): Promise<void> {
    const started = performance.now();
    if (this.running >= (this.options.maxRunning ?? Infinity)) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    this.running++;
    this.peakRunning = Math.max(this.peakRunning, this.running);
    const seed = request.sampling.temperature === 0 ? 0 : request.sampling.seed ?? Math.floor(Math.random() * 1e9);
    const text = fakeText(seed, request.maxTokens);
    const stopMatcher = new StopMatcher(request.stop);
    let produced = 0;
    let reason: FinishEvent['reason'] = 'length';
    let stoppedBy: string | number | undefined;
    await sleep(this.options.firstTokenDelayMs ?? 0);
    for (; produced < request.maxTokens; ) {
      if (state.aborted) {
        reason = 'abort';
        break;
      }
      if (this.options.failWith) {
        reason = 'error';
        break;
      }
      const eos = produced === this.options.eosAfter && !request.ignoreEos;
      const tokenId = eos ? EOS : text.charCodeAt(produced);
      produced++;
      const logprobs = request.topLogprobs === undefined ? undefined : [fakeLogprob(tokenId, request.topLogprobs)];
      if (eos || request.stopTokenIds.includes(tokenId)) {
        queue.push({ type: 'delta', requestId: request.requestId, tokenIds: [tokenId], text: '', logprobs });
        reason = 'stop';
        stoppedBy = tokenId;
        break;
      }
      const step = stopMatcher.push(String.fromCharCode(tokenId));
      queue.push({ type: 'delta', requestId: request.requestId, tokenIds: [tokenId], text: step.emit, logprobs });
      if (step.stopped) {
        reason = 'stop';
        stoppedBy = stopMatcher.matchedStop;
        break;
      }
      // like the real engine, the last token and the finish go out together
      if (produced < request.maxTokens) await sleep(this.options.tokenDelayMs ?? 0);
    }
    if (reason === 'length') {
      const tail = stopMatcher.flush();
      if (tail) queue.push({ type: 'delta', requestId: request.requestId, tokenIds: [], text: tail });
    }
    this.running--;
    this.slotWaiters.shift()?.();
    this.live.delete(request.requestId);
    queue.push({ type: 'finish', requestId: request.requestId, reason, stoppedBy,
      error: reason === 'error' ? this.options.failWith : undefined,
      usage: { promptTokens: request.promptTokenIds.length, completionTokens: produced, cachedPromptTokens: 0 },
      totalTime: (performance.now() - started) / 1000 });
    queue.end();
  }
}
