// Who may start: nothing while shutting down (503), nothing past the waiting-queue limit (429). Also keeps
// the ids of every engine request in flight, so a shutdown can abort them all.
import type { EngineHandle } from '../engine/api.js';
import { queueFull, shuttingDown } from './errors.js';

export class Admission {
  private closing = false;
  private readonly inFlight = new Set<string>();

  constructor(private readonly engine: EngineHandle, readonly maxQueue: number) {}

  get shuttingDown(): boolean {
    return this.closing;
  }

  /** Throws the 503 / 429 ApiError when `count` more engine requests may not start now. */
  admit(count: number): void {
    if (this.closing) throw shuttingDown();
    const waiting = this.engine.stats().waiting;
    if (waiting + count > this.maxQueue) throw queueFull(waiting, this.maxQueue);
  }

  started(requestId: string): void {
    this.inFlight.add(requestId);
  }

  ended(requestId: string): void {
    this.inFlight.delete(requestId);
  }

  /** Refuses new work from now on and aborts every request in flight. */
  beginShutdown(): void {
    this.closing = true;
    for (const id of this.inFlight) this.engine.abort(id);
  }
}
