// GGUF metadata keys describing the model architecture, written from a ModelConfig.
import { gguf } from '../formats/gguf/writer.js';
import type { GgufTypedValue } from '../formats/gguf/types.js';
import type { ModelConfig } from '../model/config.js';

export function architectureMetadata(c: ModelConfig, name: string): Array<[string, GgufTypedValue]> {
  const arch = c.architecture === 'mistral' ? 'llama' : c.architecture;
  return [
    ['general.architecture', gguf.str(arch)],
    ['general.name', gguf.str(name)],
    [`${arch}.context_length`, gguf.u32(c.contextLength)],
    [`${arch}.embedding_length`, gguf.u32(c.hiddenSize)],
    [`${arch}.block_count`, gguf.u32(c.numLayers)],
    [`${arch}.feed_forward_length`, gguf.u32(c.intermediateSize)],
    [`${arch}.attention.head_count`, gguf.u32(c.numHeads)],
    [`${arch}.attention.head_count_kv`, gguf.u32(c.numKvHeads)],
    [`${arch}.attention.key_length`, gguf.u32(c.headDim)],
    [`${arch}.attention.value_length`, gguf.u32(c.headDim)],
    [`${arch}.attention.layer_norm_rms_epsilon`, gguf.f32(c.rmsNormEps)],
    [`${arch}.rope.freq_base`, gguf.f32(c.ropeTheta)],
    [`${arch}.rope.dimension_count`, gguf.u32(c.ropeDim)],
  ];
}
