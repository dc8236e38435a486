import { parentPort, workerData } from 'node:worker_threads';
import { readDatabaseHealth } from './db-health';

/** Runs in a worker thread: the integrity check and row counts never block the station's requests. */
const { path } = workerData as { path: string };
try {
  parentPort!.postMessage({ ok: true, health: readDatabaseHealth(path) });
} catch (err) {
  parentPort!.postMessage({ ok: false, message: (err as Error).message });
}
