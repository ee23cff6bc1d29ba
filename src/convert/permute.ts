// HF checkpoints keep each head's q/k rows in rotate-half order (first half, second half); GGUF llama
// files store them interleaved so that 'normal' RoPE rotates adjacent pairs. Row r = 2i + j of a head in
// the GGUF layout is row j * half + i of the same head in the HF layout.

/** Reorders whole rows (each `rowBytes` long) of a [heads * headDim] x K matrix or bias vector. */
export function permuteRowsForNormalRope(data: Uint8Array, heads: number, headDim: number, rowBytes: number): Uint8Array {
  const out = new Uint8Array(data.length);
  const half = headDim / 2;
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < half; i++) {
      for (let j = 0; j < 2; j++) {
        const to = h * headDim + 2 * i + j;
        const from = h * headDim + j * half + i;
        out.set(data.subarray(from * rowBytes, (from + 1) * rowBytes), to * rowBytes);
      }
    }
  }
  return out;
}
