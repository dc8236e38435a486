import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../src/server/db/migrate';
import { closeDatabase, openDatabase } from '../../src/server/db/open';
import type { FromStation, StationMigration } from '../../src/shared/station-protocol';
import { ForkedStation } from '../main/helpers/fork-station';
import { followStation } from './helpers/follow-station';
import { buildLegacyDb, compareReadings } from './storage-legacy-db';

/**
 * The station process (src/server/entry/station-process.ts, forked as the desktop app forks it) on
 * a database of the release before migration 012: while it moves the readings to the clustered
 * layout, before it listens, it sends 'migration' messages the window shows; a restart carries on
 * with the same figures, and a shutdown stops the move between two batches.
 */
const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** A data dir holding a legacy database of `rows` readings, and an untouched copy to compare with. */
function legacyDataDir(rows: number): { dataDir: string; dbPath: string; before: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'oilfield-entry-migration-'));
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const dbPath = join(dataDir, 'processed', 'oilfield.db');
  mkdirSync(join(dataDir, 'processed'), { recursive: true });
  buildLegacyDb(dbPath, rows);
  const before = join(dataDir, 'before.db');
  copyFileSync(dbPath, before);
  return { dataDir, dbPath, before };
}

function forkStation(): ForkedStation {
  const station = new ForkedStation({ ADMIN_PASSWORD: 'migration-admin-pw', SERVE_UI: 'false', LOG_LEVEL: 'info' });
  cleanup.push(async () => {
    if (station.child.exitCode === null && station.child.signalCode === null) station.child.kill('SIGKILL');
    await station.exited;
  });
  return station;
}

const migrationsOf = (messages: FromStation[]) => messages.filter((m): m is StationMigration => m.type === 'migration');

/** Rising figures, one total, ending 'done' at the total; returns the total. */
function expectRisingToTotal(progress: StationMigration[]): number {
  const total = progress[0]!.totalRows;
  expect(progress.map((m) => m.totalRows)).toEqual(progress.map(() => total));
  expect(progress.map((m) => m.resumedAtRows)).toEqual(progress.map(() => progress[0]!.resumedAtRows));
  expect(progress.map((m) => m.phase)).toEqual([...progress.slice(0, -2).map(() => 'moving'), 'finishing', 'done']);
  for (let i = 1; i < progress.length; i++) {
    const [prev, cur] = [progress[i - 1]!, progress[i]!];
    if (cur.phase === 'moving') expect(cur.movedRows).toBeGreaterThan(prev.movedRows);
    else expect(cur.movedRows).toBeGreaterThanOrEqual(prev.movedRows);
    if (cur.phase === 'moving') expect(cur.secondsLeft).toBeGreaterThanOrEqual(0); // a rate after the first batch
  }
  expect(progress.at(-1)).toMatchObject({ phase: 'done', movedRows: total, totalRows: total });
  return total;
}

/** Every reading of the copy taken before is in the moved database, once and unchanged. */
function expectEveryReading(dbPath: string, before: string): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    const { then: total, ...readings } = compareReadings(db, before);
    const legacyTable = db.prepare(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'telemetry_legacy'`).pluck().get() as number;
    expect({ ...readings, legacyTable }).toEqual({ now: total, missing: 0, extra: 0, legacyTable: 0 });
    return total;
  } finally {
    db.close();
  }
}

async function stopStation(station: ForkedStation): Promise<void> {
  station.postMessage({ type: 'shutdown' });
  await station.next('stopped');
  expect((await station.exited).code).toBe(0);
}

describe('the station process on a database of the previous storage layout', () => {
  it('when it starts, then it reports the move batch by batch, rising to the total, before it says ready, and every reading is intact', async () => {
    const { dataDir, dbPath, before } = legacyDataDir(160_000);
    const station = forkStation();
    station.postMessage({ type: 'start', settings: { dataDir, env: {} } });
    await station.next('ready');

    const progress = migrationsOf(station.messages);
    expect(progress.filter((m) => m.phase === 'moving').length).toBeGreaterThanOrEqual(4); // 4 batches of up to 50,000
    expect(progress[0]).toMatchObject({ phase: 'moving', movedRows: 0, resumedAtRows: 0, rowsPerS: 0 });
    expect(progress[0]).not.toHaveProperty('secondsLeft');
    const total = expectRisingToTotal(progress);
    // every migration message came before 'ready'
    expect(station.messages.findIndex((m) => m.type === 'ready')).toBeGreaterThan(station.messages.lastIndexOf(progress.at(-1)!));
    await stopStation(station);
    expect(expectEveryReading(dbPath, before)).toBe(total);
  });

  it('when an earlier start stopped half way, then the next one reports from where it stopped and ends at the same total', async () => {
    const { dataDir, dbPath, before } = legacyDataDir(160_000);
    // the first start dies after its first batch (as a kill would leave it)
    const first = openDatabase(dbPath);
    let reports = 0;
    expect(() =>
      migrate(first, undefined, () => {
        if (++reports === 2) throw new Error('killed');
      }),
    ).toThrow('killed');
    const movedBefore = first.prepare(`SELECT COUNT(*) FROM telemetry`).pluck().get() as number;
    closeDatabase(first);
    expect(movedBefore).toBeGreaterThan(0);

    const station = forkStation();
    station.postMessage({ type: 'start', settings: { dataDir, env: {} } });
    await station.next('ready');
    const progress = migrationsOf(station.messages);
    expect(progress[0]).toMatchObject({ phase: 'moving', movedRows: movedBefore, resumedAtRows: movedBefore });
    const total = expectRisingToTotal(progress);
    expect(total).toBeGreaterThan(movedBefore);
    await stopStation(station);
    expect(expectEveryReading(dbPath, before)).toBe(total);
  });

  it('when it is told to shut down during the move, then it stops between two batches with a clean exit, and the next start finishes the move', async () => {
    const { dataDir, dbPath, before } = legacyDataDir(400_000);
    const station = forkStation();
    station.postMessage({ type: 'start', settings: { dataDir, env: {} } });
    await station.next('migration');
    station.postMessage({ type: 'shutdown' });
    await station.next('stopped');
    expect((await station.exited).code).toBe(0);
    expect(station.messages.map((m) => m.type)).not.toContain('ready');
    expect(station.messages.map((m) => m.type)).not.toContain('fatal');
    expect(station.output).toMatch(/the next start carries on from there/);
    const stoppedAt = migrationsOf(station.messages).at(-1)!;
    expect(stoppedAt.phase).toBe('moving');

    const half = new Database(dbPath, { readonly: true });
    const split = half.prepare(`SELECT (SELECT COUNT(*) FROM telemetry) AS moved, (SELECT COUNT(*) FROM telemetry_legacy) AS left`).get() as {
      moved: number;
      left: number;
    };
    half.close();
    expect(split.moved).toBe(stoppedAt.movedRows);
    expect(split.moved + split.left).toBe(stoppedAt.totalRows);

    const again = forkStation();
    again.postMessage({ type: 'start', settings: { dataDir, env: {} } });
    await again.next('ready');
    const progress = migrationsOf(again.messages);
    expect(progress[0]).toMatchObject({ movedRows: split.moved, resumedAtRows: split.moved, totalRows: stoppedAt.totalRows });
    expectRisingToTotal(progress);
    await stopStation(again);
    expect(expectEveryReading(dbPath, before)).toBe(stoppedAt.totalRows);
  }, 60_000);
});

describe('the headless station and CLI on a database of the previous storage layout', () => {
  /** `npm run <command>` from source, as the bundle runs it */
  const cli = (command: string, dataDir: string) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', command], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DATA_DIR: dataDir,
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
        ADMIN_PASSWORD: 'cli-admin-pw',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanup.push(() => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')));
    const followed = followStation(child);
    followed.ready.catch(() => undefined); // one that never listens (migrate, stopped mid-move) is no failure by itself
    return { child, ...followed };
  };
  const lines = (output: string, pattern: RegExp) => output.split('\n').filter((l) => pattern.test(l));

  it('when `serve` starts, then its log says how far the move is, in rising order, before it listens; Ctrl-C during the move stops it cleanly', async () => {
    const { dataDir, dbPath, before } = legacyDataDir(300_000);
    const interrupted = cli('serve', dataDir);
    await expect
      .poll(() => /starting to move telemetry to the clustered layout: \d+ readings/.test(interrupted.output()), { timeout: 20_000, interval: 20 })
      .toBe(true);
    interrupted.child.kill('SIGINT');
    const code = await interrupted.exit;
    // it stopped between two batches, or (on a machine much faster than the test) had already finished and stopped after listening
    expect(code).toBe(0);
    expect(interrupted.output()).toMatch(/the next start carries on from there|station stopped/);

    const s = cli('serve', dataDir);
    const url = await s.ready;
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const out = s.output();
    const percents = lines(out, /moving telemetry to the clustered layout: \d+%/).map((l) => Number(/layout: (\d+)%/.exec(l)![1]));
    expect(percents.length).toBeGreaterThan(0);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(out).toMatch(/telemetry moved to the clustered layout: \d+ readings/);
    expect(out.indexOf('telemetry moved to the clustered layout')).toBeLessThan(out.indexOf('station listening'));
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
    expectEveryReading(dbPath, before);
  }, 60_000);

  it('when `migrate` runs, then it logs the move with its progress and says which schema versions it went between', async () => {
    const { dataDir, dbPath, before } = legacyDataDir(160_000);
    const m = cli('migrate', dataDir);
    expect(await m.exit).toBe(0);
    const out = m.output();
    expect(out).toMatch(/starting to move telemetry to the clustered layout: \d+ readings/);
    expect(lines(out, /moving telemetry to the clustered layout: \d+% \(\d+ of \d+ readings\)/).length).toBeGreaterThan(0);
    expect(out).toMatch(/telemetry moved to the clustered layout/);
    expect(out).toMatch(/schema 11 -> \d+/);
    expectEveryReading(dbPath, before);
  }, 60_000);
});
