// Binds a model's tensors (from any format) to the roles the forward pass needs, checking shapes.
import type { TensorSource } from '../formats/tensorSource.js';
import { GgmlType, COMPUTE_TYPES, ggmlTypeName } from '../formats/ggmlTypes.js';
import { dequantize } from '../formats/quant/dequantize.js';
import { PANEL_TYPES, Weight } from '../kernels/native.js';
import { totalmem } from 'node:os';
import type { ModelConfig } from './config.js';
import type { TensorNames } from './tensorNames.js';

export interface LayerWeights {
  attnNorm: Float32Array;
  wq: Weight; wk: Weight; wv: Weight; wo: Weight;
  bq?: Float32Array; bk?: Float32Array; bv?: Float32Array; bo?: Float32Array;
  ffnNorm: Float32Array;
  wGate: Weight; wUp: Weight; wDown: Weight;
}

export interface ModelWeights {
  tokenEmbedding: Weight;
  layers: LayerWeights[];
  outputNorm: Float32Array;
  /** the LM head; the embedding itself when tied */
  output: Weight;
}

export class WeightError extends Error {}

/**
 * Packing F32/F16/BF16 matrices into GEMM panels doubles their memory at F32 precision (the mapped file
 * stays too). Pack only while the panels fit a share of RAM; bigger models run unpacked, slower but in
 * memory. FASTFILL_PACK=0/1 forces the choice.
 */
export function shouldPackWeights(tensors: ReadonlyMap<string, TensorSource>): boolean {
  const forced = process.env.FASTFILL_PACK;
  if (forced === '0' || forced === '1') return forced === '1';
  return panelBytesIfPacked(tensors) <= 0.4 * totalmem();
}

/** Memory the F32 GEMM panels of all F32/F16/BF16 matrices would take (an upper bound: see bindWeights). */
export function panelBytesIfPacked(tensors: ReadonlyMap<string, TensorSource>): number {
  let bytes = 0;
  for (const t of tensors.values()) {
    if (t.dims.length === 2 && PANEL_TYPES.has(t.type)) bytes += t.dims[0]! * t.dims[1]! * 4;
  }
  return bytes;
}

export function bindWeights(config: ModelConfig, tensors: ReadonlyMap<string, TensorSource>, names: TensorNames,
  source: string): ModelWeights {
  const { hiddenSize: h, numHeads, numKvHeads, headDim, intermediateSize: ffn, vocabSize } = config;
  const find = (name: string): TensorSource => {
    const t = tensors.get(name);
    if (!t) throw new WeightError(`${source}: tensor '${name}' is missing`);
    return t;
  };
  const pack = shouldPackWeights(tensors);
  const matrix = (name: string, rows: number, cols: number, usedByMatmul = true): Weight => {
    const t = find(name);
    expectDims(t, [cols, rows], source);
    if (!COMPUTE_TYPES.has(t.type)) {
      throw new WeightError(`${source}: tensor '${name}' has type ${ggmlTypeName(t.type)}, which the kernels do not support`);
    }
    return Weight.create(t.type, rows, cols, t.data(), { pack: pack && usedByMatmul });
  };
  const vector = (name: string, length: number): Float32Array => {
    const t = find(name);
    expectDims(t, [length], source);
    return tensorToFloat32(t);
  };
  const optionalVector = (name: string, length: number): Float32Array | undefined =>
    tensors.has(name) ? vector(name, length) : undefined;

  const layers: LayerWeights[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    const n = names.layer(i);
    layers.push({
      attnNorm: vector(n.attnNorm, h),
      wq: matrix(n.wq, numHeads * headDim, h),
      wk: matrix(n.wk, numKvHeads * headDim, h),
      wv: matrix(n.wv, numKvHeads * headDim, h),
      wo: matrix(n.wo, h, numHeads * headDim),
      bq: optionalVector(n.bq, numHeads * headDim),
      bk: optionalVector(n.bk, numKvHeads * headDim),
      bv: optionalVector(n.bv, numKvHeads * headDim),
      bo: optionalVector(n.bo, h),
      ffnNorm: vector(n.ffnNorm, h),
      wGate: matrix(n.wGate, ffn, h),
      wUp: matrix(n.wUp, ffn, h),
      wDown: matrix(n.wDown, h, ffn),
    });
  }
  // an untied embedding is only ever gathered by row, never multiplied: no panels for it
  const untied = tensors.has(names.output);
  const tokenEmbedding = matrix(names.tokenEmbedding, vocabSize, h, !untied);
  const output = untied ? matrix(names.output, vocabSize, h) : tokenEmbedding;
  return { tokenEmbedding, layers, outputNorm: vector(names.outputNorm, h), output };
}

function expectDims(t: TensorSource, dims: number[], source: string): void {
  const same = t.dims.length === dims.length && t.dims.every((d, i) => d === dims[i]);
  if (!same) {
    throw new WeightError(`${source}: tensor '${t.name}' has shape [${t.dims.join(', ')}], expected [${dims.join(', ')}] (ggml order)`);
  }
}

/** A small tensor (norm, bias, factors) as F32, whatever its stored type. */
export function tensorToFloat32(t: TensorSource): Float32Array {
  const bytes = t.data();
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (t.type === GgmlType.F32) {
    // copy: the source may be a mapped or unaligned view
    return new Float32Array(bytes.slice(0, count * 4).buffer);
  }
  return dequantize(t.type, bytes, count);
}
