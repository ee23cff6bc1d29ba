// Q2_K, Q3_K, IQ4_NL and IQ4_XS dequantization against gguf-py (the llama.cpp project's Python
// package): random blocks plus all-zero and all-0xFF ones, made by tools/fixtures/quant_blocks.py.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { dequantize } from '../../src/formats/quant/dequantize.js';
import { blockLayout, GgmlType, ggmlTypeName } from '../../src/formats/ggmlTypes.js';
import { FIXTURES_DIR } from '../helpers/paths.js';

interface TypeCase {
  blocks: number;
  blockElements: number;
  bytes: string;
  values: string;
}

const fixture = JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, 'quant', 'lowbit-blocks.json'), 'utf8')) as {
  types: Record<string, TypeCase>;
};

const TYPES = [GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.IQ4_NL, GgmlType.IQ4_XS];

for (const type of TYPES) {
  test(`dequantize ${ggmlTypeName(type)} equals gguf-py bit for bit`, () => {
    const c = fixture.types[ggmlTypeName(type)]!;
    const bytes = new Uint8Array(Buffer.from(c.bytes, 'base64'));
    const values = Buffer.from(c.values, 'base64');
    const want = new Float32Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
    const layout = blockLayout(type)!;
    assert.equal(c.blockElements, layout.blockElements);
    assert.equal(bytes.length, c.blocks * layout.blockBytes);
    const got = dequantize(type, bytes, c.blocks * layout.blockElements);
    assert.equal(got.length, want.length);
    for (let i = 0; i < want.length; i++) {
      if (!Object.is(got[i], want[i])) assert.fail(`${ggmlTypeName(type)} element ${i} (block ${Math.floor(i / layout.blockElements)}): ${got[i]} != ${want[i]}`);
    }
    // the fixture is not degenerate: the values of a random block take many distinct levels
    assert.ok(new Set(want.subarray(0, layout.blockElements)).size >= 4);
  });
}

test('Q3_K and IQ4_NL literal blocks computed by hand', () => {
  // Q3_K, d = 1: all scales 0 -> sc - 32 = -32; hmask byte 0 bit 0 set -> element 0 = low bits (qs[0] & 3 = 3) - 0 = 3
  const q3 = new Uint8Array(110);
  q3[0] = 1;
  q3[32] = 0x03;
  q3.set([0x00, 0x3c], 108);
  const y3 = dequantize(GgmlType.Q3_K, q3, 256);
  assert.deepEqual([y3[0], y3[1], y3[32]], [-96, 128, 128]); // 3 * -32, (0 - 4) * -32, element 32: hmask bit 1 clear
  // IQ4_NL, d = 0.5: byte 0 = 0xF0 -> element 0 level 0 (-127), element 16 level 15 (113)
  const nl = new Uint8Array(18);
  nl.set([0x00, 0x38, 0xf0]);
  const yn = dequantize(GgmlType.IQ4_NL, nl, 32);
  assert.deepEqual([yn[0], yn[16], yn[1]], [-63.5, 56.5, -63.5]);
});
