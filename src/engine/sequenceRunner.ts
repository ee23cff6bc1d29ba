// Runs one sequence through the model: chunked prefill, then decode, over a private paged KV cache.
// (The serving engine shares one cache among many sequences; this is the single-stream path of the CLI.)
import { planDenseCausal, slotsFor, type SequenceChunk } from '../attention/plan.js';
import type { KvStorage } from '../kv/kvStorage.js';
import type { Transformer } from '../model/transformer.js';

export interface FeedOptions {
  /** tokens per forward pass during prefill */
  chunkSize?: number;
  /** return logits for every fed position instead of only the last */
  allLogits?: boolean;
}

export class SequenceRunner {
  private readonly kv: KvStorage;
  private readonly blockTable: number[];
  private position = 0;

  constructor(private readonly model: Transformer, readonly contextLength: number, readonly blockSize = 16) {
    const numBlocks = Math.ceil(contextLength / blockSize);
    this.kv = model.newKvStorage(numBlocks, blockSize);
    this.blockTable = Array.from({ length: numBlocks }, (_, i) => i);
  }

  get length(): number {
    return this.position;
  }

  reset(): void {
    this.position = 0;
  }

  /** Appends tokens; returns logits of the last one, or of all of them ([n][vocab]) with allLogits. */
  feed(ids: readonly number[], options: FeedOptions = {}): Float32Array {
    if (ids.length === 0) throw new Error('nothing to feed');
    if (this.position + ids.length > this.contextLength) {
      throw new Error(`context overflow: ${this.position} + ${ids.length} tokens exceed the context length ${this.contextLength}`);
    }
    const chunkSize = options.chunkSize ?? 512;
    const vocab = this.model.config.vocabSize;
    const all = options.allLogits ? new Float32Array(ids.length * vocab) : undefined;
    let last: Float32Array | undefined;
    for (let start = 0; start < ids.length; start += chunkSize) {
      const chunkIds = ids.slice(start, start + chunkSize);
      const logits = this.forwardChunk(chunkIds, options.allLogits === true);
      if (all) all.set(logits, start * vocab);
      else last = logits;
    }
    return all ?? last!;
  }

  private forwardChunk(ids: readonly number[], allRows: boolean): Float32Array {
    const n = ids.length;
    const chunk: SequenceChunk = { queryRow: 0, startPos: this.position, numTokens: n, blockTable: this.blockTable };
    const positions = Int32Array.from({ length: n }, (_, i) => this.position + i);
    const logitRows = allRows ? Int32Array.from({ length: n }, (_, i) => i) : Int32Array.of(n - 1);
    const logits = this.model.forward({
      tokens: Int32Array.from(ids),
      positions,
      slots: slotsFor([chunk], this.blockSize, n),
      attention: planDenseCausal([chunk], this.blockSize),
      logitRows,
    }, this.kv);
    this.position += n;
    return logits;
  }
}
