// Process-wide native settings: CPU level, threads, and file mapping.
import { addon, type CpuInfo, type CpuLevel } from './addon.js';
import { checkDim } from './checks.js';

export type { CpuInfo, CpuLevel };

export const CPU_LEVELS: readonly CpuLevel[] = ['scalar', 'avx2', 'avx512'];

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

/**
 * Maps a whole file privately (copy-on-write: writes to the buffer never reach the file). The
 * mapping is released when the ArrayBuffer is garbage-collected.
 */
export function mapFile(path: string): ArrayBuffer {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError('mapFile: path must be a non-empty string');
  return addon().mapFile(path);
}
