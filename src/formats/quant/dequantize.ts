import { blockLayout, GgmlType, ggmlTypeName } from '../ggmlTypes.js';
import { bf16ToF32, f16Table32 } from './halfFloat.js';
import { dequantQ4_K, dequantQ5_K, dequantQ6_K } from './kBlocks.js';
import { dequantQ2_K, dequantQ3_K } from './lowBitKBlocks.js';
import { dequantIQ4_NL, dequantIQ4_XS } from './iq4Blocks.js';
import { dequantQ4_0, dequantQ4_1, dequantQ5_0, dequantQ5_1, dequantQ8_0 } from './legacyBlocks.js';

type BlockDecoder = (b: Uint8Array, p: number, out: Float32Array, o: number) => void;

const BLOCK_DECODERS: Partial<Record<GgmlType, BlockDecoder>> = {
  [GgmlType.Q4_0]: dequantQ4_0,
  [GgmlType.Q4_1]: dequantQ4_1,
  [GgmlType.Q5_0]: dequantQ5_0,
  [GgmlType.Q5_1]: dequantQ5_1,
  [GgmlType.Q8_0]: dequantQ8_0,
  [GgmlType.Q2_K]: dequantQ2_K,
  [GgmlType.Q3_K]: dequantQ3_K,
  [GgmlType.Q4_K]: dequantQ4_K,
  [GgmlType.Q5_K]: dequantQ5_K,
  [GgmlType.Q6_K]: dequantQ6_K,
  [GgmlType.IQ4_NL]: dequantIQ4_NL,
  [GgmlType.IQ4_XS]: dequantIQ4_XS,
};

/** Types dequantize() accepts. */
export const DEQUANTIZABLE_TYPES: ReadonlySet<GgmlType> = new Set([
  GgmlType.F32, GgmlType.F16, GgmlType.BF16, ...(Object.keys(BLOCK_DECODERS).map(Number) as GgmlType[]),
]);

/**
 * Reference dequantization (ggml's block formulas) of the first `nElements` elements stored in
 * `bytes` as `type`. Returns a new array; `bytes` may be any (unaligned) view.
 */
export function dequantize(type: GgmlType, bytes: Uint8Array, nElements: number): Float32Array {
  const layout = blockLayout(type);
  if (!layout || !DEQUANTIZABLE_TYPES.has(type)) throw new Error(`dequantize: unsupported type ${ggmlTypeName(type)}`);
  if (!Number.isSafeInteger(nElements) || nElements < 0 || nElements % layout.blockElements !== 0) {
    throw new Error(`dequantize: ${nElements} elements is not a whole number of ${ggmlTypeName(type)} blocks (${layout.blockElements})`);
  }
  const blocks = nElements / layout.blockElements;
  if (bytes.length < blocks * layout.blockBytes) {
    throw new Error(`dequantize: ${nElements} ${ggmlTypeName(type)} elements need ${blocks * layout.blockBytes} bytes, got ${bytes.length}`);
  }
  const out = new Float32Array(nElements);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (type) {
    case GgmlType.F32:
      for (let i = 0; i < nElements; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    case GgmlType.F16: {
      const table = f16Table32();
      for (let i = 0; i < nElements; i++) out[i] = table[view.getUint16(2 * i, true)]!;
      return out;
    }
    case GgmlType.BF16:
      for (let i = 0; i < nElements; i++) out[i] = bf16ToF32(view.getUint16(2 * i, true));
      return out;
  }
  const decode = BLOCK_DECODERS[type]!;
  for (let i = 0; i < blocks; i++) decode(bytes, i * layout.blockBytes, out, i * layout.blockElements);
  return out;
}
