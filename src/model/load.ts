// Opens a model from a GGUF file or a Hugging Face folder: first its description (config + tensor table,
// no weight bytes read), then, for running, weights bound to kernels and the tokenizer.
import { statSync } from 'node:fs';
import { openGguf, type GgufValue } from '../formats/gguf/reader.js';
import { openHfFolder } from '../formats/hf/folder.js';
import { ggufTensorSources, type TensorSource } from '../formats/tensorSource.js';
import { mappedByteSource } from '../kernels/mappedSource.js';
import { tokenizerFromGgufMetadata, tokenizerFromHfFolder, type Tokenizer } from '../tokenizer/index.js';
import type { ModelConfig } from './config.js';
import { configFromGguf } from './configFromGguf.js';
import { configFromHf } from './configFromHf.js';
import { GGUF_NAMES, HF_NAMES } from './tensorNames.js';
import { bindWeights, tensorToFloat32 } from './weights.js';
import type { AttentionPrecision, Precision } from '../kernels/native.js';
import { Transformer } from './transformer.js';

export interface ModelFiles {
  path: string;
  format: 'gguf' | 'hf';
  config: ModelConfig;
  tensors: ReadonlyMap<string, TensorSource>;
  /** GGUF metadata (GGUF only) */
  metadata?: Map<string, GgufValue>;
}

export interface LoadedModel extends ModelFiles {
  transformer: Transformer;
  tokenizer: Tokenizer;
}

export class ModelLoadError extends Error {}

export function openModelFiles(path: string): ModelFiles {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new ModelLoadError(`${path}: no such file or folder`);
  }
  if (isDir) {
    const folder = openHfFolder(path, mappedByteSource);
    return { path, format: 'hf', config: configFromHf(folder.config), tensors: folder.tensors };
  }
  const file = openGguf(path, { openSource: mappedByteSource });
  const tensors = ggufTensorSources(file);
  const embedding = tensors.get(GGUF_NAMES.tokenEmbedding);
  if (!embedding || embedding.dims.length !== 2) {
    throw new ModelLoadError(`${path}: tensor '${GGUF_NAMES.tokenEmbedding}' is missing or not a matrix`);
  }
  const freqs = tensors.get('rope_freqs.weight');
  const config = configFromGguf({
    metadata: file.metadata,
    vocabSize: embedding.dims[1]!,
    hasOutputWeight: tensors.has(GGUF_NAMES.output),
    hasAttentionBias: tensors.has(GGUF_NAMES.layer(0).bq),
    ropeFreqFactors: freqs ? tensorToFloat32(freqs) : undefined,
  });
  return { path, format: 'gguf', config, tensors, metadata: file.metadata };
}

export interface LoadOptions {
  /** matmul precision (default: FASTFILL_PRECISION, else 'int8': see modelPrecision) */
  precision?: Precision;
  /** attention products (default: FASTFILL_ATTENTION_PRECISION, else by the weights: see modelAttentionPrecision) */
  attentionPrecision?: AttentionPrecision;
}

export function loadModel(path: string, options: LoadOptions = {}): LoadedModel {
  const files = openModelFiles(path);
  const names = files.format === 'gguf' ? GGUF_NAMES : HF_NAMES;
  const weights = bindWeights(files.config, files.tensors, names, path, options.precision);
  const tokenizer = files.metadata ? tokenizerFromGgufMetadata(files.metadata, path) : tokenizerFromHfFolder(path);
  return { ...files, transformer: new Transformer(files.config, weights, options.attentionPrecision), tokenizer };
}
