// The result of one eval run: the JSON object (mean_accuracy, cells, ...), a text table, and the files.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { heatmapSvg } from './heatmap.js';
import type { PerplexityResult } from './perplexity.js';
import type { CellResult } from './runEval.js';

export interface EvalReport {
  task: string;
  method: string;
  model: string;
  samples: number;
  corrupt: boolean;
  /** mean over cells, 0..1 */
  mean_accuracy: number;
  mean_ttft_ms: number;
  cells: CellResult[];
  perplexity?: PerplexityResult;
}

export function makeReport(base: Omit<EvalReport, 'mean_accuracy' | 'mean_ttft_ms'>): EvalReport {
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  return { ...base, mean_accuracy: mean(base.cells.map((c) => c.accuracy)), mean_ttft_ms: mean(base.cells.map((c) => c.ttft_ms)) };
}

/** Rows = depths, columns = lengths, accuracy in percent; then TTFT per length. */
export function reportTable(report: EvalReport): string {
  const lengths = [...new Set(report.cells.map((c) => c.length))].sort((a, b) => a - b);
  const depths = [...new Set(report.cells.map((c) => c.depth))].sort((a, b) => a - b);
  const cell = (l: number, d: number) => report.cells.find((c) => c.length === l && c.depth === d);
  const lines = [`| depth \\ length | ${lengths.join(' | ')} |`, `|---|${lengths.map(() => '---').join('|')}|`];
  for (const d of depths) {
    lines.push(`| ${d}% | ${lengths.map((l) => { const c = cell(l, d); return c ? `${(c.accuracy * 100).toFixed(0)}%` : ''; }).join(' | ')} |`);
  }
  const ttft = lengths.map((l) => {
    const cs = report.cells.filter((c) => c.length === l);
    return `${(cs.reduce((a, c) => a + c.ttft_ms, 0) / cs.length).toFixed(0)} ms`;
  });
  lines.push(`| mean TTFT | ${ttft.join(' | ')} |`);
  lines.push(`mean accuracy ${(report.mean_accuracy * 100).toFixed(1)}% (${report.task}, method ${report.method}, ${report.samples} samples per cell${report.corrupt ? ', corrupted control' : ''})`);
  if (report.perplexity) {
    const p = report.perplexity;
    lines.push(`held-out perplexity ${p.perplexity.toFixed(2)} (${p.tokens} tokens in ${p.windows} windows of ${p.window_tokens})`);
  }
  return lines.join('\n');
}

/** Writes <task>-<method>.json and .svg under dir; returns their paths. */
export function writeReport(report: EvalReport, dir: string): { json: string; svg: string } {
  mkdirSync(dir, { recursive: true });
  const stem = path.join(dir, `${report.task}-${report.method}${report.corrupt ? '-corrupt' : ''}`);
  writeFileSync(`${stem}.json`, JSON.stringify(report, null, 1) + '\n');
  const title = `${report.task}, ${report.method} attention: mean accuracy ${(report.mean_accuracy * 100).toFixed(1)}%`;
  writeFileSync(`${stem}.svg`, heatmapSvg(report.cells, title));
  return { json: `${stem}.json`, svg: `${stem}.svg` };
}
