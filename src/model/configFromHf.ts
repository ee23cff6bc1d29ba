import { llama3RopeFactors, ModelConfigError, type ModelConfig, requirePositiveInt, requirePositiveNumber,
  validateModelConfig } from './config.js';

const ARCHITECTURES: Record<string, string> = {
  LlamaForCausalLM: 'llama',
  MistralForCausalLM: 'mistral',
  Qwen2ForCausalLM: 'qwen2',
};

/**
 * Reads a Hugging Face config.json. HF checkpoints keep q/k projections in the rotate-half layout, so RoPE
 * is 'neox' for every family here (GGUF llama files are permuted by the converter and use 'normal').
 */
export function configFromHf(config: Record<string, unknown>): ModelConfig {
  const archList = config.architectures;
  const hfArch = Array.isArray(archList) ? String(archList[0]) : undefined;
  const architecture = hfArch ? ARCHITECTURES[hfArch] : undefined;
  if (!architecture) {
    throw new ModelConfigError(`architecture ${hfArch ?? '(none)'} is not supported (supported: ${Object.keys(ARCHITECTURES).join(', ')})`);
  }
  const hiddenSize = requirePositiveInt(config.hidden_size, 'hidden_size');
  const numHeads = requirePositiveInt(config.num_attention_heads, 'num_attention_heads');
  const headDim = requirePositiveInt(config.head_dim ?? hiddenSize / numHeads, 'head_dim');
  // transformers 5 moved rope settings into rope_parameters; published checkpoints keep the top-level keys
  const ropeParams = (config.rope_parameters ?? undefined) as Record<string, unknown> | undefined;
  const ropeTheta = requirePositiveNumber(config.rope_theta ?? ropeParams?.rope_theta ?? 10000, 'rope_theta');
  const contextLength = requirePositiveInt(config.max_position_embeddings ?? 2048, 'max_position_embeddings');
  const slidingWindow = config.sliding_window;
  const usesSliding = architecture === 'mistral' && typeof slidingWindow === 'number' && slidingWindow < contextLength;
  if (usesSliding) {
    throw new ModelConfigError(`sliding-window attention (sliding_window ${slidingWindow}) is not supported yet`);
  }
  return validateModelConfig({
    architecture,
    hiddenSize,
    numLayers: requirePositiveInt(config.num_hidden_layers, 'num_hidden_layers'),
    numHeads,
    numKvHeads: requirePositiveInt(config.num_key_value_heads ?? numHeads, 'num_key_value_heads'),
    headDim,
    intermediateSize: requirePositiveInt(config.intermediate_size, 'intermediate_size'),
    vocabSize: requirePositiveInt(config.vocab_size, 'vocab_size'),
    rmsNormEps: requirePositiveNumber(config.rms_norm_eps ?? 1e-6, 'rms_norm_eps'),
    ropeTheta,
    ropeDim: headDim,
    ropeStyle: 'neox',
    ropeFreqFactors: ropeFactorsFromHf(config.rope_scaling ?? ropeParams, headDim, ropeTheta),
    contextLength,
    tiedEmbeddings: config.tie_word_embeddings === true,
    attentionBias: architecture === 'qwen2' || config.attention_bias === true,
  });
}

function ropeFactorsFromHf(scaling: unknown, ropeDim: number, theta: number): Float32Array | undefined {
  if (scaling === undefined || scaling === null) return undefined;
  if (typeof scaling !== 'object') throw new ModelConfigError('rope_scaling must be an object');
  const s = scaling as Record<string, unknown>;
  const type = s.rope_type ?? s.type;
  if (type === 'default' || type === undefined) return undefined;
  const factor = requirePositiveNumber(s.factor, 'rope_scaling.factor');
  if (type === 'linear') return new Float32Array(ropeDim / 2).fill(factor);
  if (type === 'llama3') {
    return llama3RopeFactors(ropeDim, theta, factor,
      requirePositiveNumber(s.low_freq_factor, 'rope_scaling.low_freq_factor'),
      requirePositiveNumber(s.high_freq_factor, 'rope_scaling.high_freq_factor'),
      requirePositiveInt(s.original_max_position_embeddings, 'rope_scaling.original_max_position_embeddings'));
  }
  throw new ModelConfigError(`rope_scaling type '${String(type)}' is not supported`);
}
