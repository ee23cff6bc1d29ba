// One engine request's events, each delta paired with the finish event when that finish is already on its
// way. Without the pairing, streams would end with an empty chunk that carries only finish_reason, and
// clients timing chunks (vLLM's benchmark) would see a spurious ~0 s inter-token gap per request.
import type { DeltaEvent, EngineEvent, FinishEvent } from '../engine/api.js';

export interface ChoiceStep {
  delta?: DeltaEvent;
  finish?: FinishEvent;
}

type Next = { result: IteratorResult<EngineEvent> } | { error: unknown };

export async function* choiceSteps(events: AsyncIterable<EngineEvent>): AsyncGenerator<ChoiceStep, void, undefined> {
  const iterator = events[Symbol.asyncIterator]();
  let done = false;
  try {
    let pending = settle(iterator.next());
    for (;;) {
      const next = await pending;
      if ('error' in next) throw next.error;
      if (next.result.done) {
        done = true;
        return;
      }
      const event = next.result.value;
      if (event.type === 'finish') {
        done = true;
        yield { finish: event };
        return;
      }
      pending = settle(iterator.next());
      const ready = await readyNow(pending);
      if (ready && 'result' in ready && !ready.result.done && ready.result.value.type === 'finish') {
        done = true;
        yield { delta: event, finish: ready.result.value };
        return;
      }
      yield { delta: event };
    }
  } finally {
    // the consumer left early (client gone): closing the engine's iterator aborts the request
    if (!done) await iterator.return?.();
  }
}

function settle(promise: Promise<IteratorResult<EngineEvent>>): Promise<Next> {
  return promise.then((result) => ({ result }), (error: unknown) => ({ error }));
}

/** The promise's value if it settles before the event loop's next check phase, else undefined. */
function readyNow(pending: Promise<Next>): Promise<Next | undefined> {
  return Promise.race([pending, new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)))]);
}
