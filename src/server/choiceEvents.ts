// One engine request's events, each delta paired with the finish event when that finish is already on its
// way. Without the pairing, streams would end with an empty chunk that carries only finish_reason, and
// clients timing chunks (vLLM's benchmark) would see a spurious ~0 s inter-token gap per request.
//
// The finish is known to follow when the delta reaches max tokens or holds a stop token: then the next
// events are awaited (a token-less flush of held-back text is merged in). Otherwise the finish is paired
// only if it has already arrived by the event loop's next check phase, so no chunk waits on it.
import type { DeltaEvent, EngineEvent, FinishEvent } from '../engine/api.js';

export interface ChoiceStep {
  delta?: DeltaEvent;
  finish?: FinishEvent;
}

export interface FinishHints {
  maxTokens: number;
  /** tokens that end the request (stop_token_ids, and end-of-generation tokens unless ignore_eos) */
  stopTokenIds: ReadonlySet<number>;
}

type Next = { result: IteratorResult<EngineEvent> } | { error: unknown };

export async function* choiceSteps(events: AsyncIterable<EngineEvent>, hints: FinishHints): AsyncGenerator<ChoiceStep, void, undefined> {
  const iterator = events[Symbol.asyncIterator]();
  let done = false;
  let produced = 0;
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
      let delta = event;
      produced += delta.tokenIds.length;
      const finishing = produced >= hints.maxTokens || hints.stopTokenIds.has(delta.tokenIds.at(-1) ?? -1);
      pending = settle(iterator.next());
      let ready = finishing ? await pending : await readyNow(pending);
      while (finishing && ready && isEvent(ready, 'delta') && (ready.result.value as DeltaEvent).tokenIds.length === 0) {
        delta = merged(delta, ready.result.value as DeltaEvent);
        pending = settle(iterator.next());
        ready = await pending;
      }
      if (ready && isEvent(ready, 'finish')) {
        done = true;
        yield { delta, finish: ready.result.value as FinishEvent };
        return;
      }
      yield { delta };
    }
  } finally {
    // the consumer left early (client gone): closing the engine's iterator aborts the request
    if (!done) await iterator.return?.();
  }
}

function isEvent(next: Next, type: EngineEvent['type']): next is { result: IteratorYieldResult<EngineEvent> } {
  return 'result' in next && !next.result.done && next.result.value.type === type;
}

function merged(a: DeltaEvent, b: DeltaEvent): DeltaEvent {
  const logprobs = a.logprobs || b.logprobs ? [...(a.logprobs ?? []), ...(b.logprobs ?? [])] : undefined;
  return { ...a, tokenIds: [...a.tokenIds, ...b.tokenIds], text: a.text + b.text, logprobs };
}

function settle(promise: Promise<IteratorResult<EngineEvent>>): Promise<Next> {
  return promise.then((result) => ({ result }), (error: unknown) => ({ error }));
}

/** The promise's value if it settles before the event loop's next check phase, else undefined. */
function readyNow(pending: Promise<Next>): Promise<Next | undefined> {
  return Promise.race([pending, new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)))]);
}
