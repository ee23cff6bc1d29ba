/**
 * Tokenizers as llama.cpp and Hugging Face run them: SentencePiece BPE (scores, byte fallback),
 * byte-level BPE (GPT-2 byte mapping, named pre-tokenizer regexes, merges or tiktoken ranks) and
 * WordPiece, loaded from GGUF metadata, tokenizer.json, vocab.json + merges.txt, or tokenizer.model.
 */
export type { Tokenizer, EncodeOptions, DecodeOptions, DecodeStream } from './types.js';
export { TokenType } from './types.js';
export { tokenizerFromGgufMetadata, loadGgufTokenizer } from './ggufTokenizer.js';
export { loadTokenizer } from './load.js';
export { tokenizerFromHfFolder } from './hfFolder.js';
