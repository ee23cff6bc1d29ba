// llama.cpp's K-quant mixtures (llama-quantize ... Q2_K / Q3_K_M / Q4_K_M / Q5_K_M / Q6_K / IQ4_XS): which type each
// weight matrix gets. The rules of llama_tensor_get_type_impl and tensor_type_fallback (src/llama-quant.cpp) for a dense (no
// experts), non-Falcon model without an importance matrix:
// - output.weight, or token_embd.weight when there is no output.weight (tied): Q8_0 when its rows are not a multiple
//   of the mixture's base type's block, else Q6_K;
// - attn_v: Q2_K: Q4_K when 4 or more query heads share a KV head, else Q3_K; Q3_K_M: Q5_K in the first two layers,
//   else Q4_K; Q4_K_M and Q5_K_M: Q6_K in the "more bits" layers (useMoreBits); IQ4_XS: Q5_K when 4 or more query
//   heads share a KV head;
// - ffn_down: Q2_K: Q3_K; Q3_K_M: Q5_K in the first sixteenth of the layers, else Q4_K; Q4_K_M and Q5_K_M: Q6_K in
//   the "more bits" layers; IQ4_XS: Q5_K in the first eighth of the layers;
// - attn_output: Q2_K: Q3_K; Q3_K_M: Q4_K;
// - every other matrix: the base type (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_XS);
// - then, rows that are not a whole number of blocks fall back: Q2_K, Q3_K and IQ4_XS -> IQ4_NL, Q4_K -> Q5_0,
//   Q5_K -> Q5_1, Q6_K -> Q8_0, and F16 when even 32 does not divide them.
// Like llama.cpp, the layer of an attn_v (ffn_down) is its position among the attn_v (ffn_down) tensors in file
// order; the number of attn_v tensors and the layer count are the totals.
import { blockLayout, GgmlType } from '../../formats/ggmlTypes.js';

export type KQuantMixture = 'Q2_K' | 'Q3_K_M' | 'Q4_K_M' | 'Q5_K_M' | 'Q6_K' | 'IQ4_XS';

/** llama.cpp's general.file_type (LLAMA_FTYPE_MOSTLY_*) of each mixture */
export const MIXTURE_FILE_TYPE: Record<KQuantMixture, number> = { Q2_K: 10, Q3_K_M: 12, Q4_K_M: 15, Q5_K_M: 17, Q6_K: 18, IQ4_XS: 30 };

const BASE_TYPE: Record<KQuantMixture, GgmlType> = {
  Q2_K: GgmlType.Q2_K, Q3_K_M: GgmlType.Q3_K, Q4_K_M: GgmlType.Q4_K, Q5_K_M: GgmlType.Q5_K, Q6_K: GgmlType.Q6_K,
  IQ4_XS: GgmlType.IQ4_XS,
};

export interface MixtureTensor {
  name: string;
  /** ggml order: dims[0] is the row length */
  dims: readonly number[];
}

/** The first and last eighth of the layers and every third layer between them. C integer arithmetic. */
export function useMoreBits(layer: number, layers: number): boolean {
  const eighth = Math.trunc(layers / 8);
  return layer < eighth || layer >= Math.trunc((7 * layers) / 8) || (layer - eighth) % 3 === 2;
}

/** Matrices llama-quantize quantizes: 2-D or more, named *weight, not a norm. */
function isQuantized(t: MixtureTensor): boolean {
  return t.dims.length >= 2 && t.name.endsWith('weight') && !t.name.includes('_norm.weight');
}

/**
 * The quantized tensors of `tensors` (in file order) and their types in `mixture`; others are kept as they are.
 * `gqa`: query heads per KV head.
 */
export function kQuantMixtureTypes(mixture: KQuantMixture, tensors: readonly MixtureTensor[], numLayers: number,
  gqa: number): Map<string, GgmlType> {
  const base = BASE_TYPE[mixture];
  const tied = !tensors.some((t) => t.name === 'output.weight');
  const attnVCount = tensors.filter((t) => kindOf(t.name) === 'attn_v').length;
  let attnV = 0;
  let ffnDown = 0;
  const types = new Map<string, GgmlType>();
  for (const t of tensors) {
    if (!isQuantized(t)) continue;
    const rowLength = t.dims[0]!;
    let type = base;
    const kind = kindOf(t.name);
    if (t.name === 'output.weight' || (tied && t.name === 'token_embd.weight')) {
      type = rowLength % blockLayout(base)!.blockElements !== 0 ? GgmlType.Q8_0 : GgmlType.Q6_K;
    } else if (kind === 'attn_v') {
      type = attnVType(mixture, attnV++, attnVCount, gqa) ?? base;
    } else if (kind === 'ffn_down') {
      type = ffnDownType(mixture, ffnDown++, numLayers) ?? base;
    } else if (kind === 'attn_output') {
      type = ATTN_OUTPUT_TYPE[mixture] ?? base;
    }
    types.set(t.name, fallback(type, rowLength));
  }
  return types;
}

const ATTN_OUTPUT_TYPE: Partial<Record<KQuantMixture, GgmlType>> = { Q2_K: GgmlType.Q3_K, Q3_K_M: GgmlType.Q4_K };

function attnVType(mixture: KQuantMixture, layer: number, count: number, gqa: number): GgmlType | undefined {
  if (mixture === 'Q2_K') return gqa >= 4 ? GgmlType.Q4_K : GgmlType.Q3_K;
  if (mixture === 'IQ4_XS') return gqa >= 4 ? GgmlType.Q5_K : undefined;
  if (mixture === 'Q3_K_M') return layer < 2 ? GgmlType.Q5_K : GgmlType.Q4_K;
  if (mixture === 'Q4_K_M' || mixture === 'Q5_K_M') return useMoreBits(layer, count) ? GgmlType.Q6_K : undefined;
  return undefined;
}

function ffnDownType(mixture: KQuantMixture, layer: number, layers: number): GgmlType | undefined {
  if (mixture === 'Q2_K') return GgmlType.Q3_K;
  if (mixture === 'IQ4_XS') return layer < Math.trunc(layers / 8) ? GgmlType.Q5_K : undefined;
  if (mixture === 'Q3_K_M') return layer < Math.trunc(layers / 16) ? GgmlType.Q5_K : GgmlType.Q4_K;
  if (mixture === 'Q4_K_M' || mixture === 'Q5_K_M') return useMoreBits(layer, layers) ? GgmlType.Q6_K : undefined;
  return undefined;
}

function kindOf(name: string): string | undefined {
  return /\.(attn_v|ffn_down|attn_output)\.weight$/.exec(name)?.[1];
}

const FALLBACK: Partial<Record<GgmlType, GgmlType>> = {
  [GgmlType.Q2_K]: GgmlType.IQ4_NL, [GgmlType.IQ4_XS]: GgmlType.IQ4_NL, [GgmlType.Q3_K]: GgmlType.IQ4_NL, [GgmlType.Q4_K]: GgmlType.Q5_0, [GgmlType.Q5_K]: GgmlType.Q5_1, [GgmlType.Q6_K]: GgmlType.Q8_0,
};

function fallback(type: GgmlType, rowLength: number): GgmlType {
  if (rowLength % blockLayout(type)!.blockElements === 0) return type;
  const next = FALLBACK[type] ?? type;
  return rowLength % blockLayout(next)!.blockElements === 0 ? next : GgmlType.F16;
}
