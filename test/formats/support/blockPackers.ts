// Test-side packers: build quantized blocks from known integers and scales, following the block
// layouts of ggml's structs (the inverse direction of the dequantizer under test).

export function putHalf(b: Uint8Array, at: number, bits: number): void {
  b[at] = bits & 0xff;
  b[at + 1] = bits >> 8;
}

/** Q4_0/Q4_1 nibbles: qs[j] = q[j] | q[j+16] << 4 */
function packNibbles32(b: Uint8Array, at: number, q: number[]): void {
  for (let j = 0; j < 16; j++) b[at + j] = q[j]! | (q[j + 16]! << 4);
}

export function packQ4_0(d: number, q: number[]): Uint8Array {
  const b = new Uint8Array(18);
  putHalf(b, 0, d);
  packNibbles32(b, 2, q);
  return b;
}

export function packQ4_1(d: number, m: number, q: number[]): Uint8Array {
  const b = new Uint8Array(20);
  putHalf(b, 0, d);
  putHalf(b, 2, m);
  packNibbles32(b, 4, q);
  return b;
}

/** 5-bit values: low nibbles as Q4, bit 4 of element i is bit i of the little-endian u32 qh */
function packFiveBit(b: Uint8Array, qhAt: number, qsAt: number, q: number[]): void {
  let qh = 0;
  for (let i = 0; i < 32; i++) qh += (q[i]! >> 4) * 2 ** i;
  for (let i = 0; i < 4; i++) b[qhAt + i] = Math.floor(qh / 2 ** (8 * i)) & 0xff;
  packNibbles32(b, qsAt, q.map((v) => v & 15));
}

export function packQ5_0(d: number, q: number[]): Uint8Array {
  const b = new Uint8Array(22);
  putHalf(b, 0, d);
  packFiveBit(b, 2, 6, q);
  return b;
}

export function packQ5_1(d: number, m: number, q: number[]): Uint8Array {
  const b = new Uint8Array(24);
  putHalf(b, 0, d);
  putHalf(b, 2, m);
  packFiveBit(b, 4, 8, q);
  return b;
}

export function packQ8_0(d: number, q: number[]): Uint8Array {
  const b = new Uint8Array(34);
  putHalf(b, 0, d);
  q.forEach((v, j) => { b[2 + j] = v & 0xff; });
  return b;
}

/** 8 six-bit scales and mins in 12 bytes, as ggml's Q4_K/Q5_K quantizers store them */
function packScales12(b: Uint8Array, at: number, sc: number[], m: number[]): void {
  for (let j = 0; j < 4; j++) {
    b[at + j] = sc[j]! | ((sc[j + 4]! >> 4) << 6);
    b[at + j + 4] = m[j]! | ((m[j + 4]! >> 4) << 6);
    b[at + j + 8] = (sc[j + 4]! & 15) | ((m[j + 4]! & 15) << 4);
  }
}

/** Sub-block s = 2i (+1) covers elements 64i (+32) .. +32: low (high) nibbles of qs[32i .. 32i+32) */
function packKNibbles(b: Uint8Array, at: number, q: number[]): void {
  for (let i = 0; i < 4; i++) {
    for (let l = 0; l < 32; l++) b[at + 32 * i + l] = (q[64 * i + l]! & 15) | ((q[64 * i + 32 + l]! & 15) << 4);
  }
}

export function packQ4_K(d: number, dmin: number, sc: number[], m: number[], q: number[]): Uint8Array {
  const b = new Uint8Array(144);
  putHalf(b, 0, d);
  putHalf(b, 2, dmin);
  packScales12(b, 4, sc, m);
  packKNibbles(b, 16, q);
  return b;
}

/** As Q4_K; bit 4 of element 32s + l is bit s of qh[l] */
export function packQ5_K(d: number, dmin: number, sc: number[], m: number[], q: number[]): Uint8Array {
  const b = new Uint8Array(176);
  putHalf(b, 0, d);
  putHalf(b, 2, dmin);
  packScales12(b, 4, sc, m);
  for (let s = 0; s < 8; s++) for (let l = 0; l < 32; l++) b[16 + l]! |= (q[32 * s + l]! >> 4) << s;
  packKNibbles(b, 48, q);
  return b;
}

/** Q6_K: q in 0..63, 16 int8 scales (one per 16 elements), d last */
export function packQ6_K(d: number, sc: number[], q: number[]): Uint8Array {
  const b = new Uint8Array(210);
  for (let n = 0; n < 2; n++) {
    for (let k = 0; k < 4; k++) {
      for (let l = 0; l < 32; l++) {
        const v = q[128 * n + 32 * k + l]!;
        const ql = 64 * n + l + 32 * (k & 1);
        b[ql]! |= k < 2 ? v & 15 : (v & 15) << 4;
        b[128 + 32 * n + l]! |= (v >> 4) << (2 * k);
      }
    }
  }
  sc.forEach((v, i) => { b[192 + i] = v & 0xff; });
  putHalf(b, 208, d);
  return b;
}
