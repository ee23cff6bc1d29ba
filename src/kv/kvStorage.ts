// The KV cache tensors: per layer, K and V for numBlocks * blockSize slots (slot s of block b is
// b * blockSize + s), in F32, or in bf16 or F16 (half the memory; the layouts are in kernels/attention.ts).
// Which blocks a sequence owns is the block manager's business.
// The memory is native and zero-filled on first touch, in huge pages where it is big (allocateZeroed).
import { allocateZeroed, type AttentionPrecision, type KvCacheArray, type KvCacheType } from '../kernels/native.js';

export { KV_CACHE_TYPES, type KvCacheType } from '../kernels/native.js';

export interface KvShape {
  numLayers: number;
  numBlocks: number;
  blockSize: number;
  numKvHeads: number;
  headDim: number;
}

/**
 * The cache type for a model: bf16 K and V where attention rounds them to bf16 anyway (the kernel then reads
 * them in place instead of converting them); F32 for a model in full precision (`exactModel`: F32 weights, or
 * everything computed exactly); else F16 (llama.cpp's default: same distance to its log-probs as an F32 cache
 * on ../shared/models/random, no slower at prefill). bf16 and F16 take half the memory of F32. The bf16
 * layout pairs slots and head dimensions, so it needs an even blockSize and headDim. `wanted`
 * (FASTFILL_KV_CACHE) may ask for F32 or F16 (either works with any precision), or for bf16 where possible.
 */
export function kvCacheTypeFor(precision: AttentionPrecision, blockSize: number, headDim: number, exactModel: boolean,
  wanted?: KvCacheType): KvCacheType {
  const bf16Possible = precision === 'bf16' && blockSize % 2 === 0 && headDim % 2 === 0;
  if (wanted === 'bf16' && !bf16Possible) {
    throw new RangeError(`a bf16 KV cache needs bf16 attention (FASTFILL_ATTENTION_PRECISION=bf16) and an even block ` +
      `size and head size; this model has ${precision} attention, block size ${blockSize}, head size ${headDim}`);
  }
  return wanted ?? (bf16Possible ? 'bf16' : exactModel ? 'f32' : 'f16');
}

export function kvBytesPerToken(shape: Omit<KvShape, 'numBlocks' | 'blockSize'>, type: KvCacheType): number {
  return 2 * shape.numLayers * shape.numKvHeads * shape.headDim * (type === 'f32' ? 4 : 2);
}

export class KvStorage {
  readonly k: KvCacheArray[] = [];
  readonly v: KvCacheArray[] = [];

  constructor(readonly shape: KvShape, readonly type: KvCacheType = 'f32') {
    if (type === 'bf16' && (shape.blockSize % 2 !== 0 || shape.headDim % 2 !== 0)) {
      throw new RangeError(`a bf16 KV cache needs an even blockSize and headDim, got ${shape.blockSize} and ${shape.headDim}`);
    }
    const perLayer = shape.numBlocks * shape.blockSize * shape.numKvHeads * shape.headDim;
    const tensor = () => type === 'f32' ? new Float32Array(allocateZeroed(perLayer * 4)) : new Uint16Array(allocateZeroed(perLayer * 2));
    for (let l = 0; l < shape.numLayers; l++) {
      this.k.push(tensor());
      this.v.push(tensor());
    }
  }

  get bytes(): number {
    return this.k.length * 2 * this.k[0]!.byteLength;
  }
}
