// The typed boundary to the native kernels: every function checks its arguments (types,
// lengths against shapes, index ranges) before C++ sees them, and throws a clear Error.
export type { CpuInfo, CpuLevel } from './addon.js';
export { allocateZeroed, availableCpuLevels, CPU_LEVELS, cpuInfo, mapFile, releaseMappedPages, setCpuLevel, setThreads, type FileRange } from './system.js';
export { defaultPrecision, INT8_LAYOUTS, int8LayoutOf, INT8_TYPES, INTERLEAVED_TYPES, interleavesByDefault, PANEL_TYPES, panelBytes, panelLayout, PRECISIONS, readsOnlyPanelsWhenPacked, STORED_INT8_PANEL_TYPES, storesPanels, Weight, type Int8Layout, type PanelLayout, type Precision, type WeightOptions } from './weight.js';
export { PanelArena } from './panelArena.js';
export { getRows, matmul, matmulGroup, matmulSiluGated, type MatmulPart } from './linear.js';
export { add, addBias, addRmsNorm, rmsNorm, scale, siluMul } from './elementwise.js';
export { rope, ropeTable, ropeWithTable, type RopeTable } from './rope.js';
export { ATTENTION_PRECISIONS, attention, kvWrite, type AttentionArgs, type AttentionPrecision, type KvCacheArray, type KvCacheType, KV_CACHE_TYPES } from './attention.js';
