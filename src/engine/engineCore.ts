// The engine's synchronous step: schedule -> run the model on every chunk -> sample -> detokenize and check
// stops -> tell the scheduler. No I/O: events go out through each request's emit callback.
import { KvCacheManager } from '../kv/kvCacheManager.js';
import type { LoadedModel } from '../model/load.js';
import type { EngineStats, FinishEvent, GenerationRequest, EngineEvent } from './api.js';
import { ActiveRequest } from './activeRequest.js';
import { tokenLogprobs } from './tokenLogprobs.js';
import { ModelRunner } from './modelRunner.js';
import { Scheduler } from './scheduler.js';
import type { FinishedRequest, SampledToken, SchedulerConfig } from './schedulerTypes.js';

export interface EngineCoreConfig extends SchedulerConfig {
  blockSize: number;
  numBlocks: number;
  enablePrefixCaching: boolean;
}

export class EngineCore {
  private readonly scheduler: Scheduler;
  private readonly kv: KvCacheManager;
  private readonly runner: ModelRunner;
  private readonly active = new Map<string, ActiveRequest>();

  constructor(private readonly model: LoadedModel, readonly config: EngineCoreConfig) {
    this.kv = new KvCacheManager({ numBlocks: config.numBlocks, blockSize: config.blockSize,
      enablePrefixCaching: config.enablePrefixCaching });
    this.scheduler = new Scheduler(config, this.kv);
    this.runner = new ModelRunner(model.transformer, config.numBlocks, config.blockSize);
  }

  /** Throws (before anything is queued) when the request cannot be served. */
  add(request: GenerationRequest, emit: (event: EngineEvent) => void): void {
    if (this.active.has(request.requestId)) throw new Error(`request id '${request.requestId}' is already running`);
    const promptLength = request.promptTokenIds.length;
    const room = this.config.maxModelLen - promptLength;
    if (promptLength === 0) throw new Error('the prompt is empty');
    if (room < 1) {
      throw new Error(`the prompt has ${promptLength} tokens; the context length is ${this.config.maxModelLen}`);
    }
    const vocab = this.model.config.vocabSize;
    const bad = request.promptTokenIds.find((id) => !Number.isInteger(id) || id < 0 || id >= vocab);
    if (bad !== undefined) throw new Error(`prompt token id ${bad} is outside the vocabulary (0..${vocab - 1})`);
    const active = new ActiveRequest(request, this.model.tokenizer, vocab, emit);
    if (request.maxTokens <= 0) {
      this.finishNow(active, 'length');
      return;
    }
    this.scheduler.addRequest({ requestId: request.requestId, promptTokenIds: request.promptTokenIds,
      maxTokens: Math.min(request.maxTokens, room), cacheSalt: request.cacheSalt });
    this.active.set(request.requestId, active);
  }

  abort(requestId: string): void {
    const active = this.active.get(requestId);
    if (!active) return;
    this.scheduler.abort(requestId);
    this.finishNow(active, 'abort');
  }

  abortAll(): void {
    for (const id of [...this.active.keys()]) this.abort(id);
  }

  hasWork(): boolean {
    return this.scheduler.hasUnfinishedRequests();
  }

  /** One engine step; returns false when there was nothing to do. */
  step(): boolean {
    if (!this.scheduler.hasUnfinishedRequests()) return false;
    const step = this.scheduler.schedule();
    if (step.chunks.length === 0) return false;
    for (const chunk of step.chunks) {
      const active = this.active.get(chunk.requestId)!;
      active.cachedPromptTokens ??= chunk.startPosition;
    }
    const { requestIds, logits } = this.runner.run(step.chunks);
    const vocab = this.runner.vocabSize;
    const sampled: SampledToken[] = requestIds.map((id, i) =>
      this.sampleOne(this.active.get(id)!, logits.subarray(i * vocab, (i + 1) * vocab)));
    const { finished } = this.scheduler.update({ stepId: step.stepId, sampled });
    for (const f of finished) this.complete(f);
    return true;
  }

  stats(): EngineStats {
    return {
      running: this.scheduler.numRunning,
      waiting: this.scheduler.numWaiting,
      kvCacheUsage: this.kv.usage,
      prefixCacheQueries: this.kv.stats.queriedTokens,
      prefixCacheHits: this.kv.stats.hitTokens,
      preemptions: this.scheduler.numPreemptions,
    };
  }

  /** Scheduler and block-pool invariants (run when idle and in tests). */
  checkIntegrity(): void {
    this.scheduler.checkIntegrity();
  }

  private sampleOne(active: ActiveRequest, logits: Float32Array): SampledToken {
    const tokenId = active.sampler.sample(logits, active.history, active.request.promptTokenIds.length);
    active.history.push(tokenId);
    active.outputTokens++;
    active.firstTokenAt ??= performance.now();
    const logprobs = active.request.topLogprobs === undefined ? undefined
      : [tokenLogprobs(logits, tokenId, active.request.topLogprobs, this.model.tokenizer)];
    let text = '';
    let finish: SampledToken['finish'];
    if (active.stopIds.has(tokenId)) {
      finish = 'stop';
      active.stoppedBy = tokenId;
    } else {
      const step = active.stopMatcher.push(active.decoder.push(tokenId));
      text = step.emit;
      if (step.stopped) {
        finish = 'stop';
        active.stoppedBy = active.stopMatcher.matchedStop;
      }
    }
    active.emit({ type: 'delta', requestId: active.id, tokenIds: [tokenId], text, logprobs });
    return { requestId: active.id, tokenId, finish };
  }

  private complete(finished: FinishedRequest): void {
    const active = this.active.get(finished.requestId);
    if (!active) return;
    this.finishNow(active, finished.reason);
  }

  private finishNow(active: ActiveRequest, reason: FinishEvent['reason']): void {
    this.active.delete(active.id);
    if (reason === 'length') {
      const tail = active.stopMatcher.push(active.decoder.flush());
      const text = tail.emit + (tail.stopped ? '' : active.stopMatcher.flush());
      if (text) active.emit({ type: 'delta', requestId: active.id, tokenIds: [], text });
      if (tail.stopped) reason = 'stop';
    }
    const now = performance.now();
    active.emit({
      type: 'finish',
      requestId: active.id,
      reason,
      stoppedBy: active.stoppedBy,
      usage: { promptTokens: active.request.promptTokenIds.length, completionTokens: active.outputTokens,
        cachedPromptTokens: active.cachedPromptTokens ?? 0 },
      timeToFirstToken: active.firstTokenAt === undefined ? undefined : (active.firstTokenAt - active.arrivedAt) / 1000,
      totalTime: (now - active.arrivedAt) / 1000,
    });
  }
}
