// Executes one scheduler step: every chunk of every request (prefill chunks and decodes alike) in one
// forward pass over the shared paged KV cache; returns the logits of the chunks that sample.
import { planDenseCausal, slotsFor, type SequenceChunk } from '../attention/plan.js';
import type { KvStorage } from '../kv/kvStorage.js';
import type { Transformer } from '../model/transformer.js';
import type { ScheduledChunk } from './schedulerTypes.js';

export interface StepLogits {
  /** ids of the chunks that sample, in step order */
  requestIds: string[];
  /** [requestIds.length][vocab] */
  logits: Float32Array;
}

export class ModelRunner {
  readonly kv: KvStorage;

  constructor(private readonly model: Transformer, numBlocks: number, readonly blockSize: number) {
    this.kv = model.newKvStorage(numBlocks, blockSize);
  }

  get vocabSize(): number {
    return this.model.config.vocabSize;
  }

  run(chunks: readonly ScheduledChunk[]): StepLogits {
    const total = chunks.reduce((n, c) => n + c.tokenIds.length, 0);
    const tokens = new Int32Array(total);
    const positions = new Int32Array(total);
    const sequences: SequenceChunk[] = [];
    const logitRows: number[] = [];
    const requestIds: string[] = [];
    let row = 0;
    for (const chunk of chunks) {
      const n = chunk.tokenIds.length;
      tokens.set(chunk.tokenIds, row);
      for (let i = 0; i < n; i++) positions[row + i] = chunk.startPosition + i;
      sequences.push({ queryRow: row, startPos: chunk.startPosition, numTokens: n, blockTable: chunk.blockTable });
      if (chunk.sampleAfter) {
        logitRows.push(row + n - 1);
        requestIds.push(chunk.requestId);
      }
      row += n;
    }
    const logits = this.model.forward({
      tokens,
      positions,
      slots: slotsFor(sequences, this.blockSize, total),
      attention: planDenseCausal(sequences, this.blockSize),
      logitRows: Int32Array.from(logitRows),
    }, this.kv);
    return { requestIds, logits };
  }
}
