// The OpenAI-compatible HTTP server: fastify, one file per route group, errors always in OpenAI's shape.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { ChatTemplate } from '../chat/chatTemplate.js';
import type { EngineHandle } from '../engine/api.js';
import type { Tokenizer } from '../tokenizer/index.js';
import { Admission } from './admission.js';
import { bearerAuth } from './auth.js';
import { registerChat } from './chatRoute.js';
import { registerCompletions } from './completionsRoute.js';
import type { ServerContext } from './context.js';
import { notFound, shuttingDown, toApiError } from './errors.js';
import { ServerMetrics } from './metrics.js';
import { registerInfoRoutes } from './infoRoutes.js';
import { registerTokenize } from './tokenizeRoutes.js';

export interface ServerOptions {
  engine: EngineHandle;
  /** the model's tokenizer, on this thread (prompts, chat templates, /tokenize) */
  tokenizer: Tokenizer;
  chatTemplate?: ChatTemplate;
  /** the name clients pass as "model" (default: the engine's model id) */
  modelName?: string;
  /** when set, every route but /health needs "Authorization: Bearer <apiKey>" */
  apiKey?: string;
  /** more waiting engine requests than this get 429 (default 1024) */
  maxQueue?: number;
  /** largest request body in bytes (default 32 MiB); larger ones get 413 */
  bodyLimit?: number;
  logger?: FastifyServerOptions['logger'];
}

export interface FastfillServer {
  app: FastifyInstance;
  context: ServerContext;
  /** resolves to the address, e.g. "http://127.0.0.1:8080" */
  listen(host: string, port: number): Promise<string>;
  /** refuses new requests (503), aborts running ones, closes the engine, then the HTTP server */
  shutdown(): Promise<void>;
}

export function createServer(options: ServerOptions): FastfillServer {
  const { engine } = options;
  const modelName = options.modelName ?? engine.model.id;
  const context: ServerContext = {
    engine,
    tokenizer: options.tokenizer,
    chatTemplate: options.chatTemplate,
    modelName,
    contextLength: engine.model.contextLength,
    metrics: new ServerMetrics(modelName, () => engine.stats()),
    admission: new Admission(engine, options.maxQueue ?? 1024),
  };
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: options.bodyLimit ?? 32 * 1024 * 1024 });

  app.setErrorHandler((error, request, reply) => {
    const apiError = toApiError(error);
    if (apiError.status >= 500) request.log.error(error);
    if (apiError.status === 401) reply.header('www-authenticate', 'Bearer');
    return reply.status(apiError.status).send(apiError.body());
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(notFound(`No route ${request.method} ${request.url.split('?')[0]}`).body()));
  app.addHook('onRequest', async () => {
    if (context.admission.shuttingDown) throw shuttingDown();
  });
  const apiKey = options.apiKey;
  if (apiKey) app.addHook('onRequest', bearerAuth(apiKey));

  registerInfoRoutes(app, context);
  registerCompletions(app, context);
  registerChat(app, context);
  registerTokenize(app, context);

  let closing: Promise<void> | undefined;
  return {
    app,
    context,
    async listen(host, port) {
      return app.listen({ host, port });
    },
    shutdown() {
      closing ??= (async () => {
        context.admission.beginShutdown();
        await engine.close();
        await app.close();
      })();
      return closing;
    },
  };
}
