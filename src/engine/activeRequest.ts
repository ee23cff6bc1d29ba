// Per-request state the engine keeps beside the scheduler's: sampling, detokenizing, stop checks, timing.
import type { Tokenizer } from '../tokenizer/index.js';
import type { EngineEvent, GenerationRequest } from './api.js';
import { Sampler } from './sampler.js';
import { StopMatcher } from './stopMatcher.js';

export class ActiveRequest {
  readonly sampler: Sampler;
  readonly stopMatcher: StopMatcher;
  readonly decoder: ReturnType<Tokenizer['createDecodeStream']>;
  readonly stopIds: Set<number>;
  /** prompt + output, for penalties */
  readonly history: number[];
  outputTokens = 0;
  cachedPromptTokens: number | undefined;
  firstTokenAt: number | undefined;
  stoppedBy: string | number | undefined;
  readonly arrivedAt = performance.now();

  constructor(readonly request: GenerationRequest, tokenizer: Tokenizer, vocabSize: number,
    readonly emit: (event: EngineEvent) => void) {
    this.sampler = new Sampler(request.sampling, vocabSize);
    this.stopMatcher = new StopMatcher(request.stop);
    this.decoder = tokenizer.createDecodeStream({ skipSpecial: true, keepLeadingSpace: true });
    this.stopIds = new Set(request.stopTokenIds);
    if (!request.ignoreEos) for (const id of tokenizer.eogIds) this.stopIds.add(id);
    this.history = [...request.promptTokenIds];
  }

  get id(): string {
    return this.request.requestId;
  }
}
