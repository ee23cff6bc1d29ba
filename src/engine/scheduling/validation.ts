// Input checks for the scheduler: bad configuration, requests and runner output get errors naming the
// problem, before any state changes.
import type { NewRequest, RunnerOutput, SampledToken, SchedulerConfig } from '../schedulerTypes.js';

const MAX_TOKEN_ID = 0x7fffffff;

export function checkSchedulerConfig(config: SchedulerConfig, kvBlocks: number, blockSize: number): void {
  for (const key of ['maxSeqs', 'maxBatchedTokens', 'maxModelLen'] as const) {
    const value = config[key];
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`scheduler ${key} must be a positive integer, got ${value}`);
  }
  const threshold = config.longPrefillThreshold ?? 0;
  if (!Number.isSafeInteger(threshold) || threshold < 0) {
    throw new RangeError(`scheduler longPrefillThreshold must be a non-negative integer, got ${threshold}`);
  }
  // Liveness: a request alone must always fit, or preemption could cycle forever.
  if (kvBlocks * blockSize < config.maxModelLen) {
    throw new RangeError(`the KV cache holds ${kvBlocks} blocks of ${blockSize} tokens (${kvBlocks * blockSize}), fewer than maxModelLen ${config.maxModelLen}`);
  }
}

export function checkNewRequest(request: NewRequest, maxModelLen: number, isKnown: (id: string) => boolean): void {
  const id = request.requestId;
  if (typeof id !== 'string' || id.length === 0) throw new TypeError('requestId must be a non-empty string');
  if (isKnown(id)) throw new Error(`request ${id} already exists`);
  const prompt = request.promptTokenIds;
  if (!Array.isArray(prompt) || prompt.length === 0) throw new Error(`request ${id}: the prompt is empty (no tokens)`);
  for (let i = 0; i < prompt.length; i++) {
    if (!isTokenId(prompt[i])) throw new Error(`request ${id}: prompt token ${i} is ${prompt[i]}, not a token id`);
  }
  if (prompt.length > maxModelLen) {
    throw new Error(`request ${id}: the prompt has ${prompt.length} tokens; the maximum model length is ${maxModelLen}`);
  }
  const maxTokens = request.maxTokens;
  if (maxTokens !== undefined) {
    if (!Number.isSafeInteger(maxTokens) || maxTokens < 1) throw new RangeError(`request ${id}: maxTokens must be a positive integer, got ${maxTokens}`);
    if (prompt.length + maxTokens > maxModelLen) {
      throw new Error(`request ${id}: ${prompt.length} prompt tokens + ${maxTokens} max tokens exceed the maximum model length ${maxModelLen}`);
    }
  }
  if (request.cacheSalt !== undefined && typeof request.cacheSalt !== 'string') throw new TypeError(`request ${id}: cacheSalt must be a string`);
}

/**
 * Checks the runner's output against the step it answers: one valid token for each chunk with
 * sampleAfter whose request is still alive; none for anything else (aborted requests may have one).
 */
export function checkRunnerOutput(
  output: RunnerOutput,
  stepId: number,
  sampling: ReadonlySet<string>,
  alive: (id: string) => boolean,
): Map<string, SampledToken> {
  if (output.stepId !== stepId) throw new Error(`runner output is for step ${output.stepId}; step ${stepId} awaits its output`);
  const byId = new Map<string, SampledToken>();
  for (const s of output.sampled) {
    if (byId.has(s.requestId)) throw new Error(`runner output has two tokens for request ${s.requestId}`);
    if (!sampling.has(s.requestId)) throw new Error(`runner output has a token for request ${s.requestId}, which samples nothing in step ${stepId}`);
    if (!isTokenId(s.tokenId)) throw new Error(`runner output for request ${s.requestId}: ${s.tokenId} is not a token id`);
    if (s.finish !== undefined && s.finish !== 'stop' && s.finish !== 'length') {
      throw new Error(`runner output for request ${s.requestId}: unknown finish reason ${String(s.finish)}`);
    }
    byId.set(s.requestId, s);
  }
  for (const id of sampling) {
    if (!byId.has(id) && alive(id)) throw new Error(`runner output lacks the sampled token of request ${id} (step ${stepId})`);
  }
  return byId;
}

function isTokenId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_TOKEN_ID;
}
