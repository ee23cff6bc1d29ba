// Decoding real llama.cpp-quantized tensors: every 2-D tensor of the random reference models
// (../shared/models/random), decoded by getRows, must match the same tensor of the unquantized
// file to within that type's quantization error. A wrong block layout gives errors near 100%.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openGguf, type GgufFile, type GgufTensorInfo } from '../../src/formats/gguf/index.js';
import { GgmlType, ggmlTypeName } from '../../src/formats/ggmlTypes.js';
import { getRows, Weight } from '../../src/kernels/native.js';
import { sharedPath, sharedSkip } from '../helpers/paths.js';

/** Largest relative RMS error per type: about 1.5x what llama.cpp's quantizers give on these weights. */
const MAX_RELATIVE_RMS: Partial<Record<GgmlType, number>> = {
  [GgmlType.F16]: 5e-4, [GgmlType.BF16]: 4e-3, [GgmlType.Q8_0]: 0.01, [GgmlType.Q6_K]: 0.03,
  [GgmlType.Q5_0]: 0.065, [GgmlType.Q5_1]: 0.06, [GgmlType.Q5_K]: 0.055, [GgmlType.Q4_K]: 0.11,
  [GgmlType.Q4_0]: 0.13,
};

const PAIRS: [reference: string, quantized: string[]][] = [
  ['qwen2-pub-f32', ['qwen2-pub-f16', 'qwen2-pub-bf16', 'qwen2-pub-q8_0', 'qwen2-pub-q6_k', 'qwen2-pub-q5_0',
    'qwen2-pub-q4_k_m', 'qwen2-pub-q4_0']],
  // llama-pub's F32 source is not shipped; its F16 copy is 50x closer to it than any quant type
  ['llama-pub-f16', ['llama-pub-q8_0', 'llama-pub-q5_k_m', 'llama-pub-q4_k_m']],
];

function decode(file: GgufFile, info: GgufTensorInfo): Float32Array {
  const [cols, rows] = info.dims as [number, number];
  const out = new Float32Array(rows * cols);
  getRows(Weight.create(info.type, rows, cols, file.tensorData(info)), Int32Array.from({ length: rows }, (_, i) => i), out);
  return out;
}

function relativeRms(got: Float32Array, want: Float32Array): number {
  let error = 0;
  let norm = 0;
  for (let i = 0; i < want.length; i++) {
    error += (got[i]! - want[i]!) ** 2;
    norm += want[i]! ** 2;
  }
  return Math.sqrt(error / norm);
}

for (const [reference, quantized] of PAIRS) {
  const files = [reference, ...quantized].map((name) => `models/random/${name}.gguf`);
  const skip = files.map(sharedSkip).find((reason) => reason !== false) ?? false;
  test(`getRows decodes llama.cpp's tensors of ${quantized.join(', ')}`, { skip }, () => {
    const ref = openGguf(sharedPath(files[0]!));
    const refDecoded = new Map<string, Float32Array>();
    const seen = new Set<string>();
    try {
      for (const name of quantized) {
        const file = openGguf(sharedPath(`models/random/${name}.gguf`));
        try {
          for (const info of file.tensors.filter((t) => t.dims.length === 2)) {
            const refInfo = ref.tensor(info.name);
            assert.ok(refInfo, `${reference} has no ${info.name}`);
            if (!refDecoded.has(info.name)) refDecoded.set(info.name, decode(ref, refInfo));
            const error = relativeRms(decode(file, info), refDecoded.get(info.name)!);
            const limit = MAX_RELATIVE_RMS[info.type];
            assert.ok(limit !== undefined, `${name} ${info.name}: unexpected type ${ggmlTypeName(info.type)}`);
            assert.ok(error <= limit, `${name} ${info.name} (${ggmlTypeName(info.type)}): relative RMS error ${error.toFixed(4)} > ${limit}`);
            seen.add(ggmlTypeName(info.type));
          }
        } finally {
          file.close();
        }
      }
    } finally {
      ref.close();
    }
    assert.ok(seen.size >= 3, `types seen: ${[...seen].join(', ')}`);
  });
}
