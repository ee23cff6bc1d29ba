// The side-by-side table of bench/model.ts: Fastfill and node-llama-cpp per weight type and test.
import type { BenchRecord } from './benchRecord.js';

export interface ComparisonRow {
  type: string;
  test: string;
  fastfill?: BenchRecord;
  llama?: BenchRecord;
}

const cell = (r: BenchRecord | undefined) => (r ? `${r.tokens_per_s.toFixed(1)} ± ${r.stddev.toFixed(1)}` : '—');
const memory = (r: BenchRecord | undefined) => (r ? `${r.peak_rss_mb.toFixed(0)}` : '—');

export function comparisonTable(rows: readonly ComparisonRow[]): string {
  const header = '| type | test | Fastfill t/s | peak MiB | node-llama-cpp t/s | peak MiB | Fastfill / llama |';
  const lines = [header, '| --- | --- | ---: | ---: | ---: | ---: | ---: |'];
  for (const r of rows) {
    const ratio = r.fastfill && r.llama ? `${(r.fastfill.tokens_per_s / r.llama.tokens_per_s).toFixed(2)}×` : '—';
    lines.push(`| ${r.type} | ${r.test} | ${cell(r.fastfill)} | ${memory(r.fastfill)} | ${cell(r.llama)} | ${memory(r.llama)} | ${ratio} |`);
  }
  return lines.join('\n');
}
