import { createInterface } from 'node:readline';
import type { Request } from 'express';
import { AppError } from '../http/errors';

/**
 * Reads an NDJSON body line by line as it arrives, so a 50,000-reading upload is never held as
 * one string. Blank lines are skipped; a line that is not JSON is kept as a rejected reading.
 */
export async function readNdjson(req: Request, maxBytes: number, maxItems: number): Promise<unknown[]> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new AppError(413, `request body is larger than the limit of ${maxBytes} bytes`);
  let bytes = 0;
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > maxBytes) req.destroy(new AppError(413, `request body is larger than the limit of ${maxBytes} bytes`));
  });
  const items: unknown[] = [];
  const lines = createInterface({ input: req, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (!line.trim()) continue;
      if (items.length >= maxItems) throw new AppError(413, `a batch holds at most ${maxItems} readings`);
      try {
        items.push(JSON.parse(line));
      } catch {
        items.push(new MalformedLine(line));
      }
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError(400, `could not read the request body: ${(err as Error).message}`);
  }
  return items;
}

/** A line of an NDJSON body that is not JSON; the schema rejects it like any bad reading. */
export class MalformedLine {
  constructor(readonly text: string) {}
}
