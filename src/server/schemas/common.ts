// Request fields shared by /v1/completions and /v1/chat/completions (OpenAI's plus vLLM's extras).
// zod checks shapes and types here; ranges are checked with named messages in generationParams.ts.
// `null` is accepted wherever a field is optional, as OpenAI clients send it for "unset".
import { z } from 'zod';

const int = () => z.number().int();

export const streamOptionsSchema = z.object({
  include_usage: z.boolean().nullish(),
  continuous_usage_stats: z.boolean().nullish(),
});

export const generationFields = {
  model: z.string().nullish(),
  stream: z.boolean().nullish(),
  stream_options: streamOptionsSchema.nullish(),
  max_tokens: int().nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  top_k: int().nullish(),
  min_p: z.number().nullish(),
  seed: int().nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  stop_token_ids: z.array(int()).nullish(),
  presence_penalty: z.number().nullish(),
  frequency_penalty: z.number().nullish(),
  repetition_penalty: z.number().nullish(),
  n: int().nullish(),
  ignore_eos: z.boolean().nullish(),
  logit_bias: z.record(z.string(), z.number()).nullish(),
  min_tokens: int().nullish(),
  add_special_tokens: z.boolean().nullish(),
  cache_salt: z.string().nullish(),
  user: z.string().nullish(),
};

export type GenerationFields = z.infer<z.ZodObject<typeof generationFields>>;
