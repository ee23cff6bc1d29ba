// Hyper-parameters of a decoder-only transformer, read from GGUF metadata or a Hugging Face config.json.
// Everything downstream (weights, forward pass, KV cache) reads only this plain object.

export type RopeStyle = 'normal' | 'neox';

export interface ModelConfig {
  /** family name as the file states it: 'llama', 'qwen2', 'mistral' */
  architecture: string;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  intermediateSize: number;
  vocabSize: number;
  rmsNormEps: number;
  ropeTheta: number;
  /** leading dims of each head that RoPE rotates (the rest pass through) */
  ropeDim: number;
  /** 'normal' rotates pairs (2i, 2i+1) (GGUF llama); 'neox' rotates (i, i + ropeDim/2) (qwen2, HF layout) */
  ropeStyle: RopeStyle;
  /** per rotary frequency divisor (llama3 / linear scaling); undefined = none */
  ropeFreqFactors?: Float32Array;
  /** the context length the model was trained for (metadata); the runtime may override */
  contextLength: number;
  tiedEmbeddings: boolean;
  /** q/k/v projections carry biases (qwen2) */
  attentionBias: boolean;
}

export class ModelConfigError extends Error {}

export function requirePositiveInt(value: unknown, what: string): number {
  if (typeof value === 'bigint') value = Number(value);
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ModelConfigError(`${what} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

export function requirePositiveNumber(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ModelConfigError(`${what} must be a positive number, got ${String(value)}`);
  }
  return value;
}

/** Checks relations between fields that a hostile or broken file could violate. */
export function validateModelConfig(c: ModelConfig): ModelConfig {
  if (c.numHeads % c.numKvHeads !== 0) {
    throw new ModelConfigError(`attention heads (${c.numHeads}) must be a multiple of KV heads (${c.numKvHeads})`);
  }
  if (c.ropeDim > c.headDim || c.ropeDim % 2 !== 0) {
    throw new ModelConfigError(`rope dimension ${c.ropeDim} must be even and at most the head dimension ${c.headDim}`);
  }
  if (c.ropeFreqFactors && c.ropeFreqFactors.length !== c.ropeDim / 2) {
    throw new ModelConfigError(`rope frequency factors: expected ${c.ropeDim / 2}, got ${c.ropeFreqFactors.length}`);
  }
  return c;
}

/**
 * Llama 3.1 style frequency factors: low frequencies are stretched by `factor`, high ones kept, a smooth
 * ramp between (the published rule; factors divide the rotary frequency).
 */
export function llama3RopeFactors(ropeDim: number, theta: number, factor: number, lowFreqFactor: number,
  highFreqFactor: number, originalContext: number): Float32Array {
  const out = new Float32Array(ropeDim / 2);
  const lowWavelen = originalContext / lowFreqFactor;
  const highWavelen = originalContext / highFreqFactor;
  for (let i = 0; i < out.length; i++) {
    const freq = Math.pow(theta, (-2 * i) / ropeDim);
    const wavelen = (2 * Math.PI) / freq;
    if (wavelen < highWavelen) out[i] = 1;
    else if (wavelen > lowWavelen) out[i] = factor;
    else {
      const smooth = (originalContext / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
      out[i] = 1 / ((1 - smooth) / factor + smooth);
    }
  }
  return out;
}
