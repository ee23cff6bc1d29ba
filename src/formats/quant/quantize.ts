// ggml's reference quantizers (quantize_row_q8_0_ref, quantize_row_q4_0_ref), step for step in
// float32 arithmetic (Math.fround) so that the bytes equal llama-quantize's output.

import { f32ToF16 } from './halfFloat.js';

const BLOCK = 32;

function checkLength(f32: Float32Array, what: string): number {
  if (f32.length % BLOCK !== 0) throw new Error(`${what}: ${f32.length} values is not a multiple of ${BLOCK}`);
  return f32.length / BLOCK;
}

/** C roundf: nearest, halves away from zero. */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/** Q8_0: d = amax/127 (fp16), q = round(x/d) via x * (1/d). */
export function quantizeQ8_0(f32: Float32Array): Uint8Array {
  const blocks = checkLength(f32, 'quantizeQ8_0');
  const out = new Uint8Array(blocks * 34);
  for (let i = 0; i < blocks; i++) {
    const x = i * BLOCK;
    let amax = 0;
    for (let j = 0; j < BLOCK; j++) amax = Math.max(amax, Math.abs(f32[x + j]!));
    const d = Math.fround(amax / 127);
    const id = d ? Math.fround(1 / d) : 0;
    const o = i * 34;
    const h = f32ToF16(d);
    out[o] = h & 0xff;
    out[o + 1] = h >> 8;
    for (let j = 0; j < BLOCK; j++) out[o + 2 + j] = roundHalfAway(Math.fround(f32[x + j]! * id)) & 0xff;
  }
  return out;
}

/** Q4_0: max = the value of largest magnitude (signed), d = max/-8 (fp16), q = min(15, trunc(x/d + 8.5)). */
export function quantizeQ4_0(f32: Float32Array): Uint8Array {
  const blocks = checkLength(f32, 'quantizeQ4_0');
  const out = new Uint8Array(blocks * 18);
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
    const d = Math.fround(max / -8);
    const id = d ? Math.fround(1 / d) : 0;
    const o = i * 18;
    const h = f32ToF16(d);
    out[o] = h & 0xff;
    out[o + 1] = h >> 8;
    const q = (v: number): number => Math.min(15, Math.trunc(Math.fround(Math.fround(v * id) + 8.5)));
    for (let j = 0; j < 16; j++) out[o + 2 + j] = q(f32[x + j]!) | (q(f32[x + 16 + j]!) << 4);
  }
  return out;
}

export { quantizeQ4_K, quantizeQ6_K } from './quantizeK.js';
export { quantizeQ5_0 } from './quantizeQ5_0.js';
