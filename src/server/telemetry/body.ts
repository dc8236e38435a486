import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, createInflate } from 'node:zlib';
import type { Request } from 'express';
import { AppError } from '../http/errors';

const LINE_END = /[\r\n]/;

/**
 * Reads an NDJSON body line by line as it arrives, so a 50,000-reading upload is never held as
 * one string. Blank lines are skipped; a line that is not JSON is kept as a rejected reading.
 *
 * Lines end at `\n`, `\r\n` or a lone `\r`, as node:readline has it; splitting at every CR and LF
 * gives the same non-blank lines (a `\r\n` only adds a blank one, which is skipped). The chunks
 * are split here rather than by readline, whose per-line events cost more than JSON.parse.
 */
export async function readNdjson(req: Request, maxBytes: number, maxItems: number): Promise<unknown[]> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new AppError(413, `request body is larger than the limit of ${maxBytes} bytes`);
  const body = decoded(req);
  const items: unknown[] = [];
  const decoder = new StringDecoder('utf8');
  let bytes = 0;
  let rest = '';
  const take = (line: string) => {
    if (!line.trim()) return;
    if (items.length >= maxItems) throw new AppError(413, `a batch holds at most ${maxItems} readings`);
    try {
      items.push(JSON.parse(line));
    } catch {
      items.push(new MalformedLine(line));
    }
  };
  try {
    // destroyOnReturn: false, as with readline: a 413 for too many readings leaves the socket
    // alone so the answer reaches the client; only an over-long body is cut off.
    for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        if (body !== req) body.destroy();
        req.destroy();
        throw new AppError(413, `request body is larger than the limit of ${maxBytes} bytes`);
      }
      const lines = (rest + decoder.write(chunk)).split(LINE_END);
      rest = lines.pop()!;
      for (const line of lines) take(line);
    }
    take(rest + decoder.end());
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError(400, `could not read the request body: ${(err as Error).message}`);
  }
  return items;
}

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

/** A line of an NDJSON body that is not JSON; the schema rejects it like any bad reading. */
export class MalformedLine {
  constructor(readonly text: string) {}
}
