import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import pinoRoll from 'pino-roll';

/**
 * The desktop shell's own log (station crashes and restarts, failed saves), beside the station's
 * in the logs folder so "Save diagnostics" and the engineer's zip hold both. The station process
 * writes its own files there (station.N.log); the main process imports no station code.
 */
export async function openDesktopLog(dir: string): Promise<Logger> {
  const options = { base: { app: 'smart-oilfield', process: 'desktop' } };
  const stdout = pino.destination({ dest: 1, sync: true });
  let file;
  try {
    mkdirSync(dir, { recursive: true });
    file = await pinoRoll({ file: join(dir, 'desktop'), extension: '.log', size: '5m', limit: { count: 3, removeOtherLogFiles: true } });
  } catch (err) {
    // the app must open even where its logs cannot be kept
    const logger = pino(options, stdout);
    logger.warn({ err, dir }, 'log files unavailable; logging to stdout only');
    return logger;
  }
  file.on('error', () => undefined); // a full disk drops log lines; it never takes the app down
  return pino(
    options,
    pino.multistream([
      { level: 'info', stream: stdout },
      { level: 'info', stream: file },
    ]),
  );
}

/** `smart-oilfield-diagnostics-2026-12-06T0412.json`: sorts by time, safe on every file system. */
export function diagnosticsFileName(now: Date): string {
  return `smart-oilfield-diagnostics-${now.toISOString().slice(0, 16).replace(':', '')}.json`;
}
