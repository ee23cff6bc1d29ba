// The needle-in-a-haystack picture as SVG: one column per prompt length, one row per depth, colour = accuracy
// (red 0 % through yellow to green 100 %), the percentage written in each cell.
import type { CellResult } from './runEval.js';

const CELL_W = 72;
const CELL_H = 34;
const LEFT = 80;
const TOP = 50;
const BOTTOM = 50;

/** red (0) → yellow (0.5) → green (1) */
export function accuracyColour(accuracy: number): string {
  const a = Math.min(1, Math.max(0, accuracy));
  const r = a < 0.5 ? 215 : Math.round(215 - (a - 0.5) * 2 * 189);
  const g = a < 0.5 ? Math.round(48 + a * 2 * 142) : Math.round(190 - (a - 0.5) * 2 * 40);
  const b = a < 0.5 ? 39 : Math.round(39 + (a - 0.5) * 2 * 60);
  return `rgb(${r},${g},${b})`;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function lengthLabel(n: number): string {
  return n % 1024 === 0 ? `${n / 1024}K` : String(n);
}

export function heatmapSvg(cells: readonly CellResult[], title: string): string {
  const lengths = [...new Set(cells.map((c) => c.length))].sort((a, b) => a - b);
  const depths = [...new Set(cells.map((c) => c.depth))].sort((a, b) => a - b);
  const width = LEFT + lengths.length * CELL_W + 20;
  const height = TOP + depths.length * CELL_H + BOTTOM;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="14">${escape(title)}</text>`,
    `<text x="14" y="${TOP + (depths.length * CELL_H) / 2}" text-anchor="middle" transform="rotate(-90 14 ${TOP + (depths.length * CELL_H) / 2})">needle depth (%)</text>`,
    `<text x="${LEFT + (lengths.length * CELL_W) / 2}" y="${height - 12}" text-anchor="middle">prompt length (tokens)</text>`,
  ];
  depths.forEach((depth, row) => {
    const y = TOP + row * CELL_H;
    parts.push(`<text x="${LEFT - 8}" y="${y + CELL_H / 2 + 4}" text-anchor="end">${depth}</text>`);
    lengths.forEach((length, col) => {
      const cell = cells.find((c) => c.length === length && c.depth === depth);
      const x = LEFT + col * CELL_W;
      const fill = cell ? accuracyColour(cell.accuracy) : '#ddd';
      const label = cell ? `${Math.round(cell.accuracy * 100)}%` : '';
      parts.push(`<rect x="${x}" y="${y}" width="${CELL_W - 2}" height="${CELL_H - 2}" fill="${fill}"/>`);
      parts.push(`<text x="${x + CELL_W / 2 - 1}" y="${y + CELL_H / 2 + 4}" text-anchor="middle">${label}</text>`);
    });
  });
  lengths.forEach((length, col) => {
    const x = LEFT + col * CELL_W + CELL_W / 2 - 1;
    parts.push(`<text x="${x}" y="${TOP + depths.length * CELL_H + 16}" text-anchor="middle">${lengthLabel(length)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
