import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { buildLegacyDb } from '../server/storage-legacy-db';
import { StationProcess } from './helpers/station-process';

/**
 * The telemetry layout move (migration 012) runs when the station starts on an older database. The
 * station is killed with SIGKILL while it moves, started again on the same files, and then every
 * reading must be there exactly once, with its id, values and device counters.
 */
const station = new StationProcess(undefined, { LOG_LEVEL: 'info' });
afterAll(() => station.remove());

const READING = 'id, device_ref, ts, temperature, pressure, status, extra, received_at';

describe('killed during the telemetry layout move', () => {
  it('when the station is killed mid-move and started again, then the move finishes and every reading is there once, unchanged', async () => {
    mkdirSync(dirname(station.dbPath), { recursive: true });
    buildLegacyDb(station.dbPath, 1_000_000);
    const before = join(station.dataDir, 'before.db');
    copyFileSync(station.dbPath, before);

    const starting = station.start().catch((err: Error) => err);
    await expect.poll(() => /moving telemetry to the clustered layout/.test(station.output), { timeout: 120_000, interval: 20 }).toBe(true);
    await station.kill('SIGKILL');
    expect(await starting).toBeInstanceOf(Error); // it never got to listen

    const half = new Database(station.dbPath, { readonly: true });
    const split = half.prepare(`SELECT (SELECT COUNT(*) FROM telemetry) AS moved, (SELECT COUNT(*) FROM telemetry_legacy) AS left`).get() as {
      moved: number;
      left: number;
    };
    half.close();
    expect(split.moved).toBeGreaterThan(0);
    expect(split.left).toBeGreaterThan(0);

    await station.start();
    expect(station.output).toMatch(/telemetry moved to the clustered layout/);
    const db = station.openDb();
    db.prepare(`ATTACH DATABASE ? AS before`).run(before);
    const count = (sql: string) => db.prepare(`SELECT COUNT(*) FROM (${sql})`).pluck().get() as number;
    const total = count(`SELECT id FROM before.telemetry`);
    expect(split.moved + split.left).toBe(total);
    expect(count(`SELECT id FROM main.telemetry`)).toBe(total);
    expect(count(`SELECT ${READING} FROM before.telemetry EXCEPT SELECT ${READING} FROM main.telemetry`)).toBe(0);
    for (const table of ['devices', 'influx_tombstones', 'oil_events']) {
      expect({ table, differ: count(`SELECT * FROM before.${table} EXCEPT SELECT * FROM main.${table}`) }).toEqual({ table, differ: 0 });
    }
    const sample = db
      .prepare(`SELECT t.id, t.ts, d.device_id FROM before.telemetry t JOIN before.devices d ON d.id = t.device_ref ORDER BY t.id DESC LIMIT 1`)
      .get() as {
      id: number;
      ts: number;
      device_id: string;
    };
    db.close();
    rmSync(before);

    // the API serves a moved reading under its old id
    const res = await station.call('GET', `/api/telemetry/${sample.id}`, { token: await station.token() });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: sample.id, device_id: sample.device_id, ts: sample.ts / 1000 });
  });
});
