// One benchmark result as a plain record (the --json line), and llama-bench style table rows.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ggmlTypeName } from '../../formats/ggmlTypes.js';
import type { ModelFiles } from '../../model/load.js';
import { mean, median, stddev } from './stats.js';

export type RssScope = 'test' | 'cumulative';

export interface ModelFacts {
  /** file name */
  model: string;
  architecture: string;
  /** type of the layer matrices, e.g. F16 */
  type: string;
  params: number;
  size_bytes: number;
}

export interface BenchRecord extends ModelFacts {
  engine: string;
  test: string;
  /** median over the repetitions */
  tokens_per_s: number;
  tokens_per_s_mean: number;
  stddev: number;
  samples: number[];
  /** peak resident memory in MiB (a high-water mark, see peakRssMb and rss_scope) */
  peak_rss_mb: number;
  /** 'test': measured in a fresh process per test; 'cumulative': the process's peak up to this test */
  rss_scope: RssScope;
  threads: number;
  reps: number;
  chunk: number;
  backend: string;
}

export function modelFacts(files: ModelFiles): ModelFacts {
  let params = 0;
  for (const t of files.tensors.values()) params += t.dims.reduce((a, b) => a * b, 1);
  return {
    model: path.basename(files.path),
    architecture: files.config.architecture,
    type: matrixTypes(files),
    params,
    size_bytes: statSync(files.path).size,
  };
}

/**
 * This process's peak resident set in MiB: VmHWM from /proc/self/status where there is one, else
 * process.resourceUsage().maxRSS. On Linux maxRSS is not this process's own figure: it carries over the
 * high-water mark of the memory a child inherited at fork (the parent's resident anonymous pages), so a
 * child spawned by a big parent reports at least the parent's size. VmHWM belongs to the address space
 * the process got at exec.
 */
export function peakRssMb(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // no procfs: fall back
  }
  return process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
}

export function summarize(samples: number[]): Pick<BenchRecord, 'tokens_per_s' | 'tokens_per_s_mean' | 'stddev' | 'samples'> {
  return { tokens_per_s: median(samples), tokens_per_s_mean: mean(samples), stddev: stddev(samples), samples };
}

const COLUMNS = ['model', 'size', 'params', 'backend', 'threads', 'test', 't/s (median ± sd)', 'peak RSS'];

export function tableHeader(): string {
  return `| ${COLUMNS.join(' | ')} |\n|${COLUMNS.map(() => ' --- ').join('|')}|`;
}

export function tableRow(r: BenchRecord): string {
  const cells = [
    `${r.architecture} ${formatCount(r.params)} ${r.type}`,
    `${(r.size_bytes / 2 ** 30).toFixed(2)} GiB`,
    formatCount(r.params),
    r.backend,
    String(r.threads),
    r.test,
    `${r.tokens_per_s.toFixed(2)} ± ${r.stddev.toFixed(2)}`,
    `${r.peak_rss_mb.toFixed(0)} MiB${r.rss_scope === 'cumulative' ? ' (cum.)' : ''}`,
  ];
  return `| ${cells.join(' | ')} |`;
}

export function formatCount(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(2)} B` : `${(n / 1e6).toFixed(2)} M`;
}

/** The matrices' type, or for a mixture (Q4_K_M) their types by how many matrices have each: 'Q5_0/Q8_0/Q4_K/Q6_K'. */
function matrixTypes(files: ModelFiles): string {
  const counts = new Map<string, number>();
  for (const t of files.tensors.values()) {
    if (t.dims.length >= 2) counts.set(ggmlTypeName(t.type), (counts.get(ggmlTypeName(t.type)) ?? 0) + 1);
  }
  if (counts.size === 0) return '?';
  return [...counts].sort((a, b) => b[1] - a[1]).map(([name]) => name).join('/');
}
