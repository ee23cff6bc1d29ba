import { GgmlType } from '../ggmlTypes.js';

/** The safetensors dtypes this project reads and writes. */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16';

export const DTYPES: Readonly<Record<SafetensorsDtype, { type: GgmlType; bytes: number }>> = {
  F32: { type: GgmlType.F32, bytes: 4 },
  F16: { type: GgmlType.F16, bytes: 2 },
  BF16: { type: GgmlType.BF16, bytes: 2 },
};

/** Other dtypes of the safetensors format (named in errors as unsupported rather than unknown). */
export const OTHER_DTYPES: ReadonlySet<string> = new Set([
  'BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'F8_E8M0', 'F4', 'F6_E2M3', 'F6_E3M2', 'I16', 'U16', 'I32', 'U32', 'F64', 'I64', 'U64',
]);

export function isSupportedDtype(d: unknown): d is SafetensorsDtype {
  return typeof d === 'string' && Object.prototype.hasOwnProperty.call(DTYPES, d);
}
