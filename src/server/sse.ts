// Server-sent events over a raw response. Headers go out with the first event, so an engine rejection that
// comes before any output can still be answered as a plain JSON error with its own status.
import type { ServerResponse } from 'node:http';
import type { ApiError } from './errors.js';

export class SseStream {
  private headersSent = false;

  constructor(private readonly res: ServerResponse) {}

  get started(): boolean {
    return this.headersSent;
  }

  get clientGone(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  /** Writes one `data:` event; resolves once the socket can take more (or the client is gone). */
  async send(data: unknown): Promise<void> {
    if (this.clientGone) return;
    if (!this.headersSent) {
      this.res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache',
        connection: 'keep-alive', 'x-accel-buffering': 'no' });
      this.headersSent = true;
    }
    if (this.res.write(`data: ${JSON.stringify(data)}\n\n`)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  /** Ends the stream with `data: [DONE]`. */
  end(): void {
    if (this.clientGone) return;
    if (!this.headersSent) this.res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
    this.res.end('data: [DONE]\n\n');
  }

  /** Before any event: a JSON error with its status; after: an error event, then [DONE] (as vLLM does). */
  async fail(error: ApiError): Promise<void> {
    if (this.clientGone) return;
    if (!this.headersSent) {
      this.res.writeHead(error.status, { 'content-type': 'application/json; charset=utf-8' });
      this.res.end(JSON.stringify(error.body()));
      return;
    }
    await this.send(error.body());
    this.end();
  }
}

/** Calls onGone once if the client closes the connection before the response is complete. */
export function onClientGone(res: ServerResponse, onGone: () => void): void {
  res.once('close', () => {
    if (!res.writableFinished) onGone();
  });
}
