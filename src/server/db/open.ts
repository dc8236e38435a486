import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ensurePrivateDir, ensurePrivateFile, tightenFile } from '../files/private';

export type Db = Database.Database;

/** The database exists but this process may not write it (the file system, not the configuration); the message names the fix. */
export class DatabaseNotWritableError extends Error {
  override name = 'DatabaseNotWritableError';
}

/**
 * Every connection is opened here so the pragmas are never forgotten. WAL lets readers (exports,
 * worker threads) run beside the single writer; synchronous=NORMAL is durable across process
 * crashes in WAL mode and only risks the last transactions on power loss.
 */
export function openDatabase(file: string, options: { readonly?: boolean; maxPageCount?: number } = {}): Db {
  // SQLite gives the -wal and -shm files the mode of the database file, so making that one 0600
  // before SQLite creates it covers all three; files of older installs are tightened here too.
  if (!options.readonly) {
    ensurePrivateDir(dirname(file));
    if (!existsSync(file)) ensurePrivateFile(file);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) tightenFile(f);
  }
  const db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  if (!options.readonly) {
    assertWritable(db, file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // Reads of the writer connection (it answers the API's queries) come straight from the OS page
    // cache instead of being copied into SQLite's: a month of one device's readings, downsampled,
    // ran 2.5x faster on 2 million rows, and covering a 10-million-row file (700 MB) whole halved
    // stats over a week against a 256 MB map. Up to SQLite's 2 GB limit; writes still go through
    // write(), so a full disk stays an SQLITE_FULL error. File-backed pages show in RSS but are
    // the kernel's to reclaim.
    db.pragma('mmap_size = 2147418112');
    // Test-only (DB_MAX_PAGE_COUNT): caps the file so SQLite reports a real SQLITE_FULL (test/reliability/disk.test.ts).
    if (options.maxPageCount !== undefined) db.pragma(`max_page_count = ${Math.floor(options.maxPageCount)}`);
  }
  db.pragma('foreign_keys = ON');
  db.pragma('cache_size = -32000');
  db.pragma('temp_store = MEMORY');
  return db;
}

/**
 * SQLite opens a file it may not write (read-only data dir or files, read-only mount) read-only
 * without a word, and the connection stays read-only after the directory is writable again:
 * the station would run on, refusing every write until restarted, with /health saying ok.
 * So a writer proves it can write (a rolled-back no-op write: user_version set to itself)
 * and refuses to start with a clear message instead; the process supervisor or the user
 * starts it again once the directory is fixed.
 */
function assertWritable(db: Db, file: string): void {
  try {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.pragma(`user_version = ${Number(db.pragma('user_version', { simple: true }))}`);
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
    }
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !/^SQLITE_(READONLY|CANTOPEN)/.test(code)) throw err;
    db.close();
    throw new DatabaseNotWritableError(
      `the database ${file} cannot be written by this process (${code}): make ${dirname(file)} and the files in it writable by the user the station runs as, then start it again`,
    );
  }
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
