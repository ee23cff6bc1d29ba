// How the model's attention computes its two products (see AttentionArgs.precision in kernels/attention.ts).
import { ATTENTION_PRECISIONS, INT8_TYPES, type AttentionPrecision } from '../kernels/native.js';
import { envChoice } from '../envChoice.js';
import { WeightError, type ModelWeights } from './weights.js';

/**
 * FASTFILL_ATTENTION_PRECISION when set (f32 or bf16). Otherwise 'bf16' for models whose matrices run on int8
 * activations (block-quantized weights at precision 'int8'): on the random-weight references of
 * ../shared/models/random their distance to llama.cpp's log-probs stays in the same band with bf16 attention
 * (Q8_0 0.13-0.18 against 0.10-0.18 at F32), while prefill attention runs about 1.4x faster. Float files keep
 * F32 attention: there bf16 would double their distance to llama.cpp (F16 0.01-0.03 -> 0.03-0.06).
 */
export function modelAttentionPrecision(weights: ModelWeights): AttentionPrecision {
  const forced = envChoice('FASTFILL_ATTENTION_PRECISION', ATTENTION_PRECISIONS, (message) => new WeightError(message));
  if (forced) return forced;
  const wq = weights.layers[0]?.wq;
  return wq !== undefined && INT8_TYPES.has(wq.type) && wq.precision === 'int8' ? 'bf16' : 'f32';
}
