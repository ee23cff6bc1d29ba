// What the serving side sees of the engine: plain-data requests in, a stream of events out. The engine
// itself runs off the event loop (a worker thread); the HTTP side only parses, validates and streams.
import type { SamplingParams } from './sampling/params.js';

export interface GenerationRequest {
  requestId: string;
  promptTokenIds: number[];
  /** output tokens at most (the engine also stops at the context length) */
  maxTokens: number;
  sampling: Partial<SamplingParams>;
  stop: string[];
  stopTokenIds: number[];
  /** keep going past end-of-generation tokens */
  ignoreEos: boolean;
  /** how many alternatives per token to report with their log-probs; undefined = no log-probs at all */
  topLogprobs?: number;
  /** keeps this request's prefix-cache entries apart from other salts */
  cacheSalt?: string;
}

export interface TokenLogprob {
  tokenId: number;
  /** the token's text (may be a partial UTF-8 character: see bytes) */
  token: string;
  bytes: number[];
  logprob: number;
}

export interface ChosenTokenLogprob extends TokenLogprob {
  top: TokenLogprob[];
}

export interface DeltaEvent {
  type: 'delta';
  requestId: string;
  tokenIds: number[];
  /** new text, UTF-8 complete, with stop strings held back or cut */
  text: string;
  logprobs?: ChosenTokenLogprob[];
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  /** prompt tokens served from the prefix cache */
  cachedPromptTokens: number;
}

export interface FinishEvent {
  type: 'finish';
  requestId: string;
  reason: 'stop' | 'length' | 'abort' | 'error';
  /** set when reason is 'error' */
  error?: string;
  /** the stop string or stop token that ended the request, when one did */
  stoppedBy?: string | number;
  usage: Usage;
  /** seconds from arrival to the first token, and to the end */
  timeToFirstToken?: number;
  totalTime: number;
}

export type EngineEvent = DeltaEvent | FinishEvent;

export interface EngineStats {
  running: number;
  waiting: number;
  /** fraction of KV blocks in use, 0..1 */
  kvCacheUsage: number;
  prefixCacheQueries: number;
  prefixCacheHits: number;
  preemptions: number;
}

export interface ModelInfo {
  /** the name clients use in "model" */
  id: string;
  path: string;
  contextLength: number;
  vocabSize: number;
  /** the KV cache: its element type and capacity in tokens (engines that have one) */
  kvCache?: { type: string; tokens: number };
}

export interface EngineHandle {
  readonly model: ModelInfo;
  /** Starts a request; events arrive in order and end with exactly one finish event. */
  generate(request: GenerationRequest): AsyncIterable<EngineEvent>;
  abort(requestId: string): void;
  stats(): EngineStats;
  /** finishes nothing new; aborts what runs; resolves when the engine has stopped */
  close(): Promise<void>;
}
