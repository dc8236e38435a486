import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs (one line per event). Credentials never reach a log line: the redact list
 * covers every header and body field that can carry one. `destination` lets tests capture the
 * real output (and prove that no secret reaches it).
 */
export function createLogger(level: string, pretty = false, destination?: DestinationStream): Logger {
  const options = loggerOptions(level);
  if (pretty && !destination) options.transport = { target: 'pino-pretty', options: { colorize: true } };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * The same logger writing every line both to stdout and to `file` (a rotating log file, see
 * support/log-file.ts): stdout for whoever watches the process, the file for the field engineer.
 */
export function createTeeLogger(level: string, pretty: boolean, file: DestinationStream): Logger {
  const stdout = pretty ? pino.transport({ target: 'pino-pretty', options: { colorize: true } }) : pino.destination({ dest: 1, sync: true });
  // streams take everything; the logger's own level filters
  return pino(
    loggerOptions(level),
    pino.multistream([
      { level: 'trace', stream: stdout },
      { level: 'trace', stream: file },
    ]),
  );
}

function loggerOptions(level: string): pino.LoggerOptions {
  return {
    level,
    base: { app: 'smart-oilfield' },
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie', 'password', 'client_secret', 'key', 'token', 'access_token'],
      censor: '[redacted]',
    },
  };
}
