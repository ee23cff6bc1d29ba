// The scheduler's state of one request: its tokens (prompt, then outputs), how many of them have KV, and
// the hashes of its full blocks for prefix caching.
import type { BlockHash } from '../kv/blockHash.js';
import type { CacheSequence } from '../kv/kvCacheManager.js';
import type { RequestState } from './schedulerTypes.js';

export class Request implements CacheSequence {
  readonly tokenIds: number[];
  readonly blockHashes: BlockHash[] = [];
  readonly promptLength: number;
  /** tokens whose KV is written or scheduled to be written this step */
  numComputedTokens = 0;
  status: 'waiting' | 'running' = 'waiting';
  numPreemptions = 0;

  constructor(
    readonly requestId: string,
    promptTokenIds: readonly number[],
    readonly maxTokens: number | undefined,
    readonly cacheSalt: string | undefined,
  ) {
    this.tokenIds = [...promptTokenIds];
    this.promptLength = promptTokenIds.length;
  }

  get numTokens(): number {
    return this.tokenIds.length;
  }

  get numOutputTokens(): number {
    return this.tokenIds.length - this.promptLength;
  }

  get outputTokenIds(): number[] {
    return this.tokenIds.slice(this.promptLength);
  }

  snapshot(): RequestState {
    return {
      requestId: this.requestId,
      status: this.status,
      promptLength: this.promptLength,
      numTokens: this.numTokens,
      numComputedTokens: this.numComputedTokens,
      outputTokenIds: this.outputTokenIds,
      numPreemptions: this.numPreemptions,
    };
  }
}
