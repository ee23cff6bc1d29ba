// The `data:` payloads of a server-sent-events body, as they arrive.

export async function* sseData(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of body) {
    // normalized on the whole buffer, so a CRLF split between two chunks is caught too
    buffer = (buffer + decoder.decode(bytes, { stream: true })).replaceAll('\r\n', '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const data = eventData(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (data !== undefined) yield data;
    }
  }
  const rest = eventData(buffer + decoder.decode());
  if (rest !== undefined) yield rest;
}

/** An event's data lines joined by newlines (the SSE rule), or undefined for an event without data. */
function eventData(block: string): string | undefined {
  const lines = block.split('\n').filter((line) => line.startsWith('data:'));
  if (lines.length === 0) return undefined;
  return lines.map((line) => line.slice(line.startsWith('data: ') ? 6 : 5)).join('\n');
}
