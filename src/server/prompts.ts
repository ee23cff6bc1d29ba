// Prompt inputs -> token ids: completions' four prompt forms, the served-model check.
import type { ServerContext } from './context.js';
import { badRequest, notFound } from './errors.js';
import type { CompletionRequest } from './schemas/completion.js';

/** A request naming another model is a 404, as with OpenAI and vLLM; no name at all is fine. */
export function checkModel(ctx: ServerContext, model: string | null | undefined): void {
  if (model === null || model === undefined || model === ctx.modelName) return;
  throw notFound(`The model '${model}' does not exist: this server serves '${ctx.modelName}'`, 'model', 'model_not_found');
}

/** Special-token text in a prompt (e.g. "<|im_start|>") becomes its id, as in vLLM and HF tokenizers. */
export function encodePrompt(ctx: ServerContext, text: string, addSpecial: boolean, param: string): number[] {
  const ids = ctx.tokenizer.encode(text, { addSpecial, parseSpecial: true });
  if (ids.length === 0) throw badRequest('The prompt is empty', param);
  return ids;
}

export function completionPrompts(ctx: ServerContext, prompt: CompletionRequest['prompt'], addSpecial: boolean): number[][] {
  if (typeof prompt === 'string') return [encodePrompt(ctx, prompt, addSpecial, 'prompt')];
  if (prompt.every((p): p is string => typeof p === 'string')) {
    return prompt.map((p, i) => encodePrompt(ctx, p, addSpecial, `prompt[${i}]`));
  }
  if (prompt.every((p): p is number => typeof p === 'number')) return [checkIds(ctx, prompt, 'prompt')];
  return (prompt as number[][]).map((ids, i) => checkIds(ctx, ids, `prompt[${i}]`));
}

function checkIds(ctx: ServerContext, ids: number[], param: string): number[] {
  const vocab = ctx.engine.model.vocabSize;
  ids.forEach((id, i) => {
    if (id < 0 || id >= vocab) throw badRequest(`token id ${id} is outside the vocabulary (0..${vocab - 1})`, `${param}[${i}]`);
  });
  return ids;
}
