import type { GgufValue } from '../formats/gguf/reader.js';
import { ModelConfigError, type ModelConfig, type RopeStyle, requirePositiveInt, requirePositiveNumber,
  validateModelConfig } from './config.js';

const SUPPORTED: Record<string, RopeStyle> = { llama: 'normal', mistral: 'normal', qwen2: 'neox' };

export interface GgufModelFacts {
  metadata: Map<string, GgufValue>;
  /** rows of token_embd.weight (dims[1]) */
  vocabSize: number;
  hasOutputWeight: boolean;
  hasAttentionBias: boolean;
  /** contents of rope_freqs.weight when present */
  ropeFreqFactors?: Float32Array;
}

export function configFromGguf(facts: GgufModelFacts): ModelConfig {
  const meta = facts.metadata;
  const arch = meta.get('general.architecture');
  if (typeof arch !== 'string') throw new ModelConfigError('general.architecture is missing');
  const ropeStyle = SUPPORTED[arch];
  if (!ropeStyle) {
    throw new ModelConfigError(`architecture '${arch}' is not supported (supported: ${Object.keys(SUPPORTED).join(', ')})`);
  }
  const key = (k: string) => meta.get(`${arch}.${k}`);
  const hiddenSize = requirePositiveInt(key('embedding_length'), `${arch}.embedding_length`);
  const numHeads = requirePositiveInt(key('attention.head_count'), `${arch}.attention.head_count`);
  const numKvHeads = requirePositiveInt(key('attention.head_count_kv') ?? numHeads, `${arch}.attention.head_count_kv`);
  const headDim = requirePositiveInt(key('attention.key_length') ?? hiddenSize / numHeads, `${arch}.attention.key_length`);
  const ropeTheta = requirePositiveNumber(key('rope.freq_base') ?? 10000, `${arch}.rope.freq_base`);
  const ropeDim = requirePositiveInt(key('rope.dimension_count') ?? headDim, `${arch}.rope.dimension_count`);
  const eps = requirePositiveNumber(key('attention.layer_norm_rms_epsilon') ?? 1e-5, `${arch}.attention.layer_norm_rms_epsilon`);
  let ropeFreqFactors = facts.ropeFreqFactors;
  const scalingType = key('rope.scaling.type');
  if (scalingType === 'linear') {
    const factor = requirePositiveNumber(key('rope.scaling.factor'), `${arch}.rope.scaling.factor`);
    ropeFreqFactors = new Float32Array(ropeDim / 2).fill(factor);
  } else if (scalingType !== undefined && scalingType !== 'none' && !ropeFreqFactors) {
    throw new ModelConfigError(`rope scaling type '${String(scalingType)}' is not supported`);
  }
  return validateModelConfig({
    architecture: arch,
    hiddenSize,
    numLayers: requirePositiveInt(key('block_count'), `${arch}.block_count`),
    numHeads,
    numKvHeads,
    headDim,
    intermediateSize: requirePositiveInt(key('feed_forward_length'), `${arch}.feed_forward_length`),
    vocabSize: facts.vocabSize,
    rmsNormEps: eps,
    ropeTheta,
    ropeDim,
    ropeStyle,
    ropeFreqFactors,
    contextLength: requirePositiveInt(key('context_length') ?? 2048, `${arch}.context_length`),
    tiedEmbeddings: !facts.hasOutputWeight,
    attentionBias: facts.hasAttentionBias,
  });
}
