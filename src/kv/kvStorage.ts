// The KV cache tensors: per layer, K and V as [numBlocks * blockSize slots][numKvHeads][headDim] in F32.
// Slot s of block b is b * blockSize + s. Which blocks a sequence owns is the block manager's business.
// The memory is native and zero-filled on first touch, in huge pages where it is big (allocateZeroed).
import { allocateZeroed } from '../kernels/native.js';

export interface KvShape {
  numLayers: number;
  numBlocks: number;
  blockSize: number;
  numKvHeads: number;
  headDim: number;
}

export class KvStorage {
  readonly k: Float32Array[] = [];
  readonly v: Float32Array[] = [];

  constructor(readonly shape: KvShape) {
    const perLayer = shape.numBlocks * shape.blockSize * shape.numKvHeads * shape.headDim;
    for (let l = 0; l < shape.numLayers; l++) {
      this.k.push(new Float32Array(allocateZeroed(perLayer * 4)));
      this.v.push(new Float32Array(allocateZeroed(perLayer * 4)));
    }
  }

  get bytes(): number {
    return this.k.length * 2 * this.k[0]!.byteLength;
  }
}
