// What machine a benchmark ran on: CPU model and the instruction-set flags that matter for the kernels.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { cpuInfo } from '../../kernels/native.js';

const INTERESTING_FLAGS = ['avx2', 'fma', 'f16c', 'avx512f', 'avx512bw', 'avx512vl', 'avx512_vnni', 'avx512_bf16',
  'avx512_fp16', 'amx_tile', 'amx_bf16', 'amx_int8'];

export interface MachineInfo {
  cpuModel: string;
  /** the interesting flags /proc/cpuinfo lists */
  flags: string[];
  logicalCpus: number;
  memoryGiB: number;
  node: string;
  /** Fastfill's kernel dispatch level here */
  kernelLevel: string;
}

export function machineInfo(): MachineInfo {
  let flags: string[] = [];
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'));
    const all = new Set((line?.split(':')[1] ?? '').trim().split(/\s+/));
    flags = INTERESTING_FLAGS.filter((f) => all.has(f));
  } catch {
    // not Linux: leave the flags empty
  }
  return {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    flags,
    logicalCpus: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    kernelLevel: cpuInfo().level,
  };
}
