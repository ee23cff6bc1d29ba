import { TokenType } from './types.js';
import type { Vocab } from './vocab.js';

/**
 * Token texts that end generation (llama.cpp's list in llama_vocab::load, which picks EOG tokens
 * by text because model files rarely say which they are).
 */
export const EOG_TEXTS: readonly string[] = [
  '<|eot_id|>', '<|im_end|>', '<|end|>', '<|return|>', '<|call|>', '<end_of_turn>', '<|endoftext|>',
  '<|eom_id|>', '<EOT>', '_<EOT>', '[EOT]', '<|end_of_text|>', '<end_of_utterance>',
  '<｜end▁of▁sentence｜>',
];

/** FIM pad / repo / file-separator tokens also end generation in llama.cpp (first found of each). */
const FIM_END_TEXTS: readonly (readonly string[])[] = [
  ['<|fim_pad|>', '<fim-pad>', '<fim_pad>', '<PAD>'],
  ['<|fim_repo|>', '<|repo_name|>', '<fim-repo>', '<REPO>', '<reponame>'],
  ['<|file_sep|>'],
];

/**
 * The end-of-generation ids: EOS, the given extras (EOT/EOM from metadata, HF generation config)
 * and the tokens named above. llama.cpp also marks those tokens as control tokens, which
 * markEogTokensControl does for vocabularies read from GGUF.
 */
export function eogIdsFor(vocab: Vocab, eosId: number | undefined, extra: Iterable<number | undefined> = []): Set<number> {
  const ids = new Set<number>();
  for (const id of [eosId, ...extra]) if (id !== undefined) ids.add(id);
  for (const text of EOG_TEXTS) {
    const id = vocab.id(text);
    if (id !== undefined) ids.add(id);
  }
  for (const group of FIM_END_TEXTS) {
    const id = group.map((t) => vocab.id(t)).find((x) => x !== undefined);
    if (id !== undefined) ids.add(id);
  }
  // gpt-oss (o200k_harmony) ends with <|return|>/<|call|>; its <|end|> only ends a message
  const end = vocab.id('<|end|>');
  if (end !== undefined && vocab.id('<|return|>') !== undefined && vocab.id('<|call|>') !== undefined) ids.delete(end);
  return ids;
}

/** llama.cpp turns the EOG tokens it finds by text into control tokens (they are, in every model). */
export function markControl(vocab: Vocab, ids: Iterable<number>): void {
  for (const id of ids) {
    const t = vocab.types[id];
    if (t === TokenType.Normal || t === TokenType.UserDefined) vocab.types[id] = TokenType.Control;
  }
}
