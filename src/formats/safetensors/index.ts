export * from './types.js';
export { type SafetensorsDtype } from './dtypes.js';
export { openSafetensors, openSafetensorsSource } from './reader.js';
export { writeSafetensors, type SafetensorsTensorToWrite } from './writer.js';
