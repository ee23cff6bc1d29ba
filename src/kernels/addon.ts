// Loads the native addon once (build/Release/fastfill_native.node under the package root) and
// describes its raw functions. Nothing outside src/kernels/ calls these directly: the typed
// wrappers next to this file check every argument first.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PACKAGE_ROOT } from '../packageRoot.js';

export type CpuLevel = 'scalar' | 'avx2' | 'avx512' | 'avx512bf16' | 'amx';

export interface CpuInfo {
  /** Features usable by this process (CPU support and OS register state). */
  features: Record<string, boolean>;
  /** The dispatch level the kernels run at now. */
  level: CpuLevel;
  /** The highest level this CPU supports. */
  maxLevel: CpuLevel;
  threads: number;
}

export interface NativeAddon {
  version(): string;
  cpuInfo(): CpuInfo;
  setThreads(n: number): void;
  setCpuLevel(level: CpuLevel): void;
  mapFile(path: string, offset: number, length: number, maxLength: number): ArrayBuffer;
  releaseMappedPages(view: Uint8Array): number;
  allocateZeroed(bytes: number, maxLength: number): ArrayBuffer;
  /** The weight's GEMM panels (native memory), or null for a type without panels. precision: 0 F32, 1 BF16. */
  /** Writes the weight's panels to dest (64-byte aligned, exactly panelBytes bytes). precision: 0 F32, 1 BF16, 2 int8. */
  /** layout: 0 the precision's panels, 1 interleaved blocks (Q4_0 / Q5_0 / Q8_0 / Q4_K / Q5_K / Q6_K at int8). */
  packWeight(data: Uint8Array, type: number, rows: number, cols: number, precision: number, dest: Uint8Array,
    layout?: number): void;
  panelBytes(type: number, rows: number, cols: number, precision: number, layout?: number): number;
  matmul(x: Float32Array, m: number, data: Uint8Array, type: number, rows: number, cols: number, out: Float32Array,
    bias: Float32Array | null, panels?: Uint8Array | null, precision?: number, gate?: Float32Array | null,
    layout?: number): void;
  /** matmulGroup(x, m, then per part: data, type, rows, cols, out, bias | null, panels | null, precision, layout). */
  matmulGroup(x: Float32Array, m: number, ...parts: unknown[]): void;
  getRows(data: Uint8Array, type: number, rows: number, cols: number, ids: Int32Array, out: Float32Array,
    panels?: Uint8Array | null, precision?: number, layout?: number): void;
  rmsNorm(x: Float32Array, rows: number, cols: number, weight: Float32Array, eps: number, out: Float32Array): void;
  addRmsNorm(x: Float32Array, delta: Float32Array, rows: number, cols: number, weight: Float32Array, eps: number,
    out: Float32Array): void;
  rope(x: Float32Array, tokens: number, heads: number, headDim: number, ropeDim: number, positions: Int32Array,
    freqBase: number, neox: boolean, freqFactors: Float32Array | null): void;
  ropeTable(positions: Int32Array, ropeDim: number, freqBase: number, freqFactors: Float32Array | null, out: Float32Array): void;
  ropeWithTable(x: Float32Array, tokens: number, heads: number, headDim: number, ropeDim: number, table: Float32Array,
    neox: boolean): void;
  siluMul(gate: Float32Array, up: Float32Array, out: Float32Array): void;
  add(a: Float32Array, b: Float32Array, out: Float32Array): void;
  scale(x: Float32Array, factor: number, out: Float32Array): void;
  addBias(x: Float32Array, rows: number, cols: number, bias: Float32Array): void;
  kvWrite(kCache: Float32Array | Uint16Array, vCache: Float32Array | Uint16Array, k: Float32Array, v: Float32Array, slots: Int32Array,
    nKvHeads: number, headDim: number, kvType: number): void;
  attention(q: Float32Array, out: Float32Array, kCache: Float32Array | Uint16Array, vCache: Float32Array | Uint16Array,
    qPositions: Int32Array,
    tiles: Int32Array, keyBlocks: Int32Array, nHeads: number, nKvHeads: number, headDim: number, blockSize: number,
    scale: number, precision: number, kvType: number): void;
}

export const ADDON_RELATIVE_PATH = path.join('build', 'Release', 'fastfill_native.node');

let loaded: NativeAddon | undefined;

/** The addon, loaded on first use; throws a clear error when it was not built. */
export function addon(): NativeAddon {
  if (loaded) return loaded;
  const root = PACKAGE_ROOT;
  const file = path.join(root, ADDON_RELATIVE_PATH);
  if (!existsSync(file)) {
    throw new Error(`native addon ${file} is missing: run \`npm install\` (or \`npx node-gyp rebuild\`) in ${root}`);
  }
  loaded = createRequire(import.meta.url)(file) as NativeAddon;
  return loaded;
}
