// A fake model runner for scheduler tests. Like a real model it sees only each chunk and the KV cache:
// the "KV" of a position is a hash of the whole context up to it, computed from the KV of the previous
// position (read through the block table) and the token; the sampled token is a function of the last
// position's KV. Wrong block tables, stale or falsely shared blocks therefore change the output, and the
// expected output of a prompt can be computed directly with `expectedOutput`.
import type { SchedulerStep } from '../../src/engine/schedulerTypes.js';
import type { KvCacheManager } from '../../src/kv/kvCacheManager.js';

const EMPTY_CONTEXT = 0x2545f491;

export function extendContext(context: number, token: number): number {
  let h = Math.imul(context ^ Math.imul(token + 1, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function contextOf(tokens: readonly number[]): number {
  return tokens.reduce(extendContext, EMPTY_CONTEXT);
}

export class FakeRunner {
  private readonly slotContext: Float64Array;
  private readonly slotToken: Int32Array;
  readonly blockSize: number;

  constructor(private readonly kv: KvCacheManager, readonly vocabSize: number) {
    this.blockSize = kv.blockSize;
    this.slotContext = new Float64Array(kv.numBlocks * kv.blockSize).fill(-1);
    this.slotToken = new Int32Array(kv.numBlocks * kv.blockSize).fill(-1);
  }

  sampleFrom(context: number): number {
    return context % this.vocabSize;
  }

  /** Computes every chunk (except those of `skip`); returns the sampled token of each sampling chunk. */
  run(step: SchedulerStep, skip: ReadonlySet<string> = new Set()): Map<string, number> {
    const sampled = new Map<string, number>();
    for (const chunk of step.chunks) {
      if (skip.has(chunk.requestId)) continue;
      const slot = (pos: number) => {
        const logical = Math.floor(pos / this.blockSize);
        if (logical >= chunk.blockTable.length) throw new Error(`request ${chunk.requestId}: block table does not cover position ${pos}`);
        return chunk.blockTable[logical]! * this.blockSize + (pos % this.blockSize);
      };
      let context = EMPTY_CONTEXT;
      if (chunk.startPosition > 0) {
        context = this.slotContext[slot(chunk.startPosition - 1)]!;
        if (context < 0) throw new Error(`request ${chunk.requestId}: reads KV at ${chunk.startPosition - 1} that was never written`);
      }
      chunk.tokenIds.forEach((token, i) => {
        const pos = chunk.startPosition + i;
        const block = chunk.blockTable[Math.floor(pos / this.blockSize)]!;
        if (this.kv.blockPool.refCount(block) !== 1 || this.kv.blockPool.blockHash(block) !== null) {
          throw new Error(`request ${chunk.requestId}: writes position ${pos} into block ${block}, which is shared or cached`);
        }
        context = extendContext(context, token);
        this.slotContext[slot(pos)] = context;
        this.slotToken[slot(pos)] = token;
      });
      if (chunk.sampleAfter) sampled.set(chunk.requestId, this.sampleFrom(context));
    }
    return sampled;
  }

  /** The tokens whose KV positions [0, end) of `blockTable` hold. */
  tokensIn(blockTable: readonly number[], end: number): number[] {
    return Array.from({ length: end }, (_, pos) => this.slotToken[blockTable[Math.floor(pos / this.blockSize)]! * this.blockSize + (pos % this.blockSize)]!);
  }

  /** The KV context hash stored at position `pos` of `blockTable`. */
  contextAt(blockTable: readonly number[], pos: number): number {
    return this.slotContext[blockTable[Math.floor(pos / this.blockSize)]! * this.blockSize + (pos % this.blockSize)]!;
  }
}

/** What a run without batching, chunking, caching or preemption produces for this prompt. */
export function expectedOutput(
  prompt: readonly number[],
  limits: { vocabSize: number; stopTokenId: number; maxTokens?: number; maxModelLen: number },
): { tokens: number[]; reason: 'stop' | 'length' } {
  const tokens: number[] = [];
  let context = contextOf(prompt);
  for (;;) {
    const token = context % limits.vocabSize;
    tokens.push(token);
    if (token === limits.stopTokenId) return { tokens, reason: 'stop' };
    if (tokens.length === limits.maxTokens || prompt.length + tokens.length >= limits.maxModelLen) return { tokens, reason: 'length' };
    context = extendContext(context, token);
  }
}
