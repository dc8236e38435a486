import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pinoRoll from 'pino-roll';
import type { DestinationStream } from 'pino';

/**
 * Rotating log files, so a field engineer has something to send when the station misbehaved at
 * a wellsite: the desktop app always writes them (in its userData folder), the headless station
 * when LOG_DIR is set. Size-limited, a few files kept: the folder never grows without bound.
 */
export const LOG_FILE_EXTENSION = '.log';
const LOG_FILE_MAX_SIZE = '10m';
const LOG_FILES_KEPT = 5;

export interface LogFileOptions {
  /** file name before the rotation number: `<name>.<n>.log` */
  name?: string;
  /** pino-roll size: '10m', '512k', '2k' */
  maxSize?: string;
  /** files kept in the folder, the current one included */
  keep?: number;
}

export interface LogFile {
  dir: string;
  stream: DestinationStream;
  /** writes what is buffered now (before a crash exit) */
  flushSync(): void;
  /** flushes and closes the file */
  close(): Promise<void>;
}

export async function openLogFile(dir: string, options: LogFileOptions = {}): Promise<LogFile> {
  mkdirSync(dir, { recursive: true });
  const stream = await pinoRoll({
    file: join(dir, options.name ?? 'station'),
    extension: LOG_FILE_EXTENSION,
    size: options.maxSize ?? LOG_FILE_MAX_SIZE,
    // removeOtherLogFiles: files of earlier runs count too, not only the ones this run created
    limit: { count: options.keep ?? LOG_FILES_KEPT, removeOtherLogFiles: true },
  });
  // A log file that cannot be written (disk full, folder removed) must never stop the station: the
  // lines still reach stdout; the first failure is said there once.
  let reported = false;
  stream.on('error', (err: Error) => {
    if (reported) return;
    reported = true;
    process.stderr.write(`log file in ${dir} cannot be written (${err.message}); logging to stdout only\n`);
  });
  let closing: Promise<void> | undefined;
  return {
    dir,
    stream,
    flushSync: () => {
      try {
        stream.flushSync();
      } catch {
        // not ready yet (still opening) or already closed: nothing buffered to lose
      }
    },
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        stream.once('close', () => resolve());
        stream.end();
      })),
  };
}
