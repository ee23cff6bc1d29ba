// ggml's reference Q5_0 quantizer (quantize_row_q5_0_ref), step for step in float32 arithmetic
// (Math.fround) so that the bytes equal llama-quantize's output. llama.cpp falls back to Q5_0 for
// Q4_K matrices whose rows are not a whole number of 256-element super-blocks.

import { f32ToF16 } from './halfFloat.js';

const BLOCK = 32;

/** Q5_0: max = the value of largest magnitude (signed), d = max/-16 (fp16), q = min(31, trunc(x/d + 16.5)). */
export function quantizeQ5_0(f32: Float32Array): Uint8Array {
  if (f32.length % BLOCK !== 0) throw new Error(`quantizeQ5_0: ${f32.length} values is not a multiple of ${BLOCK}`);
  const blocks = f32.length / BLOCK;
  const out = new Uint8Array(blocks * 22);
  for (let i = 0; i < blocks; i++) {
    const x = i * BLOCK;
    let amax = 0;
    let max = 0;
    for (let j = 0; j < BLOCK; j++) {
      const v = f32[x + j]!;
      if (amax < Math.abs(v)) {
        amax = Math.abs(v);
        max = v;
      }
    }
    const d = Math.fround(max / -16);
    const id = d ? Math.fround(1 / d) : 0;
    const o = i * 22;
    const h = f32ToF16(d);
    out[o] = h & 0xff;
    out[o + 1] = h >> 8;
    // (int8_t) of a value in [0.5, 32.5]: truncation
    const q = (v: number): number => Math.min(31, Math.trunc(Math.fround(Math.fround(v * id) + 16.5)));
    let qh = 0;
    for (let j = 0; j < 16; j++) {
      const lo = q(f32[x + j]!);
      const hi = q(f32[x + 16 + j]!);
      out[o + 6 + j] = (lo & 0xf) | ((hi & 0xf) << 4);
      qh |= ((lo >> 4) << j) | ((hi >> 4) << (j + 16));
    }
    out[o + 2] = qh & 0xff;
    out[o + 3] = (qh >>> 8) & 0xff;
    out[o + 4] = (qh >>> 16) & 0xff;
    out[o + 5] = qh >>> 24;
  }
  return out;
}
