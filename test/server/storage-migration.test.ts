import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMigrations, migrate, type LayoutProgress } from '../../src/server/db/migrate';
import { closeDatabase, openDatabase, type Db } from '../../src/server/db/open';
import { TombstoneRepository } from '../../src/server/influx/tombstones';
import { TelemetryRepository } from '../../src/server/telemetry/repository';
import { buildLegacyDb, READING_COLUMNS } from './storage-legacy-db';

/**
 * Migration 012 moves telemetry into a table clustered by (device, ts). A database written by the
 * release before it (rowid table, AUTOINCREMENT ids, deletes, replacements, tombstones, batches) is
 * migrated and compared, row by row, with a copy taken before: every reading keeps its id and
 * values, nothing else changes, and ids handed out afterwards continue above every id ever used.
 */
const dir = mkdtempSync(join(tmpdir(), 'storage-migration-'));
const open: Db[] = [];
afterAll(() => {
  for (const db of open) closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

const UNCHANGED_TABLES = ['devices', 'influx_tombstones', 'influx_forwarder', 'oil_batches', 'oil_events', 'users', 'api_keys'];

/** Builds a legacy database and keeps a copy of it, untouched, to compare against. */
function legacyPair(name: string, rows: number): { file: string; before: string } {
  const file = join(dir, `${name}.db`);
  const before = join(dir, `${name}-before.db`);
  buildLegacyDb(file, rows);
  copyFileSync(file, before);
  return { file, before };
}

function openAttached(file: string, before: string): Db {
  const db = openDatabase(file);
  open.push(db);
  db.prepare(`ATTACH DATABASE ? AS before`).run(before);
  return db;
}

/** Rows in one query's result that the other lacks, both ways (0 and 0: the same multiset of rows, given equal counts). */
function difference(db: Db, now: string, then: string): { missing: number; extra: number; now: number; then: number } {
  const count = (sql: string) => db.prepare(`SELECT COUNT(*) FROM (${sql})`).pluck().get() as number;
  return { missing: count(`${then} EXCEPT ${now}`), extra: count(`${now} EXCEPT ${then}`), now: count(now), then: count(then) };
}

function expectSameData(db: Db): void {
  const readings = difference(db, `SELECT ${READING_COLUMNS} FROM main.telemetry`, `SELECT ${READING_COLUMNS} FROM before.telemetry`);
  expect(readings).toEqual({ missing: 0, extra: 0, now: readings.then, then: readings.then });
  for (const table of UNCHANGED_TABLES) {
    const d = difference(db, `SELECT * FROM main.${table}`, `SELECT * FROM before.${table}`);
    expect({ table, ...d }).toEqual({ table, missing: 0, extra: 0, now: d.then, then: d.then });
  }
}

describe('migration 012: telemetry clustered by (device, ts)', () => {
  it('when a 1,000,000-row database of the previous layout is opened, then every reading keeps its id and values and new ids continue above the old counter', () => {
    const { file, before } = legacyPair('million', 1_000_000);
    const db = openAttached(file, before);
    const progress: LayoutProgress[] = [];
    migrate(db, undefined, (p) => progress.push(p));

    expect(db.pragma('user_version', { simple: true })).toBe(loadMigrations().length);
    expect(db.prepare(`SELECT COUNT(*) FROM main.sqlite_master WHERE name = 'telemetry_legacy'`).pluck().get()).toBe(0);
    expectSameData(db);
    const moved = db.prepare(`SELECT COUNT(*) FROM before.telemetry`).pluck().get() as number;
    expect(moved).toBeGreaterThan(990_000);
    expect(progress.at(-1)).toMatchObject({ phase: 'done', moved, inNewLayout: moved, total: moved, resumedAt: 0, fraction: 1 });
    expect(progress.length).toBeGreaterThan(10); // in batches, not one transaction
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');

    // the highest id ever handed out was deleted before the migration: it is not handed out again
    const oldSeq = db.prepare(`SELECT seq FROM before.sqlite_sequence WHERE name = 'telemetry'`).pluck().get() as number;
    expect(db.prepare(`SELECT MAX(id) FROM main.telemetry`).pluck().get()).toBeLessThan(oldSeq);
    const repo = new TelemetryRepository(db);
    const outcome = repo.write([{ device_id: 'well-001', ts: Date.UTC(2030, 0, 1), temperature: 1 }]);
    expect(outcome).toMatchObject({ inserted: 1, lastId: oldSeq + 1 });
    expect(repo.get(oldSeq + 1)).toMatchObject({ device_id: 'well-001', temperature: 1 });

    // a delete's tombstone records the highest id handed out, so the mirror orders it correctly
    const tombstones = new TombstoneRepository(db);
    expect(repo.delete(oldSeq + 1, () => tombstones.record('well-001', Date.UTC(2030, 0, 1)))).toBe(true);
    const last = tombstones.pending(0, 1_000_000).at(-1)!;
    expect(last).toMatchObject({ device_id: 'well-001', after_id: oldSeq + 1 });
    expect(repo.write([{ device_id: 'well-001', ts: Date.UTC(2030, 0, 1), temperature: 2 }]).lastId).toBe(oldSeq + 2);
    // building, moving and comparing a million rows: ~20 s on a quiet 2-core machine, 40 s+ at load 15
  }, 180_000);

  it('when the move stops after some batches (the process dies), then the next start finishes it and nothing is lost or doubled', () => {
    const { file, before } = legacyPair('interrupted', 200_000);
    const first = openDatabase(file);
    let batches = 0;
    expect(() =>
      migrate(first, undefined, () => {
        if (++batches === 2) throw new Error('killed');
      }),
    ).toThrow('killed');
    // half way: each reading is in exactly one of the two tables
    const split = first.prepare(`SELECT (SELECT COUNT(*) FROM telemetry) AS moved, (SELECT COUNT(*) FROM telemetry_legacy) AS left`).get() as {
      moved: number;
      left: number;
    };
    expect(split.moved).toBeGreaterThan(0);
    expect(split.left).toBeGreaterThan(0);
    closeDatabase(first);

    const db = openAttached(file, before);
    expect(split.moved + split.left).toBe(db.prepare(`SELECT COUNT(*) FROM before.telemetry`).pluck().get());
    const progress: LayoutProgress[] = [];
    migrate(db, undefined, (p) => progress.push(p));
    expect(progress.at(-1)).toMatchObject({ phase: 'done', moved: split.left, resumedAt: split.moved, total: split.moved + split.left });
    expectSameData(db);
  });

  it('when a writer that gives no id inserts (a script, the sqlite3 CLI), then the row gets the next id', () => {
    const db = openDatabase(join(dir, 'raw.db'));
    open.push(db);
    migrate(db);
    const repo = new TelemetryRepository(db);
    const { lastId } = repo.write([{ device_id: 'well-9', ts: 1_000, temperature: 1 }]);
    const ref = repo.deviceRef('well-9')!;
    db.prepare(`INSERT INTO telemetry (device_ref, ts, temperature, received_at) VALUES (?, 2000, 2, 0), (?, 3000, 3, 0)`).run(ref, ref);
    expect(db.prepare(`SELECT ts, id FROM telemetry ORDER BY ts`).all()).toEqual([
      { ts: 1000, id: lastId },
      { ts: 2000, id: lastId + 1 },
      { ts: 3000, id: lastId + 2 },
    ]);
  });
});
