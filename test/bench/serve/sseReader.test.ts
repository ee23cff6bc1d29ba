import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sseData } from '../../../src/bench/serve/sseReader.js';

async function collect(pieces: string[]): Promise<string[]> {
  async function* body() {
    for (const piece of pieces) yield new TextEncoder().encode(piece);
  }
  const out = [];
  for await (const data of sseData(body())) out.push(data);
  return out;
}

test('events split anywhere across chunks, CRLF or LF, comments and multi-line data', async () => {
  assert.deepEqual(await collect(['data: {"a"', ':1}\n', '\ndata: [DONE]\n\n']), ['{"a":1}', '[DONE]']);
  assert.deepEqual(await collect([': keep-alive\r\n\r\ndata: x\r\n\r', '\ndata:y\ndata: z\n\n']), ['x', 'y\nz']);
  // a multi-byte character cut between chunks
  const bytes = new TextEncoder().encode('data: é\n\n');
  async function* split() {
    yield bytes.slice(0, 7);
    yield bytes.slice(7);
  }
  const out = [];
  for await (const data of sseData(split())) out.push(data);
  assert.deepEqual(out, ['é']);
  assert.deepEqual(await collect(['data: last-without-blank-line']), ['last-without-blank-line']);
});
