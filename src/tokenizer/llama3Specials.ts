/** Size of the Llama 3 BPE vocabulary (tiktoken ranks) before its special tokens. */
export const LLAMA3_BASE_VOCAB = 128_000;

/**
 * The 256 special tokens Meta's Llama 3 tokenizer appends at 128000..128255, with the names of
 * Llama 3.1+ (3.0 calls 128004/128008/128010 reserved tokens; the ids that matter are the same).
 */
export function llama3SpecialTokens(): string[] {
  const named: Record<number, string> = {
    0: '<|begin_of_text|>',
    1: '<|end_of_text|>',
    4: '<|finetune_right_pad_id|>',
    6: '<|start_header_id|>',
    7: '<|end_header_id|>',
    8: '<|eom_id|>',
    9: '<|eot_id|>',
    10: '<|python_tag|>',
  };
  const out: string[] = [];
  let reserved = 0;
  for (let i = 0; i < 256; i++) out.push(named[i] ?? `<|reserved_special_token_${reserved++}|>`);
  return out;
}
