// POST /v1/completions body.
import { z } from 'zod';
import { generationFields } from './common.js';

const tokenIds = z.array(z.number().int()).min(1);

export const completionRequestSchema = z.object({
  ...generationFields,
  /** a text, texts, token ids, or lists of token ids; each prompt gets its own n choices */
  prompt: z.union([z.string(), z.array(z.string()).min(1), tokenIds, z.array(tokenIds).min(1)]),
  /** legacy logprobs: how many alternatives per token (0 = only the chosen token's) */
  logprobs: z.number().int().nullish(),
  echo: z.boolean().nullish(),
  suffix: z.string().nullish(),
  best_of: z.number().int().nullish(),
});

export type CompletionRequest = z.infer<typeof completionRequestSchema>;
