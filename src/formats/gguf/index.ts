export * from './types.js';
export { openGguf, openGgufSource, type OpenGgufOptions } from './reader.js';
export * from './metaGetters.js';
export { writeGguf, gguf, type GgufToWrite, type GgufTensorToWrite } from './writer.js';
