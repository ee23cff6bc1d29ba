// llama.cpp's Q4_K_M mixture (llama-quantize ... Q4_K_M, general.file_type 15): which type each weight
// matrix gets. The rules of llama_tensor_get_type_impl and tensor_type_fallback (src/llama-quant.cpp) for
// a dense (no experts), non-Falcon model without an importance matrix:
// - output.weight, or token_embd.weight when there is no output.weight (tied): Q8_0 when its rows are not
//   a multiple of 256, else Q6_K;
// - attn_v and ffn_down: Q6_K in the "more bits" layers (useMoreBits), else Q4_K;
// - every other matrix: Q4_K;
// - then, rows that are not a whole number of blocks fall back: Q4_K -> Q5_0, Q6_K -> Q8_0, and F16
//   when even 32 does not divide them.
// Like llama.cpp, the layer of an attn_v (ffn_down) is its position among the attn_v (ffn_down) tensors in
// file order; the number of attn_v tensors and the layer count are the totals.
import { blockLayout, GgmlType } from '../../formats/ggmlTypes.js';

export const Q4_K_M_FILE_TYPE = 15; // LLAMA_FTYPE_MOSTLY_Q4_K_M

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

/** The quantized tensors of `tensors` (in file order) and their Q4_K_M types; others are kept as they are. */
export function q4KMTypes(tensors: readonly MixtureTensor[], numLayers: number): Map<string, GgmlType> {
  const tied = !tensors.some((t) => t.name === 'output.weight');
  const attnVCount = tensors.filter((t) => isAttnV(t.name)).length;
  let attnV = 0;
  let ffnDown = 0;
  const types = new Map<string, GgmlType>();
  for (const t of tensors) {
    if (!isQuantized(t)) continue;
    const rowLength = t.dims[0]!;
    let type = GgmlType.Q4_K;
    if (t.name === 'output.weight' || (tied && t.name === 'token_embd.weight')) {
      type = rowLength % 256 !== 0 ? GgmlType.Q8_0 : GgmlType.Q6_K;
    } else if (isAttnV(t.name)) {
      if (useMoreBits(attnV++, attnVCount)) type = GgmlType.Q6_K;
    } else if (/\.ffn_down\.weight$/.test(t.name)) {
      if (useMoreBits(ffnDown++, numLayers)) type = GgmlType.Q6_K;
    }
    types.set(t.name, fallback(type, rowLength));
  }
  return types;
}

function isAttnV(name: string): boolean {
  return /\.attn_v\.weight$/.test(name);
}

function fallback(type: GgmlType, rowLength: number): GgmlType {
  if (rowLength % blockLayout(type)!.blockElements === 0) return type;
  const next = type === GgmlType.Q4_K ? GgmlType.Q5_0 : type === GgmlType.Q6_K ? GgmlType.Q8_0 : type;
  return rowLength % blockLayout(next)!.blockElements === 0 ? next : GgmlType.F16;
}
