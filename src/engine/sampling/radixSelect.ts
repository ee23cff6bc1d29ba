// Threshold selection without sorting: a most-significant-digit radix walk over float bit patterns.
// Three passes over the array (11 + 11 + 10 bits) pin down the exact threshold value; no allocation.

const LEVELS = [
  { shift: 21, width: 11 },
  { shift: 10, width: 11 },
  { shift: 0, width: 10 },
] as const;

/** Reusable scratch for `thresholdReaching` (2 Ki buckets). */
export class RadixScratch {
  readonly histogram = new Float64Array(1 << 11);
  readonly floatCell = new Float32Array(1);
  readonly bitsCell = new Uint32Array(this.floatCell.buffer);
}

/**
 * The largest value t in `values` such that the elements >= t together weigh at least `target` (> 0),
 * where an element weighs 1 ('count': t is the k-th largest value for target k) or its own value ('value':
 * for non-negative values, t is where the descending cumulative mass reaches target). Elements equal to t
 * all count as kept. Returns -Infinity when the whole array weighs less than target.
 */
export function thresholdReaching(
  values: Float32Array,
  target: number,
  weighting: 'count' | 'value',
  scratch: RadixScratch,
): number {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const hist = scratch.histogram;
  const byValue = weighting === 'value';
  let prefix = 0; // the key bits chosen by earlier levels
  let above = 0; // weight of the elements whose key is greater than every key with this prefix
  for (let level = 0; level < LEVELS.length; level++) {
    const { shift, width } = LEVELS[level]!;
    const size = 1 << width;
    hist.fill(0, 0, size);
    accumulate(hist, bits, byValue ? values : null, level === 0 ? 32 : shift + width, prefix, shift, size - 1);
    let chosen = -1;
    let lowestNonEmpty = -1;
    for (let b = size - 1; b >= 0; b--) {
      const weight = hist[b]!;
      if (weight === 0) continue;
      lowestNonEmpty = b;
      if (above + weight >= target) {
        chosen = b;
        break;
      }
      above += weight;
    }
    if (chosen < 0) {
      if (level === 0) return -Infinity;
      // Rounding made this bucket's parts sum below what its parent did: keep the whole bucket.
      chosen = lowestNonEmpty;
      above -= hist[chosen]!;
    }
    prefix = ((prefix << width) | chosen) >>> 0;
  }
  scratch.bitsCell[0] = prefix & 0x80000000 ? prefix ^ 0x80000000 : ~prefix;
  return scratch.floatCell[0]!;
}

/**
 * Adds each element's weight (1, or its value) to the bucket of its key bits [shift, shift + width), over
 * the elements whose higher key bits equal `prefix` (all of them when highShift is 32).
 */
function accumulate(
  hist: Float64Array,
  bits: Uint32Array,
  weights: Float32Array | null,
  highShift: number,
  prefix: number,
  shift: number,
  mask: number,
): void {
  const all = highShift === 32; // x >>> 32 is x >>> 0 in JavaScript, so level 0 is its own case
  for (let i = 0; i < bits.length; i++) {
    const key = orderedKey(bits[i]!);
    if (!all && key >>> highShift !== prefix) continue;
    hist[(key >>> shift) & mask] += weights === null ? 1 : weights[i]!;
  }
}

/**
 * Maps IEEE-754 float bits to an unsigned key that orders like the floats: the sign bit flipped for
 * positives, every bit flipped for negatives (branch-free); -0 maps like +0.
 */
function orderedKey(bits: number): number {
  if (bits === 0x80000000) return 0x80000000;
  return (bits ^ ((bits >> 31) | 0x80000000)) >>> 0;
}
