import { createParser } from 'eventsource-parser';
import { authHeaders } from './client';

/** Reconnects after a dropped stream before giving up (the caller then falls back to polling). */
const MAX_RECONNECTS = 5;
/** Wait before reconnecting, unless the server set its own with `retry:`. */
const DEFAULT_RETRY_MS = 1000;

/** The server answered, and not with a stream: reconnecting would get the same answer. */
class StreamRefused extends Error {}

/**
 * Server-Sent Events over fetch: EventSource cannot send an Authorization header, and a token in
 * the URL would end up in logs. Parsing follows the SSE specification (eventsource-parser): field
 * values lose exactly one leading space, `data:` lines join with newlines, comments are ignored.
 * Calls `onEvent` with each event's data (parsed as JSON when it is JSON) until the server ends the
 * stream or `signal` aborts. A dropped connection is reopened like EventSource does (with
 * `Last-Event-ID` when the server sent ids, after its `retry:` delay); after MAX_RECONNECTS failed
 * tries in a row, or an HTTP error answer, the returned promise rejects.
 */
export async function streamEvents(url: string, onEvent: (data: unknown, event: string) => void, signal: AbortSignal): Promise<void> {
  let lastId: string | undefined;
  let retryMs = DEFAULT_RETRY_MS;
  let failures = 0;
  const parser = createParser({
    onEvent: (message) => {
      if (message.id !== undefined) lastId = message.id;
      let data: unknown = message.data;
      try {
        data = JSON.parse(message.data);
      } catch {
        // not JSON: the text as sent
      }
      onEvent(data, message.event ?? 'message');
    },
    onRetry: (ms) => (retryMs = ms),
  });
  for (;;) {
    try {
      await readOnce(url, lastId, parser, signal, () => (failures = 0));
      return;
    } catch (err) {
      if (signal.aborted || err instanceof StreamRefused || ++failures > MAX_RECONNECTS) throw err;
      parser.reset();
      await new Promise((resolve) => setTimeout(resolve, retryMs));
      if (signal.aborted) throw err;
    }
  }
}

async function readOnce(
  url: string,
  lastId: string | undefined,
  parser: { feed(chunk: string): void },
  signal: AbortSignal,
  onOpen: () => void,
): Promise<void> {
  const headers: Record<string, string> = { accept: 'text/event-stream', ...authHeaders() };
  if (lastId !== undefined) headers['last-event-id'] = lastId;
  const res = await fetch(url, { headers, signal });
  if (!res.ok || !res.body) throw new StreamRefused(`events: HTTP ${res.status}`);
  onOpen();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    parser.feed(value);
  }
}
