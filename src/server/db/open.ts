import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * Every connection is opened here so the pragmas are never forgotten. WAL lets readers (exports,
 * worker threads) run beside the single writer; synchronous=NORMAL is durable across process
 * crashes in WAL mode and only risks the last transactions on power loss.
 */
export function openDatabase(file: string, options: { readonly?: boolean } = {}): Db {
  if (!options.readonly) mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // Test-only: caps the file so SQLite reports a real SQLITE_FULL (test/reliability/disk.test.ts).
    const maxPages = Number(process.env.DB_MAX_PAGE_COUNT);
    if (Number.isSafeInteger(maxPages) && maxPages > 0) db.pragma(`max_page_count = ${maxPages}`);
  }
  db.pragma('foreign_keys = ON');
  db.pragma('cache_size = -32000');
  db.pragma('temp_store = MEMORY');
  return db;
}

/** Lets SQLite refresh its planner statistics, then closes. */
export function closeDatabase(db: Db): void {
  if (!db.open) return;
  try {
    if (!db.readonly) db.pragma('optimize');
  } finally {
    db.close();
  }
}
