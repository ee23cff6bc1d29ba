// Stop strings over a streamed text: emit what can no longer start a stop string, hold back the rest.

export interface StopStep {
  /** text safe to show now */
  emit: string;
  /** a stop string was found; nothing after it is ever emitted */
  stopped: boolean;
}

/**
 * The stream stops at the first place where a stop string ends (the one that completes first as text
 * arrives, whatever the chunking); when several end there, the longest one is cut. A trailing lone high
 * surrogate is also held back, so a surrogate pair is never split across emits.
 */
export class StopMatcher {
  private readonly stops: readonly string[];
  private readonly longestStop: number;
  private held = '';
  private stopped = false;
  private matched: string | undefined;

  constructor(stops: readonly string[]) {
    stops.forEach((stop, i) => {
      if (typeof stop !== 'string' || stop.length === 0) {
        throw new RangeError(`stop string ${i} must be a non-empty string, got ${JSON.stringify(stop)}`);
      }
    });
    this.stops = [...stops];
    this.longestStop = Math.max(0, ...stops.map((s) => s.length));
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** The stop string that stopped the stream. */
  get matchedStop(): string | undefined {
    return this.matched;
  }

  push(text: string): StopStep {
    if (this.stopped) return { emit: '', stopped: true };
    const buffer = this.held + text;
    const stopAt = this.firstStopStart(buffer);
    if (stopAt >= 0) {
      this.stopped = true;
      this.held = '';
      return { emit: buffer.slice(0, stopAt), stopped: true };
    }
    const keep = this.heldBackLength(buffer);
    this.held = buffer.slice(buffer.length - keep);
    return { emit: buffer.slice(0, buffer.length - keep), stopped: false };
  }

  /** The held-back text, at the end of the stream. */
  flush(): string {
    const rest = this.held;
    this.held = '';
    return rest;
  }

  /** Start of the stop string that ends first in `buffer` (the longest among those ending there), or -1. */
  private firstStopStart(buffer: string): number {
    let bestEnd = Infinity;
    let bestStart = -1;
    this.matched = undefined;
    for (const stop of this.stops) {
      const start = buffer.indexOf(stop);
      if (start < 0) continue;
      const end = start + stop.length;
      if (end < bestEnd || (end === bestEnd && start < bestStart)) {
        bestEnd = end;
        bestStart = start;
        this.matched = stop;
      }
    }
    return bestStart;
  }

  /** Length of the longest suffix of `buffer` that could still grow into a stop string. */
  private heldBackLength(buffer: string): number {
    let keep = 0;
    for (let length = Math.min(this.longestStop - 1, buffer.length); length > 0; length--) {
      const tail = buffer.slice(buffer.length - length);
      if (this.stops.some((stop) => stop.startsWith(tail))) {
        keep = length;
        break;
      }
    }
    const cut = buffer.length - keep;
    if (cut > 0 && isHighSurrogate(buffer.charCodeAt(cut - 1))) keep++;
    return keep;
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
