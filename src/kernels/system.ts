// Process-wide native settings: CPU level, threads, and file mapping.
import { constants } from 'node:buffer';
import { addon, type CpuInfo, type CpuLevel } from './addon.js';
import { checkDim } from './checks.js';

export type { CpuInfo, CpuLevel };

/**
 * Dispatch levels, lowest first. avx512bf16 is avx512 plus AVX512-BF16 and VNNI (Cooper Lake,
 * Sapphire Rapids, Zen 4 and later): the bf16-precision GEMM uses vdpbf16ps there. amx adds
 * AMX-BF16 tiles to that GEMM; it counts as supported on a CPU with AMX whose OS grants the tile
 * permission, unless FASTFILL_AMX=0.
 */
export const CPU_LEVELS: readonly CpuLevel[] = ['scalar', 'avx2', 'avx512', 'avx512bf16', 'amx'];

/** Detected CPU features, the active dispatch level and the thread count. */
export function cpuInfo(): CpuInfo {
  return addon().cpuInfo();
}

/** Levels this machine can run, lowest first (each can be chosen with setCpuLevel). */
export function availableCpuLevels(): CpuLevel[] {
  const max = CPU_LEVELS.indexOf(cpuInfo().maxLevel);
  return CPU_LEVELS.slice(0, max + 1);
}

/**
 * Runs the kernels at `level` from now on (at most the supported level). FASTFILL_CPU does the
 * same at load time; tests use this to cover every level in one process.
 */
export function setCpuLevel(level: CpuLevel): void {
  if (!CPU_LEVELS.includes(level)) throw new RangeError(`setCpuLevel: '${String(level)}' is not one of ${CPU_LEVELS.join(', ')}`);
  const max = cpuInfo().maxLevel;
  if (CPU_LEVELS.indexOf(level) > CPU_LEVELS.indexOf(max)) {
    throw new RangeError(`setCpuLevel: ${level} is above what this CPU supports (${max})`);
  }
  addon().setCpuLevel(level);
}

/** Threads the kernels use, the calling thread included (FASTFILL_THREADS sets the start value). */
export function setThreads(n: number): void {
  checkDim('setThreads', 'n', n, 1);
  if (n > 256) throw new RangeError(`setThreads: n must be at most 256, got ${n}`);
  addon().setThreads(n);
}

/** The largest ArrayBuffer this runtime creates (4 GiB on Node 20). */
const MAX_ARRAY_BUFFER_BYTES = Math.min(constants.MAX_LENGTH, Number.MAX_SAFE_INTEGER);

export interface FileRange {
  /** first byte (any value; the mapping itself starts at the page below) */
  offset: number;
  /** bytes from offset; default: to the end of the file */
  length?: number;
}

/**
 * Maps a file, or a byte range of it, privately (copy-on-write: writes to the buffer never reach
 * the file). The mapping is released when the ArrayBuffer is garbage-collected. One ArrayBuffer
 * holds at most buffer.constants.MAX_LENGTH bytes (4 GiB on Node 20): map bigger files in ranges.
 */
export function mapFile(path: string, range?: FileRange): ArrayBuffer {
  const fn = 'mapFile';
  if (typeof path !== 'string' || path.length === 0) throw new TypeError(`${fn}: path must be a non-empty string`);
  const offset = range?.offset ?? 0;
  const length = range?.length ?? -1;
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`${fn}: offset must be an integer >= 0, got ${offset}`);
  if (!Number.isSafeInteger(length) || length < -1) throw new RangeError(`${fn}: length must be an integer >= 0, got ${length}`);
  return addon().mapFile(path, offset, length, MAX_ARRAY_BUFFER_BYTES);
}

/**
 * Drops this process's resident pages of `view` when it lies inside a file mapped by mapFile (a no-op,
 * returning 0, for any other memory). The bytes stay readable: pages read again come back from the file.
 * For weights that will not be read again (packed into panels), so the mapped copy stops counting in RSS.
 * Returns the bytes released (whole pages inside the view).
 */
export function releaseMappedPages(view: Uint8Array): number {
  if (!(view instanceof Uint8Array)) throw new TypeError('releaseMappedPages: view must be a Uint8Array');
  return addon().releaseMappedPages(view);
}

/**
 * A zero-filled buffer of `bytes` bytes in native memory whose pages arrive on first touch, from 2 MiB on in
 * transparent huge pages: for big buffers filled piece by piece (the KV cache), where 4 KiB page faults are
 * slow on VMs. Freed when collected. At most buffer.constants.MAX_LENGTH bytes.
 */
export function allocateZeroed(bytes: number): ArrayBuffer {
  if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes > MAX_ARRAY_BUFFER_BYTES) {
    throw new RangeError(`allocateZeroed: bytes must be an integer in [0, ${MAX_ARRAY_BUFFER_BYTES}], got ${bytes}`);
  }
  return addon().allocateZeroed(bytes, MAX_ARRAY_BUFFER_BYTES);
}
