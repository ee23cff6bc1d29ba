// PanelArena: a model's panels in one allocation. Pieces are 64-byte aligned and disjoint, the arena
// refuses to overflow, and a weight packed into it holds exactly the panels it would get alone and
// computes the same results.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GgmlType } from '../../src/formats/ggmlTypes.js';
import { matmul, PanelArena, panelBytes, Weight, type Precision } from '../../src/kernels/native.js';
import { assertIdentical } from './support/close.js';
import { randomWeightBytes, Rng } from './support/random.js';

test('PanelArena hands out aligned disjoint pieces and refuses more than it holds', () => {
  const arena = new PanelArena(PanelArena.bytesFor([100, 64, 1]));
  const a = arena.take(100), b = arena.take(64), c = arena.take(1);
  for (const piece of [a, b, c]) assert.equal(piece.byteOffset % 64, 0);
  assert.ok(a.byteOffset + 100 <= b.byteOffset && b.byteOffset + 64 <= c.byteOffset);
  assert.throws(() => arena.take(64), /PanelArena: 64 more bytes asked/);
});

test('a weight packed into an arena has the same panels and results as one packed alone', () => {
  const rng = new Rng(9300);
  const cases: [GgmlType, Precision][] = [[GgmlType.F16, 'f32'], [GgmlType.F32, 'bf16'], [GgmlType.Q8_0, 'int8'],
    [GgmlType.Q4_K, 'int8']];
  const [rows, cols] = [37, 256];
  const arena = new PanelArena(PanelArena.bytesFor(cases.map(([type, precision]) => panelBytes(type, rows, cols, precision))));
  for (const [type, precision] of cases) {
    const bytes = randomWeightBytes(rng, type, rows, cols);
    const alone = Weight.create(type, rows, cols, bytes, { precision });
    const inArena = Weight.create(type, rows, cols, bytes, { precision, arena });
    assert.equal(inArena.packedBytes, alone.packedBytes);
    assert.deepEqual(inArena.panels, alone.panels, `${precision} panels`);
    for (const m of [1, 9]) {
      const x = rng.floats(m * cols);
      const a = new Float32Array(m * rows), b = new Float32Array(m * rows);
      matmul(x, m, alone, a);
      matmul(x, m, inArena, b);
      assertIdentical(b, a, `${precision} m=${m}`);
    }
  }
});
