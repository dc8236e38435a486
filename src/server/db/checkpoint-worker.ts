import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { CheckpointWorkerData } from './checkpointer';

/**
 * Runs in a worker thread: copies committed WAL pages into the database file (a PASSIVE
 * checkpoint never blocks the writer) every few hundred milliseconds, with a connection of its
 * own. A checkpoint that finds nothing to copy costs a WAL-header read.
 */
const data = workerData as CheckpointWorkerData;
const db = new Database(data.dbPath, { fileMustExist: true });
db.pragma('busy_timeout = 0'); // never wait for a lock: the next tick tries again

const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // busy or a transient disk fault: the writer's own backstop checkpoint covers a long outage
  }
}, data.intervalMs);

parentPort!.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort!.close();
});
