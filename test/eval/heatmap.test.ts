import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accuracyColour, heatmapSvg } from '../../src/eval/heatmap.js';
import { makeReport, reportTable } from '../../src/eval/report.js';

const cell = (length: number, depth: number, accuracy: number) =>
  ({ length, depth, accuracy, ttft_ms: length / 10, samples: 4, correct: accuracy * 4, prompt_tokens: length - 5 });

test('the heat map has one coloured cell per length and depth, red for 0 and green for 1', () => {
  const cells = [cell(1024, 0, 1), cell(1024, 50, 0), cell(2048, 0, 0.5), cell(2048, 50, 1)];
  const svg = heatmapSvg(cells, 'title <x>');
  assert.equal(svg.match(/<rect x=/g)!.length, 4);
  assert.ok(svg.includes(`fill="${accuracyColour(0)}"`) && svg.includes(`fill="${accuracyColour(1)}"`));
  assert.ok(svg.includes('title &lt;x&gt;') && svg.includes('>1K<') && svg.includes('>2K<') && svg.includes('>50%<'));
  assert.equal(accuracyColour(0), 'rgb(215,48,39)');
  assert.equal(accuracyColour(1), 'rgb(26,150,99)');
});

test('the report means accuracy over cells', () => {
  const report = makeReport({ task: 'passkey', method: 'dense', model: 'm', samples: 4, corrupt: false,
    cells: [cell(1024, 0, 1), cell(1024, 50, 0.5)] });
  assert.equal(report.mean_accuracy, 0.75);
  assert.equal(report.mean_ttft_ms, 102.4);
  assert.match(reportTable(report), /\| 50% \| 50% \|/);
});
