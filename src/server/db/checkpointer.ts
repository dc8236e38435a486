import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger';
import { workerEntry } from '../paths';
import type { Db } from './open';

export interface CheckpointWorkerData {
  dbPath: string;
  intervalMs: number;
}

/** SQLite's default: the writer checkpoints inline once the WAL holds this many pages (4 MB). */
const INLINE_PAGES = 1000;
/** With the background checkpointer, the writer only steps in past 64 MB (it fell behind). */
const BACKSTOP_PAGES = 16_384;
const INTERVAL_MS = 250;

/**
 * Moves WAL checkpoints off the thread that serves requests. By default SQLite checkpoints inside
 * the commit that pushes the WAL past 1,000 pages: copying pages into the database file and
 * syncing it, on the main thread, in the middle of an ingest request (a fifth of write time under
 * load). A worker thread checkpoints instead; the writer keeps a far larger inline threshold as a
 * backstop, and goes back to the default if the worker fails, so the WAL stays bounded either way.
 */
export function startCheckpointer(db: Db, dbPath: string, logger: Logger): { stop(): Promise<void> } {
  const data: CheckpointWorkerData = { dbPath, intervalMs: INTERVAL_MS };
  let worker: Worker;
  try {
    const entry = workerEntry('checkpoint-worker', 'db/checkpoint-worker.ts');
    worker = new Worker(entry.file, { workerData: data, execArgv: entry.execArgv });
  } catch (err) {
    // a missing worker bundle must not stop the station: the writer checkpoints inline as before
    logger.warn({ err }, 'background checkpointer unavailable; the writer checkpoints inline');
    return { stop: async () => undefined };
  }
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  let stopping = false;
  const exited = once(worker, 'exit');
  worker.on('error', (err) => {
    logger.warn({ err }, 'background checkpointer failed; the writer checkpoints inline again');
    if (db.open) db.pragma(`wal_autocheckpoint = ${INLINE_PAGES}`);
  });
  worker.on('exit', (code) => {
    if (!stopping && code !== 0 && db.open) db.pragma(`wal_autocheckpoint = ${INLINE_PAGES}`);
  });
  return {
    async stop() {
      stopping = true;
      worker.postMessage('stop');
      const timeout = setTimeout(() => void worker.terminate(), 2_000);
      await exited.catch(() => undefined);
      clearTimeout(timeout);
    },
  };
}
