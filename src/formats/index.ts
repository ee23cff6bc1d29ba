// Model file formats: GGUF, safetensors, Hugging Face folders, and reference (de)quantization.
export { ModelFormatError } from './errors.js';
export { fileByteSource, memoryByteSource, type ByteSource } from './byteSource.js';
export { ggufTensorSources, safetensorsTensorSources, type TensorSource } from './tensorSource.js';
export * from './gguf/index.js';
export * from './safetensors/index.js';
export { openHfFolder, type HfFolder } from './hf/folder.js';
export { dequantize, DEQUANTIZABLE_TYPES } from './quant/dequantize.js';
export { quantizeQ4_0, quantizeQ8_0 } from './quant/quantize.js';
export { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from './quant/halfFloat.js';
