// The engine worker thread: loads the model, then steps the engine whenever it has work, yielding to the
// message queue between steps so adds and aborts land promptly.
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { setThreads } from '../kernels/native.js';
import { kvBytesPerToken } from '../kv/kvStorage.js';
import { loadModel } from '../model/load.js';
import type { Transformer } from '../model/transformer.js';
import { EngineCore, type EngineCoreConfig } from './engineCore.js';
import type { EngineEvent } from './api.js';
import type { EngineOptions, FromWorker, ToWorker, WorkerInit } from './workerProtocol.js';

const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);
let pendingEvents: EngineEvent[] = [];
const emit = (event: EngineEvent) => pendingEvents.push(event);
const flushEvents = () => {
  if (pendingEvents.length === 0) return;
  post({ type: 'events', events: pendingEvents });
  pendingEvents = [];
};

function coreConfig(options: EngineOptions, model: Transformer): EngineCoreConfig {
  const c = model.config;
  const contextLength = options.contextLength ?? c.contextLength;
  const blockSize = options.blockSize ?? 16;
  const bytesPerToken = kvBytesPerToken(c, model.kvCacheType(blockSize));
  const maxSeqs = options.maxSeqs ?? 16;
  const oneGiBTokens = Math.floor(2 ** 30 / bytesPerToken);
  const kvTokens = Math.max(contextLength, options.kvCacheTokens ?? Math.min(maxSeqs * contextLength, oneGiBTokens));
  return {
    maxSeqs,
    maxBatchedTokens: options.maxBatchedTokens ?? 512,
    maxModelLen: contextLength,
    blockSize,
    numBlocks: Math.ceil(kvTokens / blockSize),
    enablePrefixCaching: options.enablePrefixCaching ?? true,
  };
}

function start(init: WorkerInit): void {
  let core: EngineCore;
  try {
    if (init.options.threads) setThreads(init.options.threads);
    const model = loadModel(init.modelPath);
    const c = model.config;
    const config = coreConfig(init.options, model.transformer);
    core = new EngineCore(model, config);
    post({ type: 'ready', config, model: { id: init.options.modelId ?? path.basename(path.resolve(init.modelPath)),
      path: init.modelPath, contextLength: config.maxModelLen, vocabSize: c.vocabSize,
      kvCache: { type: model.transformer.kvCacheType(config.blockSize), tokens: config.numBlocks * config.blockSize } } });
  } catch (e) {
    post({ type: 'failed', message: (e as Error).message });
    return;
  }

  let scheduled = false;
  let closing = false;
  let addsReceived = 0;
  const postStats = () => post({ type: 'stats', stats: core.stats(), addsReceived });
  const loop = () => {
    scheduled = false;
    try {
      core.step();
    } catch (e) {
      // a kernel or runner failure is fatal for the engine: report it rather than continue in a bad state
      post({ type: 'failed', message: `engine step failed: ${(e as Error).message}` });
      process.exit(1);
    }
    flushEvents();
    postStats();
    if (core.hasWork()) kick();
    else core.checkIntegrity();
  };
  const kick = () => {
    if (!scheduled && !closing) {
      scheduled = true;
      setImmediate(loop);
    }
  };
  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'add':
        addsReceived++;
        try {
          core.add(message.request, emit);
          flushEvents();
          kick();
        } catch (e) {
          post({ type: 'rejected', requestId: message.request.requestId, message: (e as Error).message });
          postStats();
        }
        break;
      case 'abort':
        core.abort(message.requestId);
        flushEvents();
        postStats();
        break;
      case 'close':
        closing = true;
        core.abortAll();
        flushEvents();
        post({ type: 'closed' });
        port.close();
        break;
    }
  });
}

start(workerData as WorkerInit);
