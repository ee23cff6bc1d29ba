// One growable Float32Array carved into a forward pass's activation buffers. Every forward takes
// its buffers afresh from the start (forTokens), so buffers are valid only until the next forward;
// nothing returned to callers may live in it. Each forward overwrites whole buffers before reading
// them, so stale values from the previous pass never show.
export class ActivationArena {
  private memory = new Float32Array(0);
  private used = 0;

  /** floatsPerToken: the sum of every buffer a forward takes, per token of its batch. */
  constructor(private readonly floatsPerToken: number) {}

  /** Starts a forward over `tokens` tokens: grows the memory if needed and rewinds. */
  forTokens(tokens: number): this {
    const needed = tokens * this.floatsPerToken + 16 * 16;  // + alignment padding of up to 16 buffers
    if (this.memory.length < needed) this.memory = new Float32Array(needed);
    this.used = 0;
    return this;
  }

  /** The next `floats` floats (64-byte aligned), valid until the next forTokens. */
  take(floats: number): Float32Array {
    const start = this.used;
    this.used = start + Math.ceil(floats / 16) * 16;
    if (this.used > this.memory.length) {
      throw new RangeError(`ActivationArena: ${this.used} floats taken, only ${this.memory.length} prepared`);
    }
    return this.memory.subarray(start, start + floats);
  }
}
