import { authHeaders } from './client';

/**
 * Server-Sent Events over fetch: EventSource cannot send an Authorization header, and a token in
 * the URL would end up in logs. Calls `onEvent` with each event's parsed data until the stream
 * ends or `signal` aborts.
 */
export async function streamEvents(url: string, onEvent: (data: unknown, event: string) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...authHeaders() }, signal });
  if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (!data.length) continue;
      try {
        onEvent(JSON.parse(data.join('\n')), event);
      } catch {
        onEvent(data.join('\n'), event);
      }
    }
  }
}
