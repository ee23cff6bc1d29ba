// When each request is sent, in seconds from the start: all at once for an infinite rate, otherwise gaps from
// Gamma(shape = burstiness, scale = 1 / (rate * burstiness)) (burstiness 1 = Poisson arrivals, below 1
// burstier), their running sum rescaled so the last request goes out at numRequests / rate, as vLLM does.
import { Xoshiro128StarStar } from '../../engine/rng.js';

export function arrivalTimes(numRequests: number, rate: number, burstiness: number, seed: number): number[] {
  if (rate === Infinity) return new Array<number>(numRequests).fill(0);
  const rng = Xoshiro128StarStar.fromSeed(seed);
  const times: number[] = [];
  let t = 0;
  for (let i = 0; i < numRequests; i++) {
    t += sampleGamma(rng, burstiness) / (rate * burstiness);
    times.push(t);
  }
  const scale = t > 0 ? numRequests / rate / t : 0;
  return times.map((x) => x * scale);
}

/** Gamma(shape, 1) by Marsaglia & Tsang; shape < 1 through Gamma(shape + 1) * U^(1/shape). */
export function sampleGamma(rng: Xoshiro128StarStar, shape: number): number {
  if (shape < 1) return sampleGamma(rng, shape + 1) * Math.pow(uniformOpen(rng), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = uniformOpen(rng);
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Uniform in (0, 1). */
function uniformOpen(rng: Xoshiro128StarStar): number {
  let u = 0;
  while (u === 0) u = rng.nextFloat();
  return u;
}

/** Box-Muller. */
function standardNormal(rng: Xoshiro128StarStar): number {
  return Math.sqrt(-2 * Math.log(uniformOpen(rng))) * Math.cos(2 * Math.PI * rng.nextFloat());
}
