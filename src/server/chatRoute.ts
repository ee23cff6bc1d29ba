// POST /v1/chat/completions
import type { FastifyInstance } from 'fastify';
import { chatChunks, chatResponse } from './chatFormat.js';
import { renderChatPrompt } from './chatPrompt.js';
import { planChoices } from './choices.js';
import type { ServerContext } from './context.js';
import { badRequest } from './errors.js';
import { generationSettings } from './generationParams.js';
import { responseId, unixSeconds } from './ids.js';
import { respond } from './respond.js';
import { checkModel, encodePrompt } from './prompts.js';
import { chatRequestSchema, type ChatRequest } from './schemas/chat.js';
import { validateBody } from './validate.js';

export function registerChat(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/v1/chat/completions', async (request, reply) => {
    const arrivedAt = performance.now();
    const body = validateBody(chatRequestSchema, request.body);
    checkModel(ctx, body.model);
    if (body.response_format && body.response_format.type !== 'text') {
      throw badRequest(`response_format '${body.response_format.type}' is not supported`, 'response_format');
    }
    const settings = generationSettings(body, { ...maxTokensField(body), topLogprobs: topLogprobs(body),
      logprobsParam: 'top_logprobs' }, ctx.engine.model.vocabSize);
    // chat templates write their own BOS, so none is added by default (as in vLLM)
    const prompt = encodePrompt(ctx, renderChatPrompt(ctx, body), body.add_special_tokens ?? false, 'messages');
    const env = { id: responseId('chatcmpl'), created: unixSeconds(), model: ctx.modelName };
    const choices = planChoices(settings, [prompt], env.id, ctx.contextLength, 'messages');
    const withLogprobs = settings.topLogprobs !== undefined;
    return respond(reply, ctx, choices, arrivedAt, settings, {
      chunks: chatChunks(env, withLogprobs, settings.continuousUsage),
      whole: (outcomes, usage) => chatResponse(env, outcomes, usage, withLogprobs),
    });
  });
}

/** max_completion_tokens is the newer name and wins over max_tokens. */
function maxTokensField(body: ChatRequest) {
  if (body.max_completion_tokens !== null && body.max_completion_tokens !== undefined) {
    return { maxTokens: body.max_completion_tokens, maxTokensParam: 'max_completion_tokens' };
  }
  return { maxTokens: body.max_tokens, maxTokensParam: 'max_tokens' };
}

/** logprobs: true turns log-probs on; top_logprobs (0..20) adds alternatives and needs logprobs. */
function topLogprobs(body: ChatRequest): number | undefined {
  const top = body.top_logprobs ?? undefined;
  if (!body.logprobs) {
    if (top !== undefined && top > 0) throw badRequest('top_logprobs requires logprobs to be true', 'top_logprobs');
    return undefined;
  }
  return top ?? 0;
}
