// A weight matrix as the kernels see it: `rows` output features of `cols` input elements each,
// every row a run of whole ggml blocks of `type`.
import { blockLayout, COMPUTE_TYPES, GgmlType, ggmlTypeName, rowBytes } from '../formats/ggmlTypes.js';
import { checkDim } from './checks.js';

export class Weight {
  private constructor(
    readonly type: GgmlType,
    /** N: output features */
    readonly rows: number,
    /** K: input elements per row */
    readonly cols: number,
    /** rows * rowBytes(type, cols) bytes; kept by reference (a view into a mapped file is fine). */
    readonly data: Uint8Array,
  ) {}

  static create(type: GgmlType, rows: number, cols: number, data: Uint8Array): Weight {
    const fn = 'Weight.create';
    if (!COMPUTE_TYPES.has(type)) throw new RangeError(`${fn}: ${ggmlTypeName(type)} is not a type the kernels compute with`);
    checkDim(fn, 'rows', rows, 0);
    checkDim(fn, 'cols', cols, 1);
    const block = blockLayout(type)!.blockElements;
    if (cols % block !== 0) {
      throw new RangeError(`${fn}: cols ${cols} is not a multiple of the ${ggmlTypeName(type)} block size ${block}`);
    }
    if (!(data instanceof Uint8Array)) throw new TypeError(`${fn}: data must be a Uint8Array`);
    const expected = rows * rowBytes(type, cols);
    if (data.byteLength !== expected) {
      throw new RangeError(`${fn}: data has ${data.byteLength} bytes, expected ${rows} rows of ` +
        `${rowBytes(type, cols)} bytes (${ggmlTypeName(type)}, ${cols} columns) = ${expected}`);
    }
    return new Weight(type, rows, cols, data);
  }
}
