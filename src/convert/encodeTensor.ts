// Re-encodes F32 values into a target weight type.
import { GgmlType } from '../formats/ggmlTypes.js';
import { f32ToBf16, f32ToF16 } from '../formats/quant/halfFloat.js';
import {
  quantizeIQ4_NL, quantizeIQ4_XS, quantizeQ2_K, quantizeQ3_K, quantizeQ4_0, quantizeQ4_K, quantizeQ5_0, quantizeQ5_1, quantizeQ5_K, quantizeQ6_K,
  quantizeQ8_0,
} from '../formats/quant/quantize.js';

export const TARGET_TYPES = { F32: GgmlType.F32, F16: GgmlType.F16, BF16: GgmlType.BF16, Q8_0: GgmlType.Q8_0, Q4_0: GgmlType.Q4_0 } as const;
export type TargetTypeName = keyof typeof TARGET_TYPES;

export function encodeF32(values: Float32Array, type: GgmlType): Uint8Array {
  switch (type) {
    case GgmlType.F32:
      return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
    case GgmlType.F16:
    case GgmlType.BF16: {
      const toHalf = type === GgmlType.F16 ? f32ToF16 : f32ToBf16;
      const out = new Uint16Array(values.length);
      for (let i = 0; i < values.length; i++) out[i] = toHalf(values[i]!);
      return new Uint8Array(out.buffer);
    }
    case GgmlType.Q8_0:
      return quantizeQ8_0(values);
    case GgmlType.Q4_0:
      return quantizeQ4_0(values);
    case GgmlType.Q5_0:
      return quantizeQ5_0(values);
    case GgmlType.Q5_1:
      return quantizeQ5_1(values);
    case GgmlType.Q4_K:
      return quantizeQ4_K(values);
    case GgmlType.Q5_K:
      return quantizeQ5_K(values);
    case GgmlType.Q6_K:
      return quantizeQ6_K(values);
    case GgmlType.Q3_K:
      return quantizeQ3_K(values);
    case GgmlType.Q2_K:
      return quantizeQ2_K(values);
    case GgmlType.IQ4_NL:
      return quantizeIQ4_NL(values);
    case GgmlType.IQ4_XS:
      return quantizeIQ4_XS(values);
    default:
      throw new Error(`cannot encode tensors as type ${type}`);
  }
}
