// Runs one engine request for one choice: admission bookkeeping, latency metrics, engine errors as ApiErrors.
import type { GenerationRequest } from '../engine/api.js';
import { EngineRejectedError } from '../engine/engine.js';
import { choiceSteps, type ChoiceStep } from './choiceEvents.js';
import type { ServerContext } from './context.js';
import { badRequest, serverError, shuttingDown } from './errors.js';

/** `arrivedAt` is performance.now() when the HTTP request came in (latencies count from there, as vLLM's do). */
export async function* runChoice(ctx: ServerContext, request: GenerationRequest, arrivedAt: number): AsyncGenerator<ChoiceStep> {
  ctx.admission.started(request.requestId);
  let lastTokenAt: number | undefined;
  try {
    const stopTokenIds = new Set(request.stopTokenIds);
    if (!request.ignoreEos) for (const id of ctx.tokenizer.eogIds) stopTokenIds.add(id);
    const hints = { maxTokens: request.maxTokens, stopTokenIds };
    for await (const step of choiceSteps(ctx.engine.generate(request), hints)) {
      const now = performance.now();
      if (step.delta && step.delta.tokenIds.length > 0) {
        if (lastTokenAt === undefined) ctx.metrics.observeFirstToken((now - arrivedAt) / 1000);
        else ctx.metrics.observeInterToken((now - lastTokenAt) / 1000);
        lastTokenAt = now;
      }
      if (step.finish) ctx.metrics.observeFinish(step.finish, (now - arrivedAt) / 1000);
      yield step;
    }
  } catch (error) {
    if (ctx.admission.shuttingDown) throw shuttingDown();
    if (error instanceof EngineRejectedError) throw badRequest(error.message);
    throw serverError(`the engine failed: ${(error as Error).message}`);
  } finally {
    ctx.admission.ended(request.requestId);
  }
}
