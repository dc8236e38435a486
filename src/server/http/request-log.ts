import type { RequestHandler, Response } from 'express';
import type { Logger } from '../logger';

const STARTED = Symbol('requestStarted');
const LOGGER = Symbol('requestLogger');

type Logged = Response & { [STARTED]?: number; [LOGGER]?: Logger };

/**
 * One line per answered request, as pino-http wrote it (`POST /api/telemetry 201 3ms`, with req:
 * method, path and remote address, res: status, responseTime): info for 2xx/3xx, warn for 4xx,
 * error for 5xx (with err). Unlike pino-http it builds nothing for a line the level will drop:
 * pino-http made two child loggers per request and serialised the request into one of them before
 * anything was answered, even at LOG_LEVEL=error (bench/single-ab.ts, docs/PERFORMANCE.md). The
 * listeners are shared functions, so a request costs two listener entries and two properties.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (_req, res, next) => {
    const logged = res as Logged;
    logged[STARTED] = Date.now();
    logged[LOGGER] = logger;
    res.on('finish', onDone);
    res.on('close', onDone);
    next();
  };
}

function onDone(this: Logged): void {
  this.off('finish', onDone);
  this.off('close', onDone);
  const logger = this[LOGGER]!;
  const status = this.statusCode;
  const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const req = this.req;
  const path = (req.originalUrl ?? req.url).split('?')[0];
  const responseTime = Date.now() - this[STARTED]!;
  const line = { req: { method: req.method, url: path, remote: req.socket?.remoteAddress }, res: { status }, responseTime };
  if (status >= 500) logger.error({ ...line, err: new Error(`failed with status code ${status}`) }, `${req.method} ${path} ${status}`);
  else logger[level](line, `${req.method} ${path} ${status} ${Math.round(responseTime)}ms`);
}
