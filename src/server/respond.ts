// The tail both generation routes share: stream the choices, or collect them into one JSON response.
import type { FastifyReply } from 'fastify';
import type { PlannedChoice } from './choices.js';
import type { ServerContext } from './context.js';
import { ClientGoneError, collectChoices, streamChoices, type ChoiceOutcome, type ChunkFormatter } from './deliver.js';
import type { GenerationSettings } from './generationParams.js';
import { SseStream } from './sse.js';
import { usageOf, type ApiUsage } from './usage.js';

export interface ResponseShapes {
  chunks: ChunkFormatter;
  whole(outcomes: ChoiceOutcome[], usage: ApiUsage): unknown;
}

/** Resolves to the JSON body to send, or undefined when the reply was taken over (streamed, client gone). */
export async function respond(reply: FastifyReply, ctx: ServerContext, choices: PlannedChoice[], arrivedAt: number,
  settings: GenerationSettings, shapes: ResponseShapes): Promise<unknown> {
  ctx.admission.admit(choices.length);
  const delivery = { ctx, choices, arrivedAt, res: reply.raw };
  if (settings.stream) {
    reply.hijack();
    await streamChoices(delivery, new SseStream(reply.raw), shapes.chunks, settings.includeUsage);
    return undefined;
  }
  try {
    const outcomes = await collectChoices(delivery);
    return shapes.whole(outcomes, usageOf(choices, outcomes.map((o) => o.finish)));
  } catch (error) {
    if (!(error instanceof ClientGoneError)) throw error;
    reply.hijack();
    return undefined;
  }
}
