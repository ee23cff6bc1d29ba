// GET /health, /v1/models, /metrics.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from './context.js';
import { notFound } from './errors.js';

export function registerInfoRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const created = Math.floor(Date.now() / 1000);
  const modelCard = () => ({ id: ctx.modelName, object: 'model', created, owned_by: 'fastfill', root: ctx.engine.model.path,
    parent: null, max_model_len: ctx.contextLength });

  // 200 while the engine serves; the shutdown hook answers 503 before this runs
  app.get('/health', async (_request, reply) => reply.status(200).send());

  app.get('/v1/models', async () => ({ object: 'list', data: [modelCard()] }));

  app.get<{ Params: { model: string } }>('/v1/models/:model', async (request) => {
    if (request.params.model !== ctx.modelName) {
      throw notFound(`The model '${request.params.model}' does not exist`, 'model', 'model_not_found');
    }
    return modelCard();
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', ctx.metrics.contentType);
    return ctx.metrics.render();
  });
}
