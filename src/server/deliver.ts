// Runs a request's choices side by side and delivers them: collected into one response, or streamed as SSE.
// A client that goes away aborts every engine request of it; so does a choice that fails.
import type { ServerResponse } from 'node:http';
import type { ChosenTokenLogprob, DeltaEvent, FinishEvent } from '../engine/api.js';
import type { PlannedChoice } from './choices.js';
import type { ServerContext } from './context.js';
import { serverError, shuttingDown, toApiError } from './errors.js';
import { runChoice } from './runChoice.js';
import { onClientGone, type SseStream } from './sse.js';
import { usageOf, type ApiUsage } from './usage.js';

/** Thrown when the client left: there is nobody to answer. */
export class ClientGoneError extends Error {}

export interface ChoiceOutcome {
  choice: PlannedChoice;
  text: string;
  logprobs: ChosenTokenLogprob[];
  finish: FinishEvent;
}

/** What a streamed choice has produced so far (for continuous usage stats). */
export interface ChoiceProgress {
  promptTokens: number;
  completionTokens: number;
}

export interface ChunkFormatter {
  /** sent once per choice before its first delta (chat's role chunk) */
  opening?(choice: PlannedChoice): unknown;
  /** undefined = nothing worth sending */
  chunk(choice: PlannedChoice, delta: DeltaEvent | undefined, finish: FinishEvent | undefined, progress: ChoiceProgress): unknown;
  usage(usage: ApiUsage): unknown;
}

interface Delivery {
  ctx: ServerContext;
  choices: PlannedChoice[];
  arrivedAt: number;
  res: ServerResponse;
}

export async function collectChoices({ ctx, choices, arrivedAt, res }: Delivery): Promise<ChoiceOutcome[]> {
  const abortAll = () => choices.forEach((c) => ctx.engine.abort(c.request.requestId));
  let gone = false;
  onClientGone(res, () => {
    gone = true;
    abortAll();
  });
  const collectOne = async (choice: PlannedChoice): Promise<ChoiceOutcome> => {
    let text = '';
    const logprobs: ChosenTokenLogprob[] = [];
    for await (const step of runChoice(ctx, choice.request, arrivedAt)) {
      if (step.delta) {
        text += step.delta.text;
        if (step.delta.logprobs) logprobs.push(...step.delta.logprobs);
      }
      if (step.finish) {
        checkFinish(ctx, step.finish, gone);
        return { choice, text, logprobs, finish: step.finish };
      }
    }
    throw serverError('the engine ended a request without a finish event');
  };
  try {
    return await Promise.all(choices.map(collectOne));
  } catch (error) {
    abortAll();
    throw gone ? new ClientGoneError() : error;
  }
}

export async function streamChoices({ ctx, choices, arrivedAt, res }: Delivery, sse: SseStream, format: ChunkFormatter,
  includeUsage: boolean): Promise<void> {
  const abortAll = () => choices.forEach((c) => ctx.engine.abort(c.request.requestId));
  onClientGone(res, abortAll);
  const streamOne = async (choice: PlannedChoice): Promise<FinishEvent> => {
    let opened = false;
    const progress: ChoiceProgress = { promptTokens: choice.request.promptTokenIds.length, completionTokens: 0 };
    for await (const step of runChoice(ctx, choice.request, arrivedAt)) {
      progress.completionTokens += step.delta?.tokenIds.length ?? 0;
      const finish = step.finish && isSuccess(step.finish) ? step.finish : undefined;
      // the opening waits for output, so a failure before any can still be answered with its status
      if (!opened && format.opening && !sse.clientGone && (step.delta || finish)) {
        await sse.send(format.opening(choice));
        opened = true;
      }
      const chunk = format.chunk(choice, step.delta, finish, progress);
      if (chunk !== undefined) await sse.send(chunk);
      if (step.finish) {
        checkFinish(ctx, step.finish, sse.clientGone);
        return step.finish;
      }
    }
    throw serverError('the engine ended a request without a finish event');
  };
  try {
    const finishes = await Promise.all(choices.map(streamOne));
    if (includeUsage) await sse.send(format.usage(usageOf(choices, finishes)));
    sse.end();
  } catch (error) {
    abortAll();
    if (error instanceof ClientGoneError || sse.clientGone) return;
    await sse.fail(toApiError(error));
  }
}

const isSuccess = (finish: FinishEvent) => finish.reason === 'stop' || finish.reason === 'length';

/** Aborted or failed engine requests become the error to answer with. */
function checkFinish(ctx: ServerContext, finish: FinishEvent, clientGone: boolean): void {
  if (isSuccess(finish)) return;
  if (finish.reason === 'abort') {
    if (ctx.admission.shuttingDown) throw shuttingDown();
    if (clientGone) throw new ClientGoneError();
    throw serverError('the engine aborted the request');
  }
  throw serverError(`the engine failed: ${finish.error ?? 'unknown error'}`);
}
