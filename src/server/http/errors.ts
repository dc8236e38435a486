import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { z } from 'zod';
import type { FieldError, Problem } from '../../shared/problem';
import type { Logger } from '../logger';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  421: 'Misdirected Request',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** An error meant for the client: it becomes an application/problem+json response as is. */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly extra: { errors?: FieldError[]; type?: string; headers?: Record<string, string>; [k: string]: unknown } = {},
  ) {
    super(detail);
  }
}

export const notFound = (what: string) => new AppError(404, `${what} not found`);

/** Turns zod issues into `{path, message}` pairs a form can show next to its fields. */
export function fieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: issue.message,
  }));
}

export function problemBody(status: number, detail: string, extra: Record<string, unknown> = {}): Problem {
  const { headers: _headers, type, ...rest } = extra as { headers?: unknown; type?: string };
  return {
    type: type ?? (status >= 500 ? 'about:blank' : `https://smart-oilfield.local/problems/${status}`),
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...rest,
  };
}

function sendProblem(res: Parameters<RequestHandler>[1], status: number, detail: string, extra: Record<string, unknown> = {}) {
  const headers = (extra.headers ?? {}) as Record<string, string>;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify(problemBody(status, detail, extra)));
}

/** 404 for any route nobody answered. */
export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(res, 404, `no route for ${req.method} ${req.path}`);
};

/** Errors thrown by body parsers carry `type` and `status`; map them to clear problems. */
function fromParserError(err: { type?: string; status?: number; message?: string; limit?: number }): AppError | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      return new AppError(400, `malformed JSON: ${err.message ?? 'cannot parse body'}`);
    case 'entity.too.large':
      return new AppError(413, `request body is larger than the limit of ${err.limit} bytes`);
    case 'encoding.unsupported':
      return new AppError(415, err.message ?? 'unsupported content encoding');
    case 'request.aborted':
      return new AppError(400, 'request aborted by the client');
    case 'charset.unsupported':
      return new AppError(415, err.message ?? 'unsupported charset');
    default:
      return undefined;
  }
}

/**
 * SQLite faults of the disk or of contention, not of the request: the write transaction has
 * rolled back as a whole, nothing was acknowledged, and the same request will succeed once the
 * fault clears (space freed, directory writable again, the other writer done). So 503 with a
 * Retry-After, which device gateways (Telegraf, Node-RED) treat as "keep it and retry".
 */
const STORAGE_FAULTS: { match: RegExp; detail: string }[] = [
  { match: /^SQLITE_FULL/, detail: 'the database disk is full; nothing from this request was stored, retry once space is freed' },
  { match: /^SQLITE_READONLY/, detail: 'the database is read-only right now; nothing from this request was stored, retry later' },
  { match: /^SQLITE_IOERR/, detail: 'the database disk reported an I/O error; nothing from this request was stored, retry later' },
  { match: /^SQLITE_CANTOPEN/, detail: 'the database file cannot be opened; nothing from this request was stored, retry later' },
  { match: /^SQLITE_(BUSY|LOCKED)/, detail: 'the database is busy; nothing from this request was stored, retry shortly' },
];

/**
 * The same kind of fault from Node's file system (it names a `path`), when a request writes a file
 * into DATA_DIR (settings.json): the data directory refused, not the request. The path is logged,
 * not returned.
 */
const FILE_FAULTS: Record<string, string> = {
  EACCES: 'the station has no permission to use a file in its data directory',
  EPERM: 'the station has no permission to use a file in its data directory',
  EROFS: 'the data directory is on a read-only file system',
  ENOSPC: 'the data directory disk is full',
  EDQUOT: 'the disk quota of the data directory is used up',
  EIO: 'the data directory disk reported an I/O error',
};

/** A file-system fault in words without its path (for task errors users read), or undefined. */
export function describeFileFault(err: unknown): string | undefined {
  const { code, path } = (err ?? {}) as { code?: unknown; path?: unknown };
  if (typeof code !== 'string' || typeof path !== 'string') return undefined;
  return `${FILE_FAULTS[code] ?? 'a file in the data directory could not be used'} (${code})`;
}

function fromStorageError(err: unknown, logger: Logger): AppError | undefined {
  const { code, path } = (err ?? {}) as { code?: unknown; path?: unknown };
  if (typeof code !== 'string') return undefined;
  const fileFault = typeof path === 'string' ? FILE_FAULTS[code] : undefined;
  const detail = fileFault ? `${fileFault}; nothing was changed, retry later` : STORAGE_FAULTS.find((f) => f.match.test(code))?.detail;
  if (!detail) return undefined;
  logger.error({ code, err }, 'storage fault');
  return new AppError(503, detail, {
    type: 'https://smart-oilfield.local/problems/storage-unavailable',
    code,
    headers: { 'Retry-After': /BUSY|LOCKED/.test(code) ? '1' : '10' },
  });
}

/**
 * The last middleware. Client errors keep their detail; anything unexpected is logged with its
 * stack and answered with a generic 500 that leaks no SQL or stack trace.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const appErr = err instanceof AppError ? err : (fromParserError(err ?? {}) ?? fromStorageError(err, logger));
    if (res.headersSent) {
      // A streamed response (export) failed midway: all we can do is cut it, so the client sees
      // a truncated transfer instead of a file that looks complete.
      logger.error({ err, url: req.originalUrl }, 'error after response started');
      res.destroy(err instanceof Error ? err : undefined);
      return;
    }
    if (appErr) {
      sendProblem(res, appErr.status, appErr.detail, appErr.extra);
      return;
    }
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status >= 500) logger.error({ err, url: req.originalUrl }, 'unhandled error');
    sendProblem(res, status, status >= 500 ? 'the station hit an unexpected error; it has been logged' : String(err.message ?? 'bad request'));
  };
}
