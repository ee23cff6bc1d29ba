// Plain data exchanged by the scheduler, its caller and the model runner (no classes, no methods).

export interface SchedulerConfig {
  /** most requests running at once */
  maxSeqs: number;
  /** token budget of one step, summed over all chunks */
  maxBatchedTokens: number;
  /** most tokens (prompt + output) of one request */
  maxModelLen: number;
  /** longest chunk one request gets per step; 0 or absent: only the budget limits it */
  longPrefillThreshold?: number;
}

export interface NewRequest {
  requestId: string;
  promptTokenIds: readonly number[];
  /** the request finishes with 'length' after this many output tokens */
  maxTokens?: number;
  /** keeps this request's prefix-cache entries apart from requests with another salt */
  cacheSalt?: string;
}

/** Tokens of one request to compute in a step. */
export interface ScheduledChunk {
  requestId: string;
  tokenIds: number[];
  /** absolute position of tokenIds[0] */
  startPosition: number;
  /** physical block of each logical block; covers positions [0, startPosition + tokenIds.length) */
  blockTable: number[];
  /** the chunk reaches the last known token: sample one new token from its logits */
  sampleAfter: boolean;
}

export interface SchedulerStep {
  stepId: number;
  chunks: ScheduledChunk[];
  numScheduledTokens: number;
  /** sent back to the waiting queue this step; their KV blocks are freed */
  preemptedIds: string[];
  /** finished or aborted since the previous step (runners drop per-request state for these) */
  finishedIds: string[];
}

export type FinishReason = 'stop' | 'length' | 'abort';

export interface SampledToken {
  requestId: string;
  tokenId: number;
  /** set by the caller when this token ends the request (stop token, its own max-tokens rule) */
  finish?: 'stop' | 'length';
}

/** One sampled token for each chunk of the step with sampleAfter (chunks without it get no entry). */
export interface RunnerOutput {
  stepId: number;
  sampled: readonly SampledToken[];
}

export interface FinishedRequest {
  requestId: string;
  reason: FinishReason;
  outputTokenIds: number[];
}

export interface RequestState {
  requestId: string;
  status: 'waiting' | 'running';
  promptLength: number;
  numTokens: number;
  numComputedTokens: number;
  outputTokenIds: number[];
  numPreemptions: number;
}
