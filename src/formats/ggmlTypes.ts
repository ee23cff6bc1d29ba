// Tensor element types shared by every format. Ids are ggml's (the numbers GGUF stores), so a
// safetensors F16 tensor and a GGUF F16 tensor carry the same type and reach the same kernels.

export enum GgmlType {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  IQ4_NL = 20,
  IQ4_XS = 23,
  I8 = 24,
  I16 = 25,
  I32 = 26,
  I64 = 27,
  F64 = 28,
  BF16 = 30,
}

export interface BlockLayout {
  /** elements per block */
  blockElements: number;
  /** bytes per block */
  blockBytes: number;
}

const LAYOUTS: Partial<Record<GgmlType, BlockLayout>> = {
  [GgmlType.F32]: { blockElements: 1, blockBytes: 4 },
  [GgmlType.F16]: { blockElements: 1, blockBytes: 2 },
  [GgmlType.BF16]: { blockElements: 1, blockBytes: 2 },
  [GgmlType.F64]: { blockElements: 1, blockBytes: 8 },
  [GgmlType.I8]: { blockElements: 1, blockBytes: 1 },
  [GgmlType.I16]: { blockElements: 1, blockBytes: 2 },
  [GgmlType.I32]: { blockElements: 1, blockBytes: 4 },
  [GgmlType.I64]: { blockElements: 1, blockBytes: 8 },
  [GgmlType.Q4_0]: { blockElements: 32, blockBytes: 18 },
  [GgmlType.Q4_1]: { blockElements: 32, blockBytes: 20 },
  [GgmlType.Q5_0]: { blockElements: 32, blockBytes: 22 },
  [GgmlType.Q5_1]: { blockElements: 32, blockBytes: 24 },
  [GgmlType.Q8_0]: { blockElements: 32, blockBytes: 34 },
  [GgmlType.Q8_1]: { blockElements: 32, blockBytes: 36 },
  [GgmlType.Q2_K]: { blockElements: 256, blockBytes: 84 },
  [GgmlType.Q3_K]: { blockElements: 256, blockBytes: 110 },
  [GgmlType.Q4_K]: { blockElements: 256, blockBytes: 144 },
  [GgmlType.Q5_K]: { blockElements: 256, blockBytes: 176 },
  [GgmlType.Q6_K]: { blockElements: 256, blockBytes: 210 },
  [GgmlType.Q8_K]: { blockElements: 256, blockBytes: 292 },
  [GgmlType.IQ4_NL]: { blockElements: 32, blockBytes: 18 },
  [GgmlType.IQ4_XS]: { blockElements: 256, blockBytes: 136 },
};

/** Types the model runner can compute with (weights). Others may be read but not run. */
export const COMPUTE_TYPES: ReadonlySet<GgmlType> = new Set([
  GgmlType.F32, GgmlType.F16, GgmlType.BF16,
  GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0,
  GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.IQ4_NL, GgmlType.IQ4_XS,
]);

export function ggmlTypeName(type: number): string {
  const name = (GgmlType as unknown as Record<number, string>)[type];
  return name ?? `unknown type ${type}`;
}

/** The block layout of a type, or undefined for a type id this project does not know. */
export function blockLayout(type: number): BlockLayout | undefined {
  return LAYOUTS[type as GgmlType];
}

/**
 * Bytes taken by a row of `elements` elements; throws when the row is not a whole number of blocks
 * (callers turn that into a format error naming the file and tensor).
 */
export function rowBytes(type: GgmlType, elements: number): number {
  const layout = blockLayout(type);
  if (!layout) throw new Error(`unsupported tensor type ${ggmlTypeName(type)}`);
  if (elements % layout.blockElements !== 0) {
    throw new Error(`row of ${elements} elements is not a multiple of the ${ggmlTypeName(type)} block (${layout.blockElements})`);
  }
  return (elements / layout.blockElements) * layout.blockBytes;
}
