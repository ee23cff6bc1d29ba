import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, test } from 'node:test';
import { post, sseEvents, startHarness, waitFor } from './support/harness.js';

/** POSTs with node:http and hands back the request once the first body bytes arrive. */
function postUntilFirstBytes(url: string, path: string, body: unknown): Promise<{ request: http.ClientRequest; first: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.once('data', (chunk: Buffer) => resolve({ request, first: chunk.toString() }));
    });
    request.on('error', (e) => (request.destroyed ? undefined : reject(e)));
    request.end(JSON.stringify(body));
  });
}

describe('client disconnects abort the engine request', () => {
  test('mid-stream', async () => {
    const h = await startHarness({ tokenDelayMs: 5 });
    try {
      const { request, first } = await postUntilFirstBytes(h.url, '/v1/completions', { prompt: 'a', max_tokens: 200, stream: true });
      assert.match(first, /^data: /);
      const id = h.engine.requests.at(-1)!.requestId;
      assert.deepEqual(h.engine.aborts, []);
      request.destroy();
      await waitFor(() => h.engine.aborts.includes(id), 'the abort');
      await waitFor(() => h.server.context.engine.stats().running === 0, 'the engine to drop the request');
    } finally {
      await h.close();
    }
  });

  test('while a non-streamed request waits, every one of its n choices', async () => {
    const h = await startHarness({ tokenDelayMs: 5 });
    try {
      const controller = new AbortController();
      const pending = fetch(`${h.url}/v1/completions`, { method: 'POST', signal: controller.signal,
        headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: 'a', max_tokens: 200, n: 2 }) });
      await waitFor(() => h.engine.stats().running === 2, 'both choices to run');
      controller.abort();
      await assert.rejects(pending);
      await waitFor(() => h.engine.aborts.length === 2, 'two aborts');
      assert.deepEqual(h.engine.aborts.sort(), h.engine.requests.map((r) => r.requestId).sort());
    } finally {
      await h.close();
    }
  });
});

describe('engine failures', () => {
  test('an engine error is a 500 in the error shape, or an error event in a stream', async () => {
    const h = await startHarness({ failWith: 'out of memory' });
    try {
      const whole = await post(h.url, '/v1/completions', { prompt: 'a' });
      assert.equal(whole.status, 500);
      assert.equal(whole.json.error.type, 'server_error');
      assert.match(whole.json.error.message, /out of memory/);
      const streamed = await post(h.url, '/v1/completions', { prompt: 'a', stream: true });
      // nothing was sent before the failure, so the status can still say it
      assert.equal(streamed.status, 500);
      assert.match(streamed.json.error.message, /out of memory/);
      const chat = await post(h.url, '/v1/chat/completions', { messages: [{ role: 'user', content: 'a' }], stream: true });
      assert.equal(chat.status, 500);
      assert.equal(chat.json.error.type, 'server_error');
    } finally {
      await h.close();
    }
  });
});

describe('graceful shutdown', () => {
  test('refuses new requests with 503, aborts running ones, closes the engine', async () => {
    const h = await startHarness({ tokenDelayMs: 5 });
    const whole = post(h.url, '/v1/completions', { prompt: 'a', max_tokens: 200 });
    const streamed = post(h.url, '/v1/chat/completions', { messages: [{ role: 'user', content: 'a' }], max_tokens: 200, stream: true });
    await waitFor(() => h.engine.stats().running === 2, 'both requests to run');
    await new Promise((resolve) => setTimeout(resolve, 30));
    const admission = h.server.context.admission;
    admission.beginShutdown();
    const refused = await post(h.url, '/health', {});
    assert.equal(refused.status, 503);
    const refusedGet = await fetch(`${h.url}/v1/models`);
    assert.equal(refusedGet.status, 503);
    assert.equal((await refusedGet.json()).error.code, 'shutting_down');
    await h.server.shutdown();
    assert.equal(h.engine.closed, true);
    assert.equal(h.engine.aborts.length, 2);
    const wholeRes = await whole;
    assert.equal(wholeRes.status, 503);
    assert.equal(wholeRes.json.error.type, 'service_unavailable_error');
    const events = sseEvents((await streamed).text);
    assert.equal((await streamed).status, 200);
    assert.deepEqual((events.at(-2) as any).error.code, 'shutting_down');
    assert.equal(events.at(-1), '[DONE]');
    await assert.rejects(fetch(`${h.url}/health`));
  });
});
