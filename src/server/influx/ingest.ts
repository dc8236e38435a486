import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Request } from 'express';
import type { Precision, RejectedLine } from '../../shared/influx';
import type { NewReading } from '../../shared/telemetry';
import { discardRestOfBody } from '../http/discard-body';
import { AppError } from '../http/errors';
import { LineScanner } from './line-protocol';
import { lineToReading, mergeSameInstant } from './to-reading';

export interface IngestLimits {
  /** decompressed bytes */
  maxBytes: number;
  maxReadings: number;
  deviceTags: readonly string[];
}

export interface ParsedBody {
  /** non-blank, non-comment lines seen */
  lines: number;
  readings: NewReading[];
  rejected: RejectedLine[];
}

/** The request body as a stream of bytes, gunzipped when the client says so. */
function bodyStream(req: Request): Readable {
  const encoding = String(req.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (encoding === 'identity' || encoding === '') return req;
  if (encoding !== 'gzip') throw new AppError(415, `Content-Encoding must be gzip or identity, not ${encoding.slice(0, 40)}`);
  const gunzip = createGunzip();
  req.on('error', (err) => gunzip.destroy(err));
  return req.pipe(gunzip);
}

/**
 * Parses a line-protocol body as it arrives: each decoded chunk goes through the scanner at once,
 * so no string of the whole body is ever built. Every line is validated as a reading on its own;
 * bad lines are collected with their number. The byte limit counts decompressed bytes, so a small
 * gzip bomb cannot expand past it.
 */
export async function parseLineProtocolBody(req: Request, precision: Precision, limits: IngestLimits): Promise<ParsedBody> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limits.maxBytes) throw tooLarge(limits.maxBytes);
  const source = bodyStream(req);
  const scanner = new LineScanner();
  const decoder = new StringDecoder('utf8');
  const now = Date.now();
  const readings: NewReading[] = [];
  const readingLines: number[] = [];
  const rejected: RejectedLine[] = [];
  let lines = 0;
  let bytes = 0;

  const drain = () => {
    for (;;) {
      const r = scanner.next();
      if (r.kind === 'incomplete' || r.kind === 'end') return;
      lines++;
      if (r.kind === 'error') {
        rejected.push({ line: scanner.lineNumber, error: r.message });
        continue;
      }
      const outcome = lineToReading(r.line, precision, limits.deviceTags, now);
      if (!outcome.ok) {
        rejected.push({ line: scanner.lineNumber, error: outcome.error });
        continue;
      }
      if (readings.length >= limits.maxReadings) throw new AppError(413, `a write holds at most ${limits.maxReadings} lines`);
      readings.push(outcome.reading);
      readingLines.push(scanner.lineNumber);
    }
  };

  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > limits.maxBytes) throw tooLarge(limits.maxBytes);
      scanner.push(decoder.write(chunk));
      drain();
    }
    scanner.push(decoder.end());
    scanner.end();
    drain();
  } catch (err) {
    if (source !== req) source.destroy();
    if (err instanceof AppError && err.status === 413) discardRestOfBody(req, limits.maxBytes);
    if (err instanceof AppError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_')) throw new AppError(400, `the body is not valid gzip: ${(err as Error).message}`);
    throw new AppError(400, `could not read the request body: ${(err as Error).message}`);
  }

  const merged = mergeSameInstant(readings, readingLines);
  rejected.push(...merged.errors);
  rejected.sort((a, b) => a.line - b.line);
  return { lines, readings: merged.readings, rejected };
}

const tooLarge = (max: number) => new AppError(413, `request body is larger than the limit of ${max} bytes`);
