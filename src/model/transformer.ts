// One forward pass of a Llama/Qwen2 decoder over a batch of tokens from any number of sequences, as a
// sequence of native kernel calls. The batch carries its own KV slots and attention plan, so the same code
// serves prefill chunks, decodes and mixed batches.
import * as k from '../kernels/native.js';
import type { AttentionPlan } from '../attention/plan.js';
import { KvStorage, type KvCacheType } from '../kv/kvStorage.js';
import type { ModelConfig } from './config.js';
import type { ModelWeights } from './weights.js';
import { ActivationArena } from './activationArena.js';
import { modelAttentionPrecision, modelKvCacheType } from './attentionPrecision.js';

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
  /** Activation buffers reused by every forward (freshly allocated ones kept the GC busy: ~35 MB per 512-token chunk). */
  private readonly activations: ActivationArena;

  constructor(readonly config: ModelConfig, readonly weights: ModelWeights,
    readonly attentionPrecision: k.AttentionPrecision = modelAttentionPrecision(weights)) {
    const c = config;
    this.activations = new ActivationArena(3 * c.hiddenSize + 2 * c.numHeads * c.headDim + 2 * c.numKvHeads * c.headDim +
      2 * c.intermediateSize + c.ropeDim);
  }

  /** The KV cache type this model's attention reads (modelKvCacheType). */
  kvCacheType(blockSize: number): KvCacheType {
    return modelKvCacheType(this.weights.layers[0]?.wq.type, this.weights.precision, this.attentionPrecision, blockSize,
      this.config.headDim);
  }

  newKvStorage(numBlocks: number, blockSize: number): KvStorage {
    const c = this.config;
    return new KvStorage({ numLayers: c.numLayers, numBlocks, blockSize, numKvHeads: c.numKvHeads, headDim: c.headDim },
      this.kvCacheType(blockSize));
  }

  /** Returns logits [logitRows.length][vocabSize]. */
  forward(batch: ForwardBatch, kv: KvStorage): Float32Array {
    const c = this.config;
    const w = this.weights;
    const n = batch.tokens.length;
    const h = c.hiddenSize;
    const qDim = c.numHeads * c.headDim;
    const kvDim = c.numKvHeads * c.headDim;

    const a = this.activations.forTokens(n);
    const x = a.take(n * h);
    const normed = a.take(n * h);
    const q = a.take(n * qDim);
    const kNew = a.take(n * kvDim);
    const vNew = a.take(n * kvDim);
    const attnOut = a.take(n * qDim);
    const proj = a.take(n * h);
    const gate = a.take(n * c.intermediateSize);
    const up = a.take(n * c.intermediateSize);
    const angles = k.ropeTable(batch.positions, c.ropeDim, c.ropeTheta, c.ropeFreqFactors, a.take(n * c.ropeDim));
    const neox = c.ropeStyle === 'neox';

    k.getRows(w.tokenEmbedding, batch.tokens, x);
    // Each residual add is fused into the norm after it (addRmsNorm); proj holds the FFN output of
    // the previous layer until the next attention norm adds it (after the last layer: logits(), on its rows only).
    for (let l = 0; l < c.numLayers; l++) {
      const lw = w.layers[l]!;
      if (l === 0) k.rmsNorm(x, n, h, lw.attnNorm, c.rmsNormEps, normed);
      else k.addRmsNorm(x, proj, n, h, lw.attnNorm, c.rmsNormEps, normed);
      k.matmulGroup(normed, n, [{ w: lw.wq, out: q, bias: lw.bq }, { w: lw.wk, out: kNew, bias: lw.bk },
        { w: lw.wv, out: vNew, bias: lw.bv }]);
      k.ropeWithTable(q, n, c.numHeads, c.headDim, angles, neox);
      k.ropeWithTable(kNew, n, c.numKvHeads, c.headDim, angles, neox);
      k.kvWrite(kv.k[l]!, kv.v[l]!, kNew, vNew, batch.slots, c.numKvHeads, c.headDim, kv.type);
      k.attention({
        q, out: attnOut, kCache: kv.k[l]!, vCache: kv.v[l]!, kvType: kv.type,
        nHeads: c.numHeads, nKvHeads: c.numKvHeads, headDim: c.headDim, blockSize: kv.shape.blockSize,
        scale: 1 / Math.sqrt(c.headDim), qPositions: batch.positions,
        tiles: batch.attention.tiles, keyBlocks: batch.attention.keyBlocks, precision: this.attentionPrecision,
      });
      k.matmul(attnOut, n, lw.wo, proj, lw.bo);
      k.addRmsNorm(x, proj, n, h, lw.ffnNorm, c.rmsNormEps, normed);
      k.matmulGroup(normed, n, [{ w: lw.wGate, out: gate }, { w: lw.wUp, out: up }]);
      k.matmulSiluGated(gate, up, n, lw.wDown, proj);
    }
    return this.logits(x, c.numLayers > 0 ? proj : undefined, batch.logitRows);
  }

  /**
   * The last residual add, final norm and LM head on the selected rows only (prefill needs one row per
   * sequence); delta: the last layer's FFN output, not yet added to x.
   */
  private logits(x: Float32Array, delta: Float32Array | undefined, rows: Int32Array): Float32Array {
    const h = this.config.hiddenSize;
    if (rows.length === 0) return new Float32Array(0);
    const gather = (from: Float32Array) => {
      const selected = new Float32Array(rows.length * h);
      rows.forEach((row, i) => selected.set(from.subarray(row * h, (row + 1) * h), i * h));
      return selected;
    };
    const selected = gather(x);
    const normed = new Float32Array(rows.length * h);
    if (delta) k.addRmsNorm(selected, gather(delta), rows.length, h, this.weights.outputNorm, this.config.rmsNormEps, normed);
    else k.rmsNorm(selected, rows.length, h, this.weights.outputNorm, this.config.rmsNormEps, normed);
    const out = new Float32Array(rows.length * this.config.vocabSize);
    k.matmul(normed, rows.length, this.weights.output, out);
    return out;
  }
}
