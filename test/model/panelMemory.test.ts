// What `fastfill inspect` states about packing: panelBytesIfPacked must equal the panels the kernels
// really allocate (Weight.packedBytes) for every weight type and precision, and
// fileBytesReleasedByPacking must count exactly the matrices whose matmuls read only their panels.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GgmlType, ggmlTypeName, rowBytes } from '../../src/formats/ggmlTypes.js';
import type { TensorSource } from '../../src/formats/tensorSource.js';
import { INTERLEAVED_TYPES, PRECISIONS, Weight } from '../../src/kernels/native.js';
import { fileBytesReleasedByPacking, panelBytesIfPacked } from '../../src/model/weights.js';

const TYPES = [GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q5_0, GgmlType.Q4_1, GgmlType.Q4_K,
  GgmlType.Q6_K];
const ROWS = 64, COLS = 256;  // whole panels of 32 rows: no padding

function tensor(type: GgmlType, dims: number[]): TensorSource {
  const bytes = new Uint8Array(rowBytes(type, dims[0]!) * (dims[1] ?? 1));
  return { name: `${ggmlTypeName(type)}-${dims.join('x')}`, type, dims, data: () => bytes } as unknown as TensorSource;
}

test('panelBytesIfPacked matches the panels Weight.create allocates, per type and precision', () => {
  for (const precision of PRECISIONS) {
    for (const type of TYPES) {
      const t = tensor(type, [COLS, ROWS]);
      const weight = Weight.create(type, ROWS, COLS, t.data(), { precision });
      const what = `${ggmlTypeName(type)} at ${precision}`;
      assert.equal(panelBytesIfPacked(new Map([[t.name, t]]), precision), weight.packedBytes, what);
      const released = fileBytesReleasedByPacking(new Map([[t.name, t]]), precision);
      assert.equal(released, weight.matmulReadsOnlyPanels ? t.data().byteLength : 0, what);
    }
  }
});

/** Runs check with FASTFILL_INTERLEAVE set to value (the default layout of INTERLEAVED_TYPES at int8). */
function withInterleave(value: '0' | '1', check: () => void): void {
  const saved = process.env.FASTFILL_INTERLEAVE;
  try {
    process.env.FASTFILL_INTERLEAVE = value;
    check();
  } finally {
    if (saved === undefined) delete process.env.FASTFILL_INTERLEAVE;
    else process.env.FASTFILL_INTERLEAVE = saved;
  }
}

test('panelBytesIfPacked matches Weight.create with and without interleaved blocks (FASTFILL_INTERLEAVE)', () => {
  for (const value of ['0', '1'] as const) {
    withInterleave(value, () => {
      for (const type of TYPES) {
        const t = tensor(type, [COLS, ROWS]);
        const weight = Weight.create(type, ROWS, COLS, t.data(), { precision: 'int8' });
        const what = `${ggmlTypeName(type)} FASTFILL_INTERLEAVE=${value}`;
        assert.equal(weight.layout, value === '1' && INTERLEAVED_TYPES.has(type) ? 'interleaved' : 'panels', what);
        assert.equal(panelBytesIfPacked(new Map([[t.name, t]]), 'int8'), weight.packedBytes, what);
        assert.equal(fileBytesReleasedByPacking(new Map([[t.name, t]]), 'int8'), weight.matmulReadsOnlyPanels ? t.data().byteLength : 0, what);
      }
    });
  }
});

test('at int8 without interleaving only Q8_0 stores int8 panels: the 4-6-bit types keep their blocks alone (the GEMM packs them as it goes)', () => {
  withInterleave('0', () => {
    for (const type of [GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q4_K, GgmlType.Q6_K]) {
      const t = tensor(type, [COLS, ROWS]);
      assert.equal(panelBytesIfPacked(new Map([[t.name, t]]), 'int8'), 0, ggmlTypeName(type));
      assert.equal(Weight.create(type, ROWS, COLS, t.data(), { precision: 'int8', int8Layout: 'panels' }).packedBytes > 0, true,
        `${ggmlTypeName(type)}: int8Layout 'panels' stores them`);
    }
    const q8 = tensor(GgmlType.Q8_0, [COLS, ROWS]);
    assert.equal(panelBytesIfPacked(new Map([[q8.name, q8]]), 'int8'), ROWS * COLS * 1.25);
  });
});

test('interleaved Q4_0 / Q5_0 / Q8_0 / K-quant matrices take the blocks\' own bytes and release the file\'s pages', () => {
  withInterleave('1', () => {
    for (const type of [GgmlType.Q4_0, GgmlType.Q5_0, GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K]) {
      const t = tensor(type, [COLS, ROWS]);
      assert.equal(panelBytesIfPacked(new Map([[t.name, t]]), 'int8'), t.data().byteLength, ggmlTypeName(type));
      assert.equal(fileBytesReleasedByPacking(new Map([[t.name, t]]), 'int8'), t.data().byteLength, ggmlTypeName(type));
    }
  });
});

test('vectors are neither packed nor released; sums run over the matrices', () => {
  const tensors = new Map([tensor(GgmlType.F32, [COLS]), tensor(GgmlType.F16, [COLS, ROWS]), tensor(GgmlType.Q8_0, [COLS, ROWS])]
    .map((t) => [t.name, t] as const));
  withInterleave('0', () => {
    assert.equal(panelBytesIfPacked(tensors, 'int8'), ROWS * COLS * 2 + ROWS * COLS * 1.25);
    assert.equal(fileBytesReleasedByPacking(tensors, 'int8'), ROWS * COLS * 2 + rowBytes(GgmlType.Q8_0, COLS) * ROWS);
    assert.equal(fileBytesReleasedByPacking(tensors, 'f32'), ROWS * COLS * 2);
  });
});
