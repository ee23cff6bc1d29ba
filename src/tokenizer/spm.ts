import { PairHeap } from './pairHeap.js';
import type { Vocab } from './vocab.js';

/**
 * SentencePiece BPE as llama.cpp runs it (llm_tokenizer_spm): start from single characters,
 * repeatedly merge the adjacent pair whose concatenation is the token of highest score (the
 * leftmost among equal scores), then emit each symbol's token, or its UTF-8 bytes as <0xXX>
 * tokens when it is none. The caller has already put the dummy prefix and "▁" for spaces in.
 */
export class SpmEncoder {
  private readonly heap = new PairHeap();
  private readonly byteIds: Int32Array;

  constructor(
    private readonly vocab: Vocab,
    private readonly unkId: number | undefined,
  ) {
    this.byteIds = new Int32Array(256).fill(-1);
    for (let b = 0; b < 256; b++) {
      const hex = b.toString(16).toUpperCase().padStart(2, '0');
      // llama.cpp byte_to_token: "<0xXX>", else the byte as a one-character token
      const id = vocab.id(`<0x${hex}>`) ?? (b < 0x80 ? vocab.id(String.fromCharCode(b)) : undefined);
      if (id !== undefined) this.byteIds[b] = id;
    }
  }

  encode(text: string, out: number[]): void {
    const symbols = Array.from(text); // one per code point
    const n = symbols.length;
    if (n === 0) return;
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    const alive = new Uint8Array(n).fill(1);
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    const heap = this.heap;
    heap.clear();
    const scoreOf = (left: number, right: number): number | undefined => {
      const id = this.vocab.id(symbols[left]! + symbols[right]!);
      return id === undefined ? undefined : this.vocab.scores[id]!;
    };
    const tryPush = (left: number, right: number) => {
      if (left < 0 || right < 0) return;
      const score = scoreOf(left, right);
      if (score !== undefined) heap.push(-score, left);
    };
    for (let i = 0; i + 1 < n; i++) tryPush(i, i + 1);

    while (heap.size > 0) {
      const key = heap.topKey();
      const left = heap.pop();
      const right = next[left]!;
      if (!alive[left] || right < 0) continue;
      // stale entry: the pair at `left` changed since it was queued
      if (-(scoreOf(left, right) ?? Number.NaN) !== key) continue;
      symbols[left] = symbols[left]! + symbols[right]!;
      alive[right] = 0;
      const after = next[right]!;
      next[left] = after;
      if (after >= 0) prev[after] = left;
      tryPush(prev[left]!, left);
      tryPush(left, after);
    }

    for (let i = 0; i >= 0; i = next[i]!) {
      const id = this.vocab.id(symbols[i]!);
      if (id !== undefined) {
        out.push(id);
        continue;
      }
      for (const b of Buffer.from(symbols[i]!, 'utf8')) {
        const byteId = this.byteIds[b]!;
        if (byteId >= 0) out.push(byteId);
        else if (this.unkId !== undefined) out.push(this.unkId);
      }
    }
  }
}
