// The shape of the benchmark model: Qwen2.5-0.5B's hyper-parameters (random weights), and a tiny
// variant with the same structure for tests.
import type { ModelConfig } from '../../model/config.js';

export type BenchShape = Pick<ModelConfig, 'hiddenSize' | 'numLayers' | 'numHeads' | 'numKvHeads' | 'headDim'
  | 'intermediateSize' | 'vocabSize' | 'ropeTheta' | 'rmsNormEps'> & {
  /** short name used in file names */
  name: string;
  contextLength: number;
};

export const QWEN25_05B_SHAPE: BenchShape = {
  name: 'qwen2.5-0.5b-shape',
  hiddenSize: 896,
  numLayers: 24,
  numHeads: 14,
  numKvHeads: 2,
  headDim: 64,
  intermediateSize: 4864,
  vocabSize: 151936,
  contextLength: 32768,
  ropeTheta: 1e6,
  rmsNormEps: 1e-6,
};

/** Qwen2.5-1.5B's hyper-parameters: every row a whole number of 256-element super-blocks (pure K-quant files). */
export const QWEN25_15B_SHAPE: BenchShape = {
  name: 'qwen2.5-1.5b-shape',
  hiddenSize: 1536,
  numLayers: 28,
  numHeads: 12,
  numKvHeads: 2,
  headDim: 128,
  intermediateSize: 8960,
  vocabSize: 151936,
  contextLength: 32768,
  ropeTheta: 1e6,
  rmsNormEps: 1e-6,
};

/** Same structure (GQA 2:1, biases, tied embeddings), small enough to write and run in a test. */
export const TINY_SHAPE: BenchShape = {
  name: 'tiny-shape',
  hiddenSize: 128,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  headDim: 32,
  intermediateSize: 256,
  vocabSize: 384,
  contextLength: 1024,
  ropeTheta: 1e6,
  rmsNormEps: 1e-6,
};

export function shapeToConfig(s: BenchShape): ModelConfig {
  return {
    architecture: 'qwen2',
    hiddenSize: s.hiddenSize,
    numLayers: s.numLayers,
    numHeads: s.numHeads,
    numKvHeads: s.numKvHeads,
    headDim: s.headDim,
    intermediateSize: s.intermediateSize,
    vocabSize: s.vocabSize,
    rmsNormEps: s.rmsNormEps,
    ropeTheta: s.ropeTheta,
    ropeDim: s.headDim,
    ropeStyle: 'neox',
    contextLength: s.contextLength,
    tiedEmbeddings: true,
    attentionBias: true,
  };
}

/** Parameters in the file (the tied embedding counted once). */
export function shapeParameterCount(s: BenchShape): number {
  const h = s.hiddenSize;
  const q = s.numHeads * s.headDim;
  const kv = s.numKvHeads * s.headDim;
  const perLayer = h * q + 2 * h * kv + q * h + 3 * h * s.intermediateSize + q + 2 * kv + 2 * h;
  return s.vocabSize * h + h + s.numLayers * perLayer;
}
