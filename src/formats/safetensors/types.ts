import type { GgmlType } from '../ggmlTypes.js';
import type { SafetensorsDtype } from './dtypes.js';

export interface SafetensorsTensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  type: GgmlType;
  /** PyTorch order, as stored (row-major, last dimension contiguous) */
  shape: number[];
  /** ggml order: the reverse of shape (a scalar, shape [], has dims [1]) */
  dims: number[];
  /** absolute byte offset in the file */
  offset: number;
  byteLength: number;
}

export interface SafetensorsFile {
  path: string;
  /** the header's __metadata__ (string to string), empty when absent */
  metadata: Record<string, string>;
  /** absolute offset of the data buffer (8 + header length) */
  dataOffset: number;
  tensors: SafetensorsTensorInfo[];
  tensor(name: string): SafetensorsTensorInfo | undefined;
  /** the tensor's bytes, read on demand */
  tensorData(info: SafetensorsTensorInfo): Uint8Array;
  close(): void;
}
