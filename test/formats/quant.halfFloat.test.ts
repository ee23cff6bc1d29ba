import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from '../../src/formats/quant/halfFloat.js';
import { openGguf } from '../../src/formats/gguf/reader.js';
import { GgmlType } from '../../src/formats/ggmlTypes.js';
import { sharedPath, sharedSkip } from '../helpers/paths.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** the float32 neighbours of a float32 value (positive, finite) */
const nextUp = (x: number): number => { f32[0] = x; u32[0]! += 1; return f32[0]!; };
const nextDown = (x: number): number => { f32[0] = x; u32[0]! -= 1; return f32[0]!; };

test('fp16: values computed by hand', () => {
  const cases: Array<[number, number]> = [
    [1, 0x3c00], [-2, 0xc000], [0.5, 0x3800], [65504, 0x7bff], [2 ** -14, 0x0400], [2 ** -24, 0x0001],
    [0.1, 0x2e66], [1 / 3, 0x3555], [0, 0x0000], [-0, 0x8000], [Infinity, 0x7c00], [-Infinity, 0xfc00],
    [65519, 0x7bff], [65520, 0x7c00], [1e10, 0x7c00], [2 ** -25, 0x0000], [2 ** -26, 0x0000], [1e-10, 0x0000],
    [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [3 * 2 ** -25, 0x0002], [5 * 2 ** -25, 0x0002],
    [Math.fround(2 ** -25 * 1.0001), 0x0001], [-(2 ** -24), 0x8001],
  ];
  for (const [x, bits] of cases) assert.equal(f32ToF16(x), bits, `f32ToF16(${x})`);
  assert.equal(f16ToF32(0x3555), 0.333251953125);
  assert.equal(f16ToF32(0x7bff), 65504);
  assert.ok(Object.is(f16ToF32(0x8000), -0));
  assert.equal(f16ToF32(0xfc00), -Infinity);
  assert.ok(Number.isNaN(f16ToF32(0x7e00)));
  const nan = f32ToF16(NaN);
  assert.ok((nan & 0x7c00) === 0x7c00 && (nan & 0x3ff) !== 0);
});

test('fp16: every value round-trips, and every midpoint rounds to even (exhaustive)', () => {
  for (let h = 0; h < 0x10000; h++) {
    if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) continue; // NaN
    assert.equal(f32ToF16(f16ToF32(h)), h);
  }
  // (above 0x7bff = 65504 the next step is to infinity: hand cases 65519 / 65520 above)
  for (let h = 0; h < 0x7bff; h++) {
    const lo = f16ToF32(h);
    const hi = f16ToF32(h + 1);
    assert.ok(hi > lo);
    const mid = (lo + hi) / 2; // exact in float32: fp16 values have 11 significant bits
    assert.equal(Math.fround(mid), mid);
    assert.equal(f32ToF16(mid), h % 2 === 0 ? h : h + 1, `tie above 0x${h.toString(16)}`);
    assert.equal(f32ToF16(nextDown(mid)), h);
    assert.equal(f32ToF16(nextUp(mid)), h + 1);
    assert.equal(f32ToF16(-nextUp(mid)), 0x8000 | (h + 1));
  }
});

test('bf16: hand values, exhaustive round trip and ties to even', () => {
  assert.equal(f32ToBf16(1), 0x3f80);
  assert.equal(f32ToBf16(-10), 0xc120);
  assert.equal(f32ToBf16(1 + 2 ** -8), 0x3f80);
  assert.equal(f32ToBf16(1 + 3 * 2 ** -8), 0x3f82);
  assert.equal(f32ToBf16(3.4028234663852886e38), 0x7f80);
  assert.equal(bf16ToF32(0x3f80), 1);
  assert.equal(bf16ToF32(0xff80), -Infinity);
  const nan = f32ToBf16(NaN);
  assert.ok((nan & 0x7f80) === 0x7f80 && (nan & 0x7f) !== 0);
  for (let b = 0; b < 0x10000; b++) {
    if ((b & 0x7f80) === 0x7f80 && (b & 0x7f) !== 0) continue;
    assert.equal(f32ToBf16(bf16ToF32(b)), b);
  }
});

test('converting qwen2-pub-f32 gives exactly the F16 (numpy) and BF16 (llama-quantize) files', { skip: sharedSkip('models/random/qwen2-pub-bf16.gguf') }, () => {
  const source = openGguf(sharedPath('models/random/qwen2-pub-f32.gguf'));
  for (const [name, convert, type] of [['f16', f32ToF16, GgmlType.F16], ['bf16', f32ToBf16, GgmlType.BF16]] as const) {
    const file = openGguf(sharedPath(`models/random/qwen2-pub-${name}.gguf`));
    let converted = 0;
    for (const t of file.tensors) {
      if (t.type !== type) continue;
      const x = new Float32Array(source.tensorData(source.tensor(t.name)!).buffer);
      const stored = new Uint16Array(file.tensorData(t).buffer);
      for (let i = 0; i < x.length; i++) {
        if (convert(x[i]!) !== stored[i]) assert.fail(`${name} ${t.name}[${i}]: ${x[i]} -> ${convert(x[i]!)}, file has ${stored[i]}`);
      }
      converted += x.length;
    }
    assert.equal(converted, 1441792);
    file.close();
  }
  source.close();
});
