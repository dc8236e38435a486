import { once } from 'node:events';
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { workerEntry } from '../paths';

/** What support needs to know about a station's database, read with a connection of its own. */
export interface DatabaseHealth {
  path: string;
  /** the database file, its WAL and shared-memory file, in bytes (0 when absent) */
  bytes: { db: number; wal: number; shm: number };
  sqliteVersion: string;
  schemaVersion: number;
  journalMode: string;
  pageSize: number;
  pageCount: number;
  freelistCount: number;
  /** PRAGMA integrity_check: ['ok'] when healthy, else its first 20 findings */
  integrity: string[];
  rowCounts: Record<string, number>;
}

const size = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

/**
 * Reads the health of the database at `path` read-only. integrity_check reads every page (seconds
 * on millions of rows), so the station runs this in a worker thread: ingest goes on meanwhile.
 */
export function readDatabaseHealth(path: string): DatabaseHealth {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const pragma = <T>(name: string) => db.pragma(name, { simple: true }) as T;
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
    const rowCounts = Object.fromEntries(
      // names come from sqlite_schema itself; quoting keeps any odd name a name
      tables.map((t) => [
        t,
        db
          .prepare(`SELECT COUNT(*) FROM "${t.replaceAll('"', '""')}"`)
          .pluck()
          .get() as number,
      ]),
    );
    const integrity = (db.prepare('PRAGMA integrity_check(20)').pluck().all() as string[]).slice(0, 20);
    return {
      path,
      bytes: { db: size(path), wal: size(`${path}-wal`), shm: size(`${path}-shm`) },
      sqliteVersion: db.prepare('SELECT sqlite_version()').pluck().get() as string,
      schemaVersion: pragma<number>('user_version'),
      journalMode: pragma<string>('journal_mode'),
      pageSize: pragma<number>('page_size'),
      pageCount: pragma<number>('page_count'),
      freelistCount: pragma<number>('freelist_count'),
      integrity,
      rowCounts,
    };
  } finally {
    db.close();
  }
}

/** readDatabaseHealth in a worker thread, so the station's event loop keeps serving. */
export async function readDatabaseHealthInWorker(path: string): Promise<DatabaseHealth> {
  const entry = workerEntry('db-health-worker', 'support/db-health-worker.ts');
  const worker = new Worker(entry.file, { workerData: { path }, execArgv: entry.execArgv });
  const [message] = (await Promise.race([once(worker, 'message'), once(worker, 'error').then(([err]) => Promise.reject(err))])) as [
    { ok: true; health: DatabaseHealth } | { ok: false; message: string },
  ];
  await worker.terminate();
  if (!message.ok) throw new Error(message.message);
  return message.health;
}
