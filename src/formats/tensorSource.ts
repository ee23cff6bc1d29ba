import type { GgmlType } from './ggmlTypes.js';
import type { GgufFile } from './gguf/types.js';
import type { SafetensorsFile } from './safetensors/types.js';

/** A tensor the model loader can use, whatever file format holds it. */
export interface TensorSource {
  name: string;
  type: GgmlType;
  /** ggml order: dims[0] is the contiguous (row) length */
  dims: number[];
  /** the stored bytes (read on demand; may be a fresh copy or a view of a mapped file) */
  data(): Uint8Array;
}

export function ggufTensorSources(file: GgufFile): Map<string, TensorSource> {
  return new Map(file.tensors.map((t) => [t.name, { name: t.name, type: t.type, dims: t.dims, data: () => file.tensorData(t) }]));
}

export function safetensorsTensorSources(file: SafetensorsFile): Map<string, TensorSource> {
  return new Map(file.tensors.map((t) => [t.name, { name: t.name, type: t.type, dims: t.dims, data: () => file.tensorData(t) }]));
}
