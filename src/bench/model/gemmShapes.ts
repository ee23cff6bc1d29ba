// GEMM speed at the shapes of one prefill chunk (or of a decode step: rows 1): each linear layer of block 0 (the
// other blocks have the same shapes) and the LM head on the one row prefill needs, timed alone with the model's own weights.
import * as k from '../../kernels/native.js';
import type { Transformer } from '../../model/transformer.js';
import { median } from './stats.js';

export interface GemmTiming {
  name: string;
  /** rows (tokens), output features, input features */
  m: number;
  n: number;
  k: number;
  /** median of the repetitions */
  ms: number;
  gflops: number;
  /** times per chunk: the number of layers, or 1 for the LM head */
  perChunk: number;
}

export function timeGemms(model: Transformer, rows: number, reps: number): GemmTiming[] {
  const layer = model.weights.layers[0]!;
  const layers = model.config.numLayers;
  const cases: Array<[string, k.Weight, number, number]> = [
    ['attn_q', layer.wq, rows, layers], ['attn_k', layer.wk, rows, layers], ['attn_v', layer.wv, rows, layers],
    ['attn_output', layer.wo, rows, layers], ['ffn_gate', layer.wGate, rows, layers], ['ffn_up', layer.wUp, rows, layers],
    ['ffn_down', layer.wDown, rows, layers], ['lm_head (1 row)', model.weights.output, 1, 1],
  ];
  return cases.map(([name, w, m, perChunk]) => {
    const x = new Float32Array(m * w.cols).map((_, i) => Math.sin(i) * 0.5);
    const out = new Float32Array(m * w.rows);
    k.matmul(x, m, w, out); // warm-up
    const times: number[] = [];
    for (let r = 0; r < reps; r++) {
      const start = performance.now();
      k.matmul(x, m, w, out);
      times.push(performance.now() - start);
    }
    const ms = median(times);
    return { name, m, n: w.rows, k: w.cols, ms, gflops: (2 * m * w.rows * w.cols) / (ms * 1e6), perChunk };
  });
}
