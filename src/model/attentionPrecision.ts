// How the model's attention computes its two products (see AttentionArgs.precision in kernels/attention.ts),
// and the KV cache type it reads; decided from the first query matrix and the load precision, so that
// `fastfill inspect` can tell them without loading the weights.
import { ATTENTION_PRECISIONS, INT8_TYPES, type AttentionPrecision, type Precision } from '../kernels/native.js';
import { envChoice } from '../envChoice.js';
import { GgmlType } from '../formats/ggmlTypes.js';
import { KV_CACHE_TYPES, kvCacheTypeFor, type KvCacheType } from '../kv/kvStorage.js';
import { WeightError, type ModelWeights } from './weights.js';

/**
 * FASTFILL_ATTENTION_PRECISION when set (f32 or bf16). Otherwise 'bf16' for models whose matrices run on int8
 * activations (block-quantized weights at precision 'int8'): on the random-weight references of
 * ../shared/models/random their distance to llama.cpp's log-probs stays in the same band with bf16 attention
 * (Q8_0 0.13-0.18 against 0.10-0.18 at F32), while prefill attention runs about 1.4x faster. Float files keep
 * F32 attention: there bf16 would double their distance to llama.cpp (F16 0.01-0.03 -> 0.03-0.06), except
 * F16 files loaded at precision 'bf16' (the fast choice on AMX, where its GEMM runs on AMX-BF16 tiles): their
 * matrix products are bf16 already, and bf16 attention adds little to that distance (0.067-0.11 against
 * 0.056-0.11 with F32 attention, on the same references).
 * wqType, wqPrecision: the type and matrix precision of layer 0's query matrix.
 */
export function attentionPrecisionFor(wqType: GgmlType | undefined, wqPrecision: Precision | undefined): AttentionPrecision {
  const forced = envChoice('FASTFILL_ATTENTION_PRECISION', ATTENTION_PRECISIONS, (message) => new WeightError(message));
  if (forced) return forced;
  if (wqType !== undefined && INT8_TYPES.has(wqType) && wqPrecision === 'int8') return 'bf16';
  return wqType === GgmlType.F16 && wqPrecision === 'bf16' ? 'bf16' : 'f32';
}

export function modelAttentionPrecision(weights: ModelWeights): AttentionPrecision {
  const wq = weights.layers[0]?.wq;
  return attentionPrecisionFor(wq?.type, wq?.precision);
}

/**
 * The KV cache type (kvCacheTypeFor): bf16 for bf16 attention, F32 for F32 files and models loaded at
 * precision 'f32' (everything exact), F16 otherwise; FASTFILL_KV_CACHE (f32, bf16 or f16) overrides.
 */
export function modelKvCacheType(wqType: GgmlType | undefined, loadPrecision: Precision, attention: AttentionPrecision,
  blockSize: number, headDim: number): KvCacheType {
  const exactModel = wqType === GgmlType.F32 || loadPrecision === 'f32';
  return kvCacheTypeFor(attention, blockSize, headDim, exactModel,
    envChoice('FASTFILL_KV_CACHE', KV_CACHE_TYPES, (message) => new WeightError(message)));
}
