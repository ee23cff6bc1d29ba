// vLLM's POST /tokenize and POST /detokenize.
import type { FastifyInstance } from 'fastify';
import { renderChatPrompt } from './chatPrompt.js';
import type { ServerContext } from './context.js';
import { badRequest } from './errors.js';
import { checkModel } from './prompts.js';
import { detokenizeRequestSchema, tokenizeRequestSchema } from './schemas/tokenize.js';
import { validateBody } from './validate.js';

export function registerTokenize(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/tokenize', async (request) => {
    const body = validateBody(tokenizeRequestSchema, request.body);
    checkModel(ctx, body.model);
    // a chat is rendered through the template, which writes its own BOS; a plain prompt gets the tokenizer's
    const text = 'messages' in body ? renderChatPrompt(ctx, body) : body.prompt;
    const addSpecial = body.add_special_tokens ?? !('messages' in body);
    const tokens = ctx.tokenizer.encode(text, { addSpecial, parseSpecial: true });
    return {
      count: tokens.length,
      max_model_len: ctx.contextLength,
      tokens,
      ...(body.return_token_strs ? { token_strs: tokens.map((id) => ctx.tokenizer.tokenText(id)) } : {}),
    };
  });

  app.post('/detokenize', async (request) => {
    const body = validateBody(detokenizeRequestSchema, request.body);
    checkModel(ctx, body.model);
    const vocab = ctx.tokenizer.vocabSize;
    body.tokens.forEach((id, i) => {
      if (id < 0 || id >= vocab) throw badRequest(`token id ${id} is outside the vocabulary (0..${vocab - 1})`, `tokens[${i}]`);
    });
    return { prompt: ctx.tokenizer.decode(body.tokens) };
  });
}
