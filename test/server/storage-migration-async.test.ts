import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LayoutMoveStopped, migrateAsync, type LayoutProgress } from '../../src/server/db/migrate';
import { closeDatabase, openDatabase, type Db } from '../../src/server/db/open';
import { buildLegacyDb, compareReadings } from './storage-legacy-db';

/**
 * The station runs the telemetry layout move (migration 012) with the event loop turning between
 * batches, so its process can report progress to the window and stop between two batches. The same
 * guarantees as the move in one go (storage-migration.test.ts): nothing lost, nothing doubled.
 */
const dir = mkdtempSync(join(tmpdir(), 'storage-migration-async-'));
const open: Db[] = [];
afterAll(() => {
  for (const db of open) closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

function legacyCopy(name: string, rows: number): { file: string; before: string } {
  const file = join(dir, `${name}.db`);
  const before = join(dir, `${name}-before.db`);
  buildLegacyDb(file, rows);
  copyFileSync(file, before);
  return { file, before };
}

function openDb(file: string): Db {
  const db = openDatabase(file);
  open.push(db);
  return db;
}

/** Every reading of the copy taken before is in the new table, once, unchanged, and nothing else is. */
function expectAllReadings(db: Db, before: string): number {
  const { then: total, ...now } = compareReadings(db, before);
  expect(now).toEqual({ now: total, missing: 0, extra: 0 });
  return total;
}

describe('the telemetry layout move, with the event loop turning between batches', () => {
  it('when it runs, then other work runs between its batches and its progress rises to the total, then finishing and done', async () => {
    const { file, before } = legacyCopy('turns', 160_000);
    const db = openDb(file);
    const progress: LayoutProgress[] = [];
    const turnsAtProgress: number[] = [];
    let turns = 0;
    // stands for the station's IPC: a callback queued meanwhile, counted when the loop gets to it
    const tick = setInterval(() => turns++, 0);
    try {
      await migrateAsync(db, {
        onProgress: (p) => {
          progress.push(p);
          turnsAtProgress.push(turns);
        },
      });
    } finally {
      clearInterval(tick);
    }
    const total = expectAllReadings(db, before);

    expect(progress.map((p) => p.phase)).toEqual([...progress.slice(0, -2).map(() => 'moving'), 'finishing', 'done']);
    const moving = progress.filter((p) => p.phase === 'moving');
    expect(moving.length).toBeGreaterThanOrEqual(4); // before the first batch, then after each but the last of 4
    expect(moving[0]).toMatchObject({ moved: 0, inNewLayout: 0, resumedAt: 0, total, rowsPerSecond: 0 });
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]!.inNewLayout).toBeGreaterThanOrEqual(progress[i - 1]!.inNewLayout);
      if (progress[i]!.phase === 'moving') expect(progress[i]!.inNewLayout).toBeGreaterThan(progress[i - 1]!.inNewLayout);
    }
    expect(new Set(progress.map((p) => p.total))).toEqual(new Set([total]));
    expect(progress.at(-1)).toMatchObject({ phase: 'done', moved: total, inNewLayout: total, fraction: 1 });
    // the interval callback ran between every two reports after the first batch: the loop turned
    // after each batch (before it, the move may start and yield within one turn of the loop)
    for (let i = 2; i < turnsAtProgress.length - 1; i++) expect(turnsAtProgress[i]!).toBeGreaterThan(turnsAtProgress[i - 1]!);
    expect(db.prepare(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'telemetry_legacy'`).pluck().get()).toBe(0);
  });

  it('when it is asked to stop, then it stops between two batches, keeps what it moved, and the next start carries on from there', async () => {
    const { file, before } = legacyCopy('stopped', 160_000);
    const first = openDatabase(file);
    const stop = new AbortController();
    const seen: LayoutProgress[] = [];
    const stopped = await migrateAsync(first, {
      signal: stop.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.moved > 0) stop.abort(); // after the first batch
      },
    }).catch((err: unknown) => err);
    expect(stopped).toBeInstanceOf(LayoutMoveStopped);
    expect((stopped as Error).message).toMatch(/the next start carries on from there/);
    const split = first.prepare(`SELECT (SELECT COUNT(*) FROM telemetry) AS moved, (SELECT COUNT(*) FROM telemetry_legacy) AS left`).get() as {
      moved: number;
      left: number;
    };
    expect(split.moved).toBe(seen.at(-1)!.inNewLayout);
    expect(split.moved).toBeGreaterThan(0);
    expect(split.left).toBeGreaterThan(0);
    closeDatabase(first);

    const db = openDb(file);
    const progress: LayoutProgress[] = [];
    await migrateAsync(db, { onProgress: (p) => progress.push(p) });
    const total = expectAllReadings(db, before);
    expect(split.moved + split.left).toBe(total);
    // the second start reports the first one's rows as moved: the window's figures carry on
    expect(progress[0]).toMatchObject({ phase: 'moving', moved: 0, inNewLayout: split.moved, resumedAt: split.moved, total });
    expect(progress[0]!.fraction).toBeCloseTo(split.moved / total, 6);
    expect(progress.at(-1)).toMatchObject({ phase: 'done', moved: split.left, inNewLayout: total, resumedAt: split.moved, total });
  });

  it('when the database is new (012 renamed an empty table), then the move reports nothing and leaves no old table', async () => {
    const db = openDb(join(dir, 'new.db'));
    const progress: LayoutProgress[] = [];
    await migrateAsync(db, { onProgress: (p) => progress.push(p) });
    expect(progress).toEqual([]);
    expect(db.prepare(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'telemetry_legacy'`).pluck().get()).toBe(0);
  });
});
