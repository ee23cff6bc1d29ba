// The tensors of a Qwen2-layout benchmark model (GGUF names, ggml dims) and their random contents,
// produced chunk by chunk so that no full-size F32 copy of a tensor is ever held.
import { encodeF32 } from '../../convert/encodeTensor.js';
import { blockLayout, GgmlType } from '../../formats/ggmlTypes.js';
import type { GgufTensorToWrite } from '../../formats/gguf/writer.js';
import { GGUF_NAMES } from '../../model/tensorNames.js';
import type { BenchShape } from './benchShape.js';
import { fillUniform, tensorRng } from './randomWeights.js';

export interface BenchTensorSpec {
  name: string;
  /** ggml order: dims[0] is the row length */
  dims: number[];
  /** 2-D weights take the model's type; norms and biases stay F32 */
  matrix: boolean;
  /** norms are all ones; everything else is uniform in [-halfWidth, halfWidth) */
  init: 'ones' | 'uniform';
  halfWidth: number;
}

/** Uniform with standard deviation 0.02 (half-width 0.02 * sqrt(3)), as in common initialisations. */
const HALF_WIDTH = 0.02 * Math.sqrt(3);
/** elements generated per step; a multiple of every block size */
const CHUNK_ELEMENTS = 1 << 18;

export function benchTensorSpecs(s: BenchShape): BenchTensorSpec[] {
  const h = s.hiddenSize;
  const q = s.numHeads * s.headDim;
  const kv = s.numKvHeads * s.headDim;
  const matrix = (name: string, rowLength: number, rows: number): BenchTensorSpec =>
    ({ name, dims: [rowLength, rows], matrix: true, init: 'uniform', halfWidth: HALF_WIDTH });
  const vector = (name: string, length: number, init: 'ones' | 'uniform'): BenchTensorSpec =>
    ({ name, dims: [length], matrix: false, init, halfWidth: HALF_WIDTH });
  const specs = [matrix(GGUF_NAMES.tokenEmbedding, h, s.vocabSize), vector(GGUF_NAMES.outputNorm, h, 'ones')];
  for (let i = 0; i < s.numLayers; i++) {
    const n = GGUF_NAMES.layer(i);
    specs.push(
      vector(n.attnNorm, h, 'ones'),
      matrix(n.wq, h, q), vector(n.bq, q, 'uniform'),
      matrix(n.wk, h, kv), vector(n.bk, kv, 'uniform'),
      matrix(n.wv, h, kv), vector(n.bv, kv, 'uniform'),
      matrix(n.wo, q, h),
      vector(n.ffnNorm, h, 'ones'),
      matrix(n.wGate, h, s.intermediateSize),
      matrix(n.wUp, h, s.intermediateSize),
      matrix(n.wDown, s.intermediateSize, h),
    );
  }
  return specs;
}

/** The tensor's bytes in `type` (F32 for vectors), generated and encoded chunk by chunk. */
export function makeBenchTensor(spec: BenchTensorSpec, type: GgmlType, seed: number): GgufTensorToWrite {
  const outType = spec.matrix ? type : GgmlType.F32;
  const layout = blockLayout(outType);
  if (!layout) throw new Error(`makeBenchTensor: no block layout for type ${outType}`);
  if (spec.dims[0]! % layout.blockElements !== 0) {
    throw new Error(`makeBenchTensor: '${spec.name}' row length ${spec.dims[0]} is not a multiple of the block size ${layout.blockElements}`);
  }
  const count = spec.dims.reduce((a, b) => a * b, 1);
  const data = new Uint8Array((count / layout.blockElements) * layout.blockBytes);
  const rng = tensorRng(seed, spec.name);
  const scratch = new Float32Array(Math.min(CHUNK_ELEMENTS, count));
  for (let done = 0; done < count; done += scratch.length) {
    const values = scratch.subarray(0, Math.min(scratch.length, count - done));
    if (spec.init === 'ones') values.fill(1);
    else fillUniform(rng, values, spec.halfWidth);
    data.set(encodeF32(values, outType), (done / layout.blockElements) * layout.blockBytes);
  }
  return { name: spec.name, type: outType, dims: [...spec.dims], data };
}

