// The KV cache tensors: per layer, K and V for numBlocks * blockSize slots (slot s of block b is
// b * blockSize + s), in F32 or in bf16 (half the memory; the layouts are in kernels/attention.ts).
// Which blocks a sequence owns is the block manager's business.
// The memory is native and zero-filled on first touch, in huge pages where it is big (allocateZeroed).
import { allocateZeroed, type AttentionPrecision, type KvCacheArray } from '../kernels/native.js';

export type KvCacheType = 'f32' | 'bf16';
export const KV_CACHE_TYPES: readonly KvCacheType[] = ['f32', 'bf16'];

export interface KvShape {
  numLayers: number;
  numBlocks: number;
  blockSize: number;
  numKvHeads: number;
  headDim: number;
}

/**
 * The cache type for a model's attention precision: bf16 K and V where attention rounds them to bf16 anyway
 * (the kernel then reads them in place instead of converting them, and the cache takes half the memory), F32
 * otherwise. The bf16 layout pairs slots and head dimensions, so it needs an even blockSize and headDim.
 * `wanted` (FASTFILL_KV_CACHE) may ask for F32 anyway, or for bf16 where it is possible.
 */
export function kvCacheTypeFor(precision: AttentionPrecision, blockSize: number, headDim: number,
  wanted?: KvCacheType): KvCacheType {
  const bf16Possible = precision === 'bf16' && blockSize % 2 === 0 && headDim % 2 === 0;
  if (wanted === 'bf16' && !bf16Possible) {
    throw new RangeError(`a bf16 KV cache needs bf16 attention (FASTFILL_ATTENTION_PRECISION=bf16) and an even block ` +
      `size and head size; this model has ${precision} attention, block size ${blockSize}, head size ${headDim}`);
  }
  return wanted ?? (bf16Possible ? 'bf16' : 'f32');
}

export function kvBytesPerToken(shape: Omit<KvShape, 'numBlocks' | 'blockSize'>, type: KvCacheType): number {
  return 2 * shape.numLayers * shape.numKvHeads * shape.headDim * (type === 'bf16' ? 2 : 4);
}

export class KvStorage {
  readonly k: KvCacheArray[] = [];
  readonly v: KvCacheArray[] = [];

  constructor(readonly shape: KvShape, readonly type: KvCacheType = 'f32') {
    if (type === 'bf16' && (shape.blockSize % 2 !== 0 || shape.headDim % 2 !== 0)) {
      throw new RangeError(`a bf16 KV cache needs an even blockSize and headDim, got ${shape.blockSize} and ${shape.headDim}`);
    }
    const perLayer = shape.numBlocks * shape.blockSize * shape.numKvHeads * shape.headDim;
    const tensor = () => type === 'bf16' ? new Uint16Array(allocateZeroed(perLayer * 2)) : new Float32Array(allocateZeroed(perLayer * 4));
    for (let l = 0; l < shape.numLayers; l++) {
      this.k.push(tensor());
      this.v.push(tensor());
    }
  }

  get bytes(): number {
    return this.k.length * 2 * this.k[0]!.byteLength;
  }
}
