// One native allocation that holds the GEMM panels of a whole model: packed weights take 64-byte
// aligned pieces of it. One buffer instead of one per matrix means one report of external memory to
// V8 (per-matrix buffers set off ~20 full GCs while a 0.5B model loaded) and huge pages throughout.
// The memory is zero-on-touch (allocateZeroed), so a size that is an upper bound costs nothing extra.
import { allocateZeroed } from './system.js';

export class PanelArena {
  private readonly memory: Uint8Array;
  private used = 0;

  constructor(bytes: number) {
    this.memory = new Uint8Array(allocateZeroed(bytes));
  }

  /** The next `bytes` bytes, 64-byte aligned; throws when the arena was sized too small. */
  take(bytes: number): Uint8Array {
    const start = Math.ceil(this.used / 64) * 64;
    if (start + bytes > this.memory.length) {
      throw new RangeError(`PanelArena: ${bytes} more bytes asked at ${start}, the arena holds ${this.memory.length}`);
    }
    this.used = start + bytes;
    return this.memory.subarray(start, start + bytes);
  }

  /** Bytes an arena needs for pieces of these sizes (with alignment). */
  static bytesFor(sizes: Iterable<number>): number {
    let total = 0;
    for (const size of sizes) total += Math.ceil(size / 64) * 64;
    return total;
  }
}
