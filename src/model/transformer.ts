// One forward pass of a Llama/Qwen2 decoder over a batch of tokens from any number of sequences, as a
// sequence of native kernel calls. The batch carries its own KV slots and attention plan, so the same code
// serves prefill chunks, decodes and mixed batches.
import * as k from '../kernels/native.js';
import type { AttentionPlan } from '../attention/plan.js';
import type { KvStorage } from '../kv/kvStorage.js';
import type { ModelConfig } from './config.js';
import type { ModelWeights } from './weights.js';

export interface ForwardBatch {
  tokens: Int32Array;
  /** absolute position of each token in its sequence */
  positions: Int32Array;
  /** KV cache slot each token's K and V go to */
  slots: Int32Array;
  attention: AttentionPlan;
  /** batch rows whose next-token logits are wanted (usually the last row of each sequence) */
  logitRows: Int32Array;
}

export class Transformer {
  constructor(readonly config: ModelConfig, readonly weights: ModelWeights) {}

  /** Returns logits [logitRows.length][vocabSize]. */
  forward(batch: ForwardBatch, kv: KvStorage): Float32Array {
    const c = this.config;
    const w = this.weights;
    const n = batch.tokens.length;
    const h = c.hiddenSize;
    const qDim = c.numHeads * c.headDim;
    const kvDim = c.numKvHeads * c.headDim;

    const x = new Float32Array(n * h);
    const normed = new Float32Array(n * h);
    const q = new Float32Array(n * qDim);
    const kNew = new Float32Array(n * kvDim);
    const vNew = new Float32Array(n * kvDim);
    const attnOut = new Float32Array(n * qDim);
    const proj = new Float32Array(n * h);
    const gate = new Float32Array(n * c.intermediateSize);
    const up = new Float32Array(n * c.intermediateSize);

    k.getRows(w.tokenEmbedding, batch.tokens, x);
    for (let l = 0; l < c.numLayers; l++) {
      const lw = w.layers[l]!;
      k.rmsNorm(x, n, h, lw.attnNorm, c.rmsNormEps, normed);
      k.matmulGroup(normed, n, [{ w: lw.wq, out: q, bias: lw.bq }, { w: lw.wk, out: kNew, bias: lw.bk },
        { w: lw.wv, out: vNew, bias: lw.bv }]);
      k.rope(q, n, c.numHeads, c.headDim, c.ropeDim, batch.positions, c.ropeTheta, c.ropeStyle === 'neox', c.ropeFreqFactors);
      k.rope(kNew, n, c.numKvHeads, c.headDim, c.ropeDim, batch.positions, c.ropeTheta, c.ropeStyle === 'neox', c.ropeFreqFactors);
      k.kvWrite(kv.k[l]!, kv.v[l]!, kNew, vNew, batch.slots, c.numKvHeads, c.headDim);
      k.attention({
        q, out: attnOut, kCache: kv.k[l]!, vCache: kv.v[l]!,
        nHeads: c.numHeads, nKvHeads: c.numKvHeads, headDim: c.headDim, blockSize: kv.shape.blockSize,
        scale: 1 / Math.sqrt(c.headDim), qPositions: batch.positions,
        tiles: batch.attention.tiles, keyBlocks: batch.attention.keyBlocks,
      });
      k.matmul(attnOut, n, lw.wo, proj, lw.bo);
      k.add(x, proj, x);

      k.rmsNorm(x, n, h, lw.ffnNorm, c.rmsNormEps, normed);
      k.matmulGroup(normed, n, [{ w: lw.wGate, out: gate }, { w: lw.wUp, out: up }]);
      k.siluMul(gate, up, gate);
      k.matmul(gate, n, lw.wDown, proj);
      k.add(x, proj, x);
    }
    return this.logits(x, batch.logitRows);
  }

  /** Final norm and LM head on the selected rows only (prefill needs one row per sequence). */
  private logits(x: Float32Array, rows: Int32Array): Float32Array {
    const h = this.config.hiddenSize;
    if (rows.length === 0) return new Float32Array(0);
    const selected = new Float32Array(rows.length * h);
    rows.forEach((row, i) => selected.set(x.subarray(row * h, (row + 1) * h), i * h));
    k.rmsNorm(selected, rows.length, h, this.weights.outputNorm, this.config.rmsNormEps, selected);
    const out = new Float32Array(rows.length * this.config.vocabSize);
    k.matmul(selected, rows.length, this.weights.output, out);
    return out;
  }
}
