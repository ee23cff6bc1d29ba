// POST /v1/completions
import type { FastifyInstance } from 'fastify';
import { planChoices } from './choices.js';
import { completionChunks, completionResponse } from './completionFormat.js';
import type { ServerContext } from './context.js';
import { badRequest } from './errors.js';
import { generationSettings } from './generationParams.js';
import { responseId, unixSeconds } from './ids.js';
import { respond } from './respond.js';
import { checkModel, completionPrompts } from './prompts.js';
import { completionRequestSchema } from './schemas/completion.js';
import { validateBody } from './validate.js';

/** OpenAI's and vLLM's default for completions (chat defaults to the rest of the context). */
const DEFAULT_MAX_TOKENS = 16;

export function registerCompletions(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/v1/completions', async (request, reply) => {
    const arrivedAt = performance.now();
    const body = validateBody(completionRequestSchema, request.body);
    checkModel(ctx, body.model);
    if (body.echo) throw badRequest('echo is not supported', 'echo');
    if (body.suffix) throw badRequest('suffix is not supported', 'suffix');
    if (body.best_of !== null && body.best_of !== undefined && body.best_of !== (body.n ?? 1)) {
      throw badRequest('best_of is not supported (it may only equal n)', 'best_of');
    }
    const settings = generationSettings(body, { maxTokens: body.max_tokens, maxTokensParam: 'max_tokens',
      topLogprobs: body.logprobs ?? undefined, logprobsParam: 'logprobs' }, ctx.engine.model.vocabSize);
    const prompts = completionPrompts(ctx, body.prompt, body.add_special_tokens ?? true);
    const env = { id: responseId('cmpl'), created: unixSeconds(), model: ctx.modelName };
    const choices = planChoices(settings, prompts, env.id, ctx.contextLength, 'prompt', DEFAULT_MAX_TOKENS);
    const withLogprobs = settings.topLogprobs !== undefined;
    return respond(reply, ctx, choices, arrivedAt, settings, {
      chunks: completionChunks(env, withLogprobs, settings.continuousUsage),
      whole: (outcomes, usage) => completionResponse(env, outcomes, usage, withLogprobs),
    });
  });
}
