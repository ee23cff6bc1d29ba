// Runs a check at every dispatch level this machine supports, and restores the best one after.
import { availableCpuLevels, cpuInfo, setCpuLevel, type CpuLevel } from '../../../src/kernels/native.js';

export const LEVELS: readonly CpuLevel[] = availableCpuLevels();

export function forEachLevel(check: (level: CpuLevel) => void): void {
  try {
    for (const level of LEVELS) {
      setCpuLevel(level);
      check(level);
    }
  } finally {
    setCpuLevel(cpuInfo().maxLevel);
  }
}
