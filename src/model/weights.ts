// Binds a model's tensors (from any format) to the roles the forward pass needs, checking shapes.
import type { TensorSource } from '../formats/tensorSource.js';
import { GgmlType, COMPUTE_TYPES, ggmlTypeName, rowBytes } from '../formats/ggmlTypes.js';
import { dequantize } from '../formats/quant/dequantize.js';
import { cpuInfo, PanelArena, panelBytes, panelLayout, PRECISIONS, readsOnlyPanelsWhenPacked, releaseMappedPages, Weight, type Precision } from '../kernels/native.js';
import { totalmem } from 'node:os';
import type { ModelConfig } from './config.js';
import type { TensorNames } from './tensorNames.js';
import { envChoice } from '../envChoice.js';

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
  /** the precision the model was loaded at (each matrix's own is matrixPrecision of it) */
  precision: Precision;
}

export class WeightError extends Error {}

/**
 * Packing makes a second copy of the matrices in GEMM panels (the mapped file's pages of F32/F16/BF16 and
 * Q8_0-at-int8 matrices are released again once packed, but the panels must fit in RAM while the file's pages
 * page in and out). Pack only while the panels fit a share of RAM; bigger models run unpacked, slower but in
 * memory. FASTFILL_PACK=0/1 forces the choice.
 */
export function shouldPackWeights(tensors: ReadonlyMap<string, TensorSource>, precision: Precision): boolean {
  const forced = process.env.FASTFILL_PACK;
  if (forced === '0' || forced === '1') return forced === '1';
  return panelBytesIfPacked(tensors, precision) <= 0.4 * totalmem();
}

/**
 * Memory the GEMM panels would take (an upper bound: an untied embedding is not packed), as the kernels size
 * them (panelBytes).
 */
export function panelBytesIfPacked(tensors: ReadonlyMap<string, TensorSource>, precision: Precision): number {
  let bytes = 0;
  for (const size of matrixPanelSizes(tensors, precision)) bytes += size;
  return bytes;
}

/**
 * Bytes of the mapped file that packing makes unneeded and releases (Weight.matmulReadsOnlyPanels: F32/F16/BF16
 * matrices, Q8_0 at int8 precision and interleaved matrices), so they stop counting in resident memory; an upper
 * bound, as above.
 */
export function fileBytesReleasedByPacking(tensors: ReadonlyMap<string, TensorSource>, precision: Precision): number {
  let bytes = 0;
  for (const t of tensors.values()) {
    const matrix = matrixPrecision(t.type, precision);
    if (t.dims.length !== 2 || !readsOnlyPanelsWhenPacked(t.type, matrix, panelLayout(t.type, matrix))) continue;
    bytes += rowBytes(t.type, t.dims[0]!) * t.dims[1]!;
  }
  return bytes;
}

/**
 * The model loader's precision: FASTFILL_PRECISION when set, else 'int8', or 'f32' where the kernels run at
 * the scalar level (no AVX2, e.g. arm64 builds): there the int8 GEMM is plain loops, about a tenth of the
 * F32 GEMM's speed (bench/RESULTS.md, 2026-11-27 05:05-06:00). At the loader, 'int8' means
 * llama.cpp's activation rounding where it costs no accuracy against llama.cpp (see matrixPrecision):
 * block-quantized weights on int8 dot products with activations quantized per 32-element block (~2.5x the
 * prefill speed here), BF16 weights on bf16 dot products, and F32/F16 weights exact.
 */
export function modelPrecision(): Precision {
  const forced = envChoice('FASTFILL_PRECISION', PRECISIONS, (message) => new WeightError(message));
  return forced ?? (cpuInfo().level === 'scalar' ? 'f32' : 'int8');
}

/**
 * The precision a matrix of `type` computes at under the loader's `precision`. Under 'int8' a BF16 matrix
 * takes 'bf16': its weights are already bf16, and llama.cpp rounds the activations of BF16 weights to bf16
 * too, so this is llama.cpp's math (and 1.5-1.8x the exact path's prefill here). F16 weights stay exact:
 * bf16 would round them to 8 significant bits, further from llama.cpp (which rounds activations to F16).
 */
export function matrixPrecision(type: GgmlType, precision: Precision): Precision {
  return precision === 'int8' && type === GgmlType.BF16 ? 'bf16' : precision;
}

export function bindWeights(config: ModelConfig, tensors: ReadonlyMap<string, TensorSource>, names: TensorNames,
  source: string, precision: Precision = modelPrecision()): ModelWeights {
  const { hiddenSize: h, numHeads, numKvHeads, headDim, intermediateSize: ffn, vocabSize } = config;
  const find = (name: string): TensorSource => {
    const t = tensors.get(name);
    if (!t) throw new WeightError(`${source}: tensor '${name}' is missing`);
    return t;
  };
  const pack = shouldPackWeights(tensors, precision);
  const arena = pack ? new PanelArena(PanelArena.bytesFor(matrixPanelSizes(tensors, precision))) : undefined;
  const matrix = (name: string, rows: number, cols: number, usedByMatmul = true): Weight => {
    const t = find(name);
    expectDims(t, [cols, rows], source);
    if (!COMPUTE_TYPES.has(t.type)) {
      throw new WeightError(`${source}: tensor '${name}' has type ${ggmlTypeName(t.type)}, which the kernels do not support`);
    }
    const weight = Weight.create(t.type, rows, cols, t.data(),
      { pack: pack && usedByMatmul, precision: matrixPrecision(t.type, precision), ...(arena ? { arena } : {}) });
    // the panels are a full copy: the file's pages need not stay resident (a no-op unless mapped)
    if (weight.matmulReadsOnlyPanels) releaseMappedPages(weight.data);
    return weight;
  };
  const vector = (name: string, length: number): Float32Array => {
    const t = find(name);
    expectDims(t, [length], source);
    return tensorToFloat32(t);
  };
  const optionalVector = (name: string, length: number): Float32Array | undefined =>
    tensors.has(name) ? vector(name, length) : undefined;

  // The biggest matrices first: while one is packed its mapped pages are resident beside the panels
  // made so far, so packing them early keeps the peak lower. An untied embedding is only ever
  // gathered by row, never multiplied: no panels for it.
  // Q8_0's bf16 pair panels serve matmuls of 8 rows or more only (decode rows read its blocks), so the LM head,
  // called on one row per sequence, keeps its blocks alone (its panels would be 2 bytes per weight of vocabulary).
  const untied = tensors.has(names.output);
  const lmHeadPanels = (name: string) => !(find(name).type === GgmlType.Q8_0 && precision === 'bf16');
  const tokenEmbedding = matrix(names.tokenEmbedding, vocabSize, h, !untied && lmHeadPanels(names.tokenEmbedding));
  const output = untied ? matrix(names.output, vocabSize, h, lmHeadPanels(names.output)) : tokenEmbedding;
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
  return { tokenEmbedding, layers, outputNorm: vector(names.outputNorm, h), output, precision };
}

/** The panel bytes of every matrix that has panels at `precision` (an untied embedding is counted, not packed). */
function* matrixPanelSizes(tensors: ReadonlyMap<string, TensorSource>, precision: Precision): Generator<number> {
  for (const t of tensors.values()) {
    if (t.dims.length !== 2 || !COMPUTE_TYPES.has(t.type)) continue;
    let bytes = 0;
    try {
      const matrix = matrixPrecision(t.type, precision);
      bytes = panelBytes(t.type, t.dims[1]!, t.dims[0]!, matrix);
    } catch {
      continue;  // a shape the kernels refuse: binding that matrix reports it
    }
    yield bytes;
  }
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
