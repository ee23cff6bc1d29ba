// Converts a Hugging Face folder (Llama/Mistral/Qwen2, F32/F16/BF16 safetensors, byte-level BPE tokenizer)
// to a GGUF file, optionally re-encoding the matrices (F16, BF16, Q8_0, Q4_0).
import path from 'node:path';
import { writeGguf, type GgufTensorToWrite } from '../formats/gguf/writer.js';
import { GgmlType, blockLayout } from '../formats/ggmlTypes.js';
import { openHfFolder } from '../formats/hf/folder.js';
import type { TensorSource } from '../formats/tensorSource.js';
import { configFromHf } from '../model/configFromHf.js';
import { GGUF_NAMES, HF_NAMES, type LayerTensorNames } from '../model/tensorNames.js';
import { tensorToFloat32 } from '../model/weights.js';
import { encodeF32, TARGET_TYPES, type TargetTypeName } from './encodeTensor.js';
import { architectureMetadata } from './ggufKeys.js';
import { permuteRowsForNormalRope } from './permute.js';
import { tokenizerMetadata } from './tokenizerKeys.js';

export interface ConvertOptions {
  /** type of the 2-D weight matrices; norms and biases stay F32 */
  type?: TargetTypeName;
}

export function convertHfToGguf(dir: string, outPath: string, options: ConvertOptions = {}): void {
  const folder = openHfFolder(dir);
  try {
    const config = configFromHf(folder.config);
    const target = TARGET_TYPES[options.type ?? 'F32'];
    const permute = config.architecture !== 'qwen2';
    const tensors: GgufTensorToWrite[] = [];
    const add = (hfName: string, ggufName: string, permuteHeads?: number) => {
      const source = folder.tensors.get(hfName);
      if (!source) return;
      tensors.push(convertTensor(source, ggufName, target, permute ? permuteHeads : undefined, config.headDim));
    };
    add(HF_NAMES.tokenEmbedding, GGUF_NAMES.tokenEmbedding);
    add(HF_NAMES.outputNorm, GGUF_NAMES.outputNorm);
    if (!config.tiedEmbeddings) add(HF_NAMES.output, GGUF_NAMES.output);
    for (let i = 0; i < config.numLayers; i++) {
      const hf = HF_NAMES.layer(i);
      const gg = GGUF_NAMES.layer(i);
      for (const role of Object.keys(hf) as (keyof LayerTensorNames)[]) {
        const heads = role === 'wq' || role === 'bq' ? config.numHeads : role === 'wk' || role === 'bk' ? config.numKvHeads : undefined;
        add(hf[role], gg[role], heads);
      }
    }
    const metadata = [...architectureMetadata(config, path.basename(path.resolve(dir))), ...tokenizerMetadata(dir)];
    writeGguf(outPath, { metadata, tensors });
  } finally {
    folder.close();
  }
}

function convertTensor(source: TensorSource, name: string, target: GgmlType, permuteHeads: number | undefined,
  headDim: number): GgufTensorToWrite {
  const isMatrix = source.dims.length === 2;
  const rowLength = source.dims[0]!;
  const fits = rowLength % (blockLayout(target)?.blockElements ?? 1) === 0;
  const type = isMatrix && fits ? target : GgmlType.F32;
  let values = tensorToFloat32(source);
  if (permuteHeads !== undefined) {
    const rowBytes = isMatrix ? rowLength * 4 : 4;
    const permuted = permuteRowsForNormalRope(new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
      permuteHeads, headDim, rowBytes);
    values = new Float32Array(permuted.buffer);
  }
  return { name, type, dims: [...source.dims], data: encodeF32(values, type) };
}
