// Runs a check at a dispatch level, or at every level this machine supports, and restores the best one after.
import { availableCpuLevels, cpuInfo, setCpuLevel, type CpuLevel } from '../../../src/kernels/native.js';

export const LEVELS: readonly CpuLevel[] = availableCpuLevels();

export function atLevel(level: CpuLevel, check: () => void): void {
  try {
    setCpuLevel(level);
    check();
  } finally {
    setCpuLevel(cpuInfo().maxLevel);
  }
}

export function forEachLevel(check: (level: CpuLevel) => void): void {
  for (const level of LEVELS) atLevel(level, () => check(level));
}
