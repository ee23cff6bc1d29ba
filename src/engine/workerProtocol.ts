// Messages between the engine handle (main thread) and the engine worker.
import type { EngineEvent, EngineStats, GenerationRequest, ModelInfo } from './api.js';
import type { EngineCoreConfig } from './engineCore.js';

export interface EngineOptions {
  /** context length (default: the model's); also the longest request */
  contextLength?: number;
  /** KV cache capacity in tokens (default: room for maxSeqs full contexts, capped at 1 GiB of KV) */
  kvCacheTokens?: number;
  blockSize?: number;
  maxSeqs?: number;
  maxBatchedTokens?: number;
  enablePrefixCaching?: boolean;
  threads?: number;
  /** name reported as the model id (default: the file or folder name) */
  modelId?: string;
}

export interface WorkerInit {
  modelPath: string;
  options: EngineOptions;
}

export type ToWorker =
  | { type: 'add'; request: GenerationRequest }
  | { type: 'abort'; requestId: string }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready'; model: ModelInfo; config: EngineCoreConfig }
  | { type: 'failed'; message: string }
  /** every event of one engine step (or one add/abort) in one message, in order */
  | { type: 'events'; events: EngineEvent[] }
  | { type: 'rejected'; requestId: string; message: string }
  /** addsReceived: 'add' messages the worker had handled when it took these stats (see WorkerEngine.stats) */
  | { type: 'stats'; stats: EngineStats; addsReceived: number }
  | { type: 'closed' };
