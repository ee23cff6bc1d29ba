// out = bias + x W^T in float64 (x is [m][k], w is [n][k] row-major), with each output's
// sum |terms| (bias included): the scale that F32 rounding errors are measured against.
export interface Float64Reference {
  want: Float64Array;
  magnitude: Float64Array;
}

export function float64Matmul(x: ArrayLike<number>, m: number, w: ArrayLike<number>, n: number, k: number,
  bias?: ArrayLike<number>): Float64Reference {
  const want = new Float64Array(m * n);
  const magnitude = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = bias ? bias[j]! : 0;
      let abs = Math.abs(sum);
      for (let t = 0; t < k; t++) {
        const product = x[i * k + t]! * w[j * k + t]!;
        sum += product;
        abs += Math.abs(product);
      }
      want[i * n + j] = sum;
      magnitude[i * n + j] = abs;
    }
  }
  return { want, magnitude };
}
