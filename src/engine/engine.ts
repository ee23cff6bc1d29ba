// The engine handle on the main thread: forwards requests to the engine worker and turns its messages back
// into one ordered event stream per request. Nothing heavy runs here.
import { Worker } from 'node:worker_threads';
import type { EngineEvent, EngineHandle, EngineStats, FinishEvent, GenerationRequest, ModelInfo } from './api.js';
import type { EngineOptions, FromWorker, ToWorker, WorkerInit } from './workerProtocol.js';
import { EventQueue } from './eventQueue.js';

export type { EngineOptions } from './workerProtocol.js';

export class EngineRejectedError extends Error {}

const EMPTY_STATS: EngineStats = { running: 0, waiting: 0, kvCacheUsage: 0, prefixCacheQueries: 0, prefixCacheHits: 0, preemptions: 0 };

export function createEngine(modelPath: string, options: EngineOptions = {}): Promise<EngineHandle> {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: { modelPath, options } satisfies WorkerInit });
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromWorker) => {
      if (message.type === 'ready') {
        worker.off('message', onMessage);
        resolve(new WorkerEngine(worker, message.model));
      } else if (message.type === 'failed') {
        void worker.terminate();
        reject(new Error(message.message));
      }
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}

class WorkerEngine implements EngineHandle {
  private readonly streams = new Map<string, EventQueue<EngineEvent>>();
  private latestStats: EngineStats = EMPTY_STATS;
  private addsSent = 0;
  private addsSeenByStats = 0;
  private dead: string | undefined;
  private closed: Promise<void> | undefined;

  constructor(private readonly worker: Worker, readonly model: ModelInfo) {
    worker.on('message', (message: FromWorker) => this.onMessage(message));
    worker.on('error', (error) => this.failAll(`engine worker crashed: ${error.message}`));
    worker.on('exit', (code) => this.failAll(`engine worker exited (code ${code})`));
  }

  generate(request: GenerationRequest): AsyncIterable<EngineEvent> {
    if (this.streams.has(request.requestId)) throw new EngineRejectedError(`request id '${request.requestId}' is in use`);
    if (this.closed) throw new EngineRejectedError('the engine is shutting down');
    if (this.dead) throw new EngineRejectedError(this.dead);
    const queue = new EventQueue<EngineEvent>(() => this.abort(request.requestId));
    this.streams.set(request.requestId, queue);
    this.send({ type: 'add', request });
    this.addsSent++;
    return queue;
  }

  abort(requestId: string): void {
    if (this.streams.has(requestId) && !this.dead) this.send({ type: 'abort', requestId });
  }

  /** The worker's last stats, with the requests posted since it took them counted as waiting, so an admission
   * check right after a burst of requests sees the burst. */
  stats(): EngineStats {
    const inTransit = this.addsSent - this.addsSeenByStats;
    return inTransit === 0 ? this.latestStats : { ...this.latestStats, waiting: this.latestStats.waiting + inTransit };
  }

  close(): Promise<void> {
    this.closed ??= new Promise((resolve) => {
      if (this.dead) return resolve();
      this.worker.once('exit', () => resolve());
      this.send({ type: 'close' });
    });
    return this.closed;
  }

  private send(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  private onMessage(message: FromWorker): void {
    switch (message.type) {
      case 'events':
        for (const event of message.events) this.deliver(event);
        break;
      case 'rejected': {
        const queue = this.streams.get(message.requestId);
        this.streams.delete(message.requestId);
        queue?.fail(new EngineRejectedError(message.message));
        break;
      }
      case 'stats':
        this.latestStats = message.stats;
        this.addsSeenByStats = message.addsReceived;
        break;
      case 'failed':
        this.failAll(message.message);
        break;
      case 'closed':
        void this.worker.terminate();
        break;
    }
  }

  private deliver(event: EngineEvent): void {
    const queue = this.streams.get(event.requestId);
    if (!queue) return;
    queue.push(event);
    if (event.type === 'finish') {
      this.streams.delete(event.requestId);
      queue.end();
    }
  }

  private failAll(reason: string): void {
    this.dead ??= reason;
    for (const [requestId, queue] of this.streams) {
      const event: FinishEvent = { type: 'finish', requestId, reason: 'error', error: reason,
        usage: { promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0 }, totalTime: 0 };
      queue.push(event);
      queue.end();
    }
    this.streams.clear();
  }
}
