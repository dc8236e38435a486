import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, createInflate } from 'node:zlib';
import type { Request } from 'express';
import { discardRestOfBody } from '../http/discard-body';
import { AppError } from '../http/errors';

/**
 * The longest NDJSON line, in characters. One reading with every extra field at its longest is
 * about 50 KB of JSON; a line of megabytes is an attack or a client that forgot its newlines.
 */
export const MAX_NDJSON_LINE_CHARS = 1024 * 1024;

const LINE_END = /[\r\n]/g;

/**
 * Reads an NDJSON body line by line as it arrives, so a 50,000-reading upload is never held as
 * one string. Blank lines are skipped; a line that is not JSON is kept as a rejected reading.
 *
 * Lines end at `\n`, `\r\n` or a lone `\r`, as node:readline has it; splitting at every CR and LF
 * gives the same non-blank lines (a `\r\n` only adds a blank one, which is skipped).
 *
 * Linear in the body: each chunk is searched for line ends once, and the unfinished start of a
 * line is kept as a list of pieces joined only when its end arrives (re-scanning an unfinished
 * line per chunk made one 33 MB line cost a minute of CPU). A line longer than
 * MAX_NDJSON_LINE_CHARS is rejected as a reading and skipped without being kept.
 */
export async function readNdjson(req: Request, maxBytes: number, maxItems: number): Promise<unknown[]> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const body = decoded(req);
  const items: unknown[] = [];
  const decoder = new StringDecoder('utf8');
  let bytes = 0;
  let pending: string[] = [];
  let pendingChars = 0;
  let skipping = false;
  const take = (line: string) => {
    if (!line.trim()) return;
    push(() => {
      try {
        return JSON.parse(line) as unknown;
      } catch {
        return new MalformedLine(line.slice(0, 200));
      }
    });
  };
  const push = (item: () => unknown) => {
    if (items.length >= maxItems) throw new AppError(413, `a batch holds at most ${maxItems} readings`);
    items.push(item());
  };
  const feed = (text: string) => {
    let start = 0;
    LINE_END.lastIndex = 0;
    for (let m = LINE_END.exec(text); m; m = LINE_END.exec(text)) {
      const piece = text.slice(start, m.index);
      start = m.index + 1;
      if (skipping) {
        skipping = false;
      } else if (pending.length) {
        pending.push(piece);
        const line = pending.join('');
        pending = [];
        pendingChars = 0;
        if (line.length > MAX_NDJSON_LINE_CHARS) push(() => new MalformedLine(line.slice(0, 200), tooLongLine));
        else take(line);
      } else if (piece.length > MAX_NDJSON_LINE_CHARS) {
        push(() => new MalformedLine(piece.slice(0, 200), tooLongLine));
      } else {
        take(piece);
      }
    }
    if (skipping || start === text.length) return;
    const tail = start === 0 ? text : text.slice(start);
    pending.push(tail);
    pendingChars += tail.length;
    if (pendingChars > MAX_NDJSON_LINE_CHARS) {
      push(() => new MalformedLine(pending[0]!.slice(0, 200), tooLongLine));
      pending = [];
      pendingChars = 0;
      skipping = true;
    }
  };
  try {
    // destroyOnReturn: false, as with readline: a 413 leaves the socket alone so the answer
    // reaches the client.
    for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        if (body !== req) body.destroy();
        throw tooLarge(maxBytes);
      }
      feed(decoder.write(chunk));
    }
    feed(decoder.end());
    if (!skipping && pending.length) take(pending.join(''));
  } catch (err) {
    if (err instanceof AppError) {
      if (err.status === 413) discardRestOfBody(req, maxBytes);
      throw err;
    }
    throw new AppError(400, `could not read the request body: ${(err as Error).message}`);
  }
  return items;
}

const tooLongLine = `the line is longer than ${MAX_NDJSON_LINE_CHARS} characters`;

const tooLarge = (maxBytes: number) => new AppError(413, `request body is larger than the limit of ${maxBytes} bytes (after decompression)`);

/**
 * The body as sent, inflated when it is gzip or deflate (as express.json does for JSON bodies).
 * The size limit is applied to the inflated bytes, so a small compressed bomb is still a 413.
 */
function decoded(req: Request): Readable {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (encoding === 'identity') return req;
  if (encoding !== 'gzip' && encoding !== 'deflate') {
    throw new AppError(415, `Content-Encoding ${encoding.slice(0, 40)} is not supported (use gzip, deflate or none)`);
  }
  const inflate = encoding === 'gzip' ? createGunzip() : createInflate();
  req.on('error', (err) => inflate.destroy(err));
  return req.pipe(inflate);
}

/** A line of an NDJSON body that is not a reading's JSON; it is reported like any bad reading. */
export class MalformedLine {
  constructor(
    /** the start of the line, for logs */
    readonly text: string,
    readonly reason = 'not valid JSON',
  ) {}
}
