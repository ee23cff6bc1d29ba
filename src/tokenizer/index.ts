export type { Tokenizer, EncodeOptions, DecodeOptions, DecodeStream } from './types.js';
export { TokenType } from './types.js';
export { tokenizerFromGgufMetadata, loadGgufTokenizer } from './ggufTokenizer.js';
export { loadTokenizer } from './load.js';
export { tokenizerFromHfFolder } from './hfFolder.js';
