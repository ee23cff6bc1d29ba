// The token-budget scheduler (vLLM V1 model). Each request has a count of computed tokens; each step hands
// out at most maxBatchedTokens tokens so those counts catch up with the known tokens:
//   1. running requests, oldest first: decodes get their one token, unfinished prompts their next chunk;
//      when blocks run out, the newest running request is preempted (blocks freed tail first, back to
//      the front of the waiting queue, computed tokens reset to 0: it recomputes, mostly from the cache);
//   2. if nothing was preempted, waiting requests are admitted in order, starting from their prefix-cache
//      hit, while budget, blocks and maxSeqs last.
// Stall-free without reserving budget: older requests are served first and a request's demand never grows
// from one step to the next (a prompt chunk is capped by the threshold or its remaining tokens, a decode
// needs 1), so whoever got tokens last step fits again; newcomers only get what is left.
// Synchronous and I/O free: schedule() -> the runner computes the chunks -> update(output) -> schedule().
import type { KvCacheManager } from '../kv/kvCacheManager.js';
import { Request } from './request.js';
import { checkNewRequest, checkRunnerOutput, checkSchedulerConfig } from './scheduling/validation.js';
import type {
  FinishReason, FinishedRequest, NewRequest, RequestState, RunnerOutput, ScheduledChunk, SchedulerConfig, SchedulerStep,
} from './schedulerTypes.js';

interface PendingStep {
  stepId: number;
  /** the request objects scheduled, by id (an aborted and re-added id is a different object) */
  scheduled: Map<string, Request>;
  sampling: Set<string>;
}

export class Scheduler {
  private readonly requests = new Map<string, Request>();
  private readonly waiting: Request[] = [];
  /** in admission order: the last is the newest, preempted first */
  private readonly running: Request[] = [];
  private finishedSinceLastStep: string[] = [];
  private pending: PendingStep | null = null;
  private nextStepId = 0;
  private preemptionCount = 0;

  constructor(readonly config: SchedulerConfig, readonly kv: KvCacheManager) {
    checkSchedulerConfig(config, kv.numBlocks, kv.blockSize);
  }

  get numWaiting(): number {
    return this.waiting.length;
  }

  get numRunning(): number {
    return this.running.length;
  }

  get numPreemptions(): number {
    return this.preemptionCount;
  }

  hasUnfinishedRequests(): boolean {
    return this.requests.size > 0;
  }

  runningIds(): string[] {
    return this.running.map((r) => r.requestId);
  }

  waitingIds(): string[] {
    return this.waiting.map((r) => r.requestId);
  }

  requestState(requestId: string): RequestState | undefined {
    return this.requests.get(requestId)?.snapshot();
  }

  /** Queues a request; throws (changing nothing) if it is malformed or longer than maxModelLen. */
  addRequest(request: NewRequest): void {
    checkNewRequest(request, this.config.maxModelLen, (id) => this.requests.has(id));
    const req = new Request(request.requestId, request.promptTokenIds, request.maxTokens, request.cacheSalt);
    this.kv.hashNewBlocks(req);
    this.requests.set(req.requestId, req);
    this.waiting.push(req);
  }

  schedule(): SchedulerStep {
    if (this.pending) throw new Error(`step ${this.pending.stepId} awaits update() with its runner output`);
    const chunks: ScheduledChunk[] = [];
    const preemptedIds: string[] = [];
    let budget = this.config.maxBatchedTokens;

    for (let i = 0; i < this.running.length && budget > 0; i++) {
      const req = this.running[i]!;
      const n = this.chunkLength(req, budget);
      while (!this.kv.allocateSlots(req.requestId, req.numComputedTokens + n)) {
        const victim = this.running.pop()!;
        this.preempt(victim);
        preemptedIds.push(victim.requestId);
        if (victim === req) break;
      }
      if (req.status !== 'running') break; // it preempted itself, being the newest
      chunks.push(this.advance(req, n));
      budget -= n;
    }

    if (preemptedIds.length === 0) {
      while (this.waiting.length > 0 && this.running.length < this.config.maxSeqs && budget > 0) {
        const req = this.waiting[0]!;
        const prefix = this.kv.findCachedPrefix(req);
        const n = this.chunkLength(req, budget, prefix.numTokens);
        if (!this.kv.allocateSlots(req.requestId, prefix.numTokens + n, prefix)) break;
        this.waiting.shift();
        req.status = 'running';
        req.numComputedTokens = prefix.numTokens;
        this.running.push(req);
        chunks.push(this.advance(req, n));
        budget -= n;
      }
    }

    const stepId = this.nextStepId++;
    if (chunks.length > 0) {
      const scheduled = new Map(chunks.map((c) => [c.requestId, this.requests.get(c.requestId)!]));
      const sampling = new Set(chunks.filter((c) => c.sampleAfter).map((c) => c.requestId));
      this.pending = { stepId, scheduled, sampling };
    }
    const finishedIds = this.finishedSinceLastStep;
    this.finishedSinceLastStep = [];
    const numScheduledTokens = this.config.maxBatchedTokens - budget;
    return { stepId, chunks, numScheduledTokens, preemptedIds, finishedIds };
  }

  /**
   * Takes the runner's sampled tokens for the pending step: registers newly computed full blocks, appends
   * each token, and finishes requests the caller marked (stop) or that reached maxTokens / maxModelLen.
   */
  update(output: RunnerOutput): { finished: FinishedRequest[] } {
    const pending = this.pending;
    if (!pending) throw new Error('update() called with no scheduled step awaiting output');
    const isAlive = (id: string) => this.requests.get(id) === pending.scheduled.get(id);
    const sampled = checkRunnerOutput(output, pending.stepId, pending.sampling, isAlive);
    this.pending = null;
    const finished: FinishedRequest[] = [];
    for (const [id, req] of pending.scheduled) {
      if (!isAlive(id)) continue;
      this.kv.cacheComputedBlocks(req, req.numComputedTokens);
      const token = sampled.get(id);
      if (!token) continue;
      req.tokenIds.push(token.tokenId);
      this.kv.hashNewBlocks(req);
      const reason = token.finish ?? this.lengthLimit(req);
      if (reason) finished.push(this.finish(req, reason));
    }
    return { finished };
  }

  /** Ends a request at any time, freeing its blocks; undefined if it is unknown or already finished. */
  abort(requestId: string): FinishedRequest | undefined {
    const req = this.requests.get(requestId);
    return req ? this.finish(req, 'abort') : undefined;
  }

  /** Throws if any invariant of the scheduler or the KV cache is broken; cheap enough to run when idle. */
  checkIntegrity(): void {
    this.kv.checkIntegrity();
    if (this.running.length > this.config.maxSeqs) throw new Error(`${this.running.length} running requests exceed maxSeqs ${this.config.maxSeqs}`);
    if (this.running.length + this.waiting.length !== this.requests.size) throw new Error('a request is neither running nor waiting');
    if (this.kv.numRequests !== this.running.length) throw new Error(`${this.kv.numRequests} block tables for ${this.running.length} running requests`);
    for (const req of this.running) {
      const blocks = this.kv.blockTable(req.requestId).length;
      if (req.status !== 'running' || this.requests.get(req.requestId) !== req) throw new Error(`running request ${req.requestId} is out of place`);
      if (req.numComputedTokens < 0 || req.numComputedTokens > req.numTokens) throw new Error(`request ${req.requestId} computed ${req.numComputedTokens} of ${req.numTokens} tokens`);
      if (blocks !== this.kv.blocksNeeded(req.numComputedTokens)) throw new Error(`request ${req.requestId} holds ${blocks} blocks for ${req.numComputedTokens} computed tokens`);
    }
    for (const req of this.waiting) {
      if (req.status !== 'waiting' || req.numComputedTokens !== 0 || this.kv.blockTable(req.requestId).length !== 0) {
        throw new Error(`waiting request ${req.requestId} has state (${req.status}, ${req.numComputedTokens} computed)`);
      }
    }
  }

  /** Tokens to give `req` now: its uncomputed tokens, capped by the cap, the budget and the threshold. */
  private chunkLength(req: Request, cap: number, computed = req.numComputedTokens): number {
    const threshold = this.config.longPrefillThreshold || Infinity;
    return Math.min(req.numTokens - computed, threshold, cap);
  }

  private advance(req: Request, n: number): ScheduledChunk {
    const startPosition = req.numComputedTokens;
    req.numComputedTokens += n;
    return {
      requestId: req.requestId,
      tokenIds: req.tokenIds.slice(startPosition, startPosition + n),
      startPosition,
      blockTable: [...this.kv.blockTable(req.requestId)],
      sampleAfter: req.numComputedTokens === req.numTokens,
    };
  }

  private preempt(req: Request): void {
    this.kv.free(req.requestId);
    req.status = 'waiting';
    req.numComputedTokens = 0;
    req.numPreemptions++;
    this.preemptionCount++;
    this.waiting.unshift(req);
  }

  private lengthLimit(req: Request): FinishReason | undefined {
    if (req.maxTokens !== undefined && req.numOutputTokens >= req.maxTokens) return 'length';
    return req.numTokens >= this.config.maxModelLen ? 'length' : undefined;
  }

  private finish(req: Request, reason: FinishReason): FinishedRequest {
    this.kv.free(req.requestId);
    const queue = req.status === 'running' ? this.running : this.waiting;
    queue.splice(queue.indexOf(req), 1);
    this.requests.delete(req.requestId);
    this.finishedSinceLastStep.push(req.requestId);
    return { requestId: req.requestId, reason, outputTokenIds: req.outputTokenIds };
  }
}
