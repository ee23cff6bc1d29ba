// vLLM's POST /tokenize and /detokenize bodies.
import { z } from 'zod';
import { chatRequestSchema } from './chat.js';

const common = { model: z.string().nullish(), return_token_strs: z.boolean().nullish() };

export const tokenizeRequestSchema = z.union([
  z.object({ ...common, prompt: z.string(), add_special_tokens: z.boolean().nullish() }),
  z.object({
    ...common,
    messages: chatRequestSchema.shape.messages,
    tools: chatRequestSchema.shape.tools,
    add_generation_prompt: z.boolean().nullish(),
    add_special_tokens: z.boolean().nullish(),
    chat_template_kwargs: z.record(z.string(), z.unknown()).nullish(),
  }),
]);

export const detokenizeRequestSchema = z.object({
  model: z.string().nullish(),
  tokens: z.array(z.number().int()),
});

export type TokenizeRequest = z.infer<typeof tokenizeRequestSchema>;
