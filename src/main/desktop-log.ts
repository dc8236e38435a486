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
  mkdirSync(dir, { recursive: true });
  const file = await pinoRoll({ file: join(dir, 'desktop'), extension: '.log', size: '5m', limit: { count: 3, removeOtherLogFiles: true } });
  return pino(
    { base: { app: 'smart-oilfield', process: 'desktop' } },
    pino.multistream([
      { level: 'info', stream: pino.destination({ dest: 1, sync: true }) },
      { level: 'info', stream: file },
    ]),
  );
}

/** `smart-oilfield-diagnostics-2026-12-06T0412.json`: sorts by time, safe on every file system. */
export function diagnosticsFileName(now: Date): string {
  return `smart-oilfield-diagnostics-${now.toISOString().slice(0, 16).replace(':', '')}.json`;
}
