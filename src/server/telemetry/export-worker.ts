import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db/open';
import { createCsvLineFormatter, CSV_HEADER, type RawExportRow } from './csv';
import { DEVICE_NAMES_SQL, exportQuery } from './export-query';
import type { ExportWorkerData } from './export-stream';

/**
 * Runs in a worker thread: scans with its own read-only connection and posts CSV chunks to the
 * main thread. It may run ahead by at most `credits` chunks; when they are used up it sleeps
 * (Atomics.wait) until the HTTP response has drained, so memory stays flat for any row count.
 */
const data = workerData as ExportWorkerData;
const credits = new Int32Array(data.credits);
const CHUNK_BYTES = 64 * 1024;

function waitForCredit(): boolean {
  while (Atomics.load(credits, 0) <= 0) {
    if (Atomics.load(credits, 1) === 1) return false; // cancelled
    Atomics.wait(credits, 0, Atomics.load(credits, 0), 200);
  }
  Atomics.sub(credits, 0, 1);
  return Atomics.load(credits, 1) === 0;
}

function send(text: string, rows: number): boolean {
  if (!waitForCredit()) return false;
  const buf = Buffer.from(text);
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  parentPort!.postMessage({ type: 'chunk', bytes, rows }, buf.byteOffset === 0 && buf.buffer.byteLength === buf.byteLength ? [buf.buffer] : []);
  return true;
}

const db = openDatabase(data.dbPath, { readonly: true });
try {
  const { sql, params } = exportQuery(data.filter, data.order);
  const csvLine = createCsvLineFormatter();
  // One read transaction: the device map and the scan see the same snapshot, so a device created
  // by a concurrent ingest cannot appear in the scan without its id.
  db.exec('BEGIN');
  const deviceIds = new Map(db.prepare(DEVICE_NAMES_SQL).raw().all() as [number, string][]);
  let chunk = data.header ? CSV_HEADER : '';
  let rows = 0;
  let total = 0;
  let alive = true;
  for (const row of db.prepare(sql).raw().iterate(params) as IterableIterator<RawExportRow>) {
    row[1] = deviceIds.get(row[1] as unknown as number) ?? '';
    chunk += csvLine(row);
    rows++;
    if (chunk.length >= CHUNK_BYTES) {
      alive = send(chunk, rows);
      total += rows;
      chunk = '';
      rows = 0;
      if (!alive) break;
    }
  }
  if (alive && chunk.length) send(chunk, rows);
  total += rows;
  db.exec('COMMIT');
  if (alive) parentPort!.postMessage({ type: 'done', rows: total });
} catch (err) {
  parentPort!.postMessage({ type: 'error', message: (err as Error).message });
} finally {
  db.close();
}
