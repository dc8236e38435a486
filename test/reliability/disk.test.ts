import { afterAll, describe, expect, it } from 'vitest';
import { StationProcess } from './helpers/station-process';

/**
 * Disk trouble, for real: the station runs with DB_MAX_PAGE_COUNT (read in db/open.ts) set just
 * above the file's size, so SQLite itself answers SQLITE_FULL when the file would grow. The file
 * is padded first with a "ballast" table the test owns; dropping it later is "the operator freed
 * space": SQLite reuses the freed pages without growing the file, and ingest must resume.
 * (A read-only data dir: readonly.test.ts.)
 */
const BATCH = 500;
const BASE_TS = 1_710_000_000;

const station = new StationProcess();
afterAll(() => station.remove());

describe('disk trouble', () => {
  it('when the database cannot grow, then ingest answers 503 with a problem and Retry-After, loses nothing acknowledged, and recovers once space returns', async () => {
    await station.start();
    const key = await station.key('device');
    const reader = await station.key('user');
    await station.stop();

    // Pad the file with 4 MB of ballast, fold the WAL in, and cap the file 64 pages above its size.
    const setup = station.openDb(false);
    setup.exec(`CREATE TABLE ballast (b BLOB)`);
    const pad = setup.prepare(`INSERT INTO ballast VALUES (randomblob(4000))`);
    setup.transaction(() => {
      for (let i = 0; i < 1000; i++) pad.run();
    })();
    setup.pragma('wal_checkpoint(TRUNCATE)');
    const pages = setup.pragma('page_count', { simple: true }) as number;
    setup.close();
    await station.start({ DB_MAX_PAGE_COUNT: String(pages + 64) });

    const acked: number[] = [];
    let next = 0;
    const post = async (size = BATCH) => {
      const readings = Array.from({ length: size }, () => ({ device_id: 'disk-1', ts: BASE_TS + next++, temperature: 20.5, pressure: 101.3, status: 'ok' }));
      const res = await station.call('POST', '/api/telemetry/batch', { key, body: readings });
      if (res.status === 200) acked.push(...readings.map((r) => r.ts * 1000));
      return res;
    };

    let full = await post();
    for (let i = 0; i < 200 && full.status === 200; i++) full = await post();
    expect(full.status).toBe(503);
    expect(full.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(full.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(full.body).toMatchObject({ status: 503, code: 'SQLITE_FULL' });
    expect(full.body.detail).toMatch(/disk is full.*nothing from this request was stored/);
    expect(acked.length).toBeGreaterThan(0);

    // Smaller batches, then single readings, still fit in the last free pages; once those are gone they get the same 503.
    let small = await post(20);
    for (let i = 0; i < 500 && small.status === 200; i++) small = await post(20);
    expect(small.status).toBe(503);
    // Single readings still fit in the last free pages; once those are gone they get the same 503.
    const single = () => {
      const ts = BASE_TS + next++;
      return station.call('POST', '/api/telemetry', { key, body: { device_id: 'disk-1', ts, temperature: 20.5 } }).then((res) => {
        if (res.status === 201) acked.push(ts * 1000);
        return res;
      });
    };
    let one = await single();
    for (let i = 0; i < 5000 && one.status === 201; i++) one = await single();
    expect(one.status).toBe(503);
    expect(one.body.code).toBe('SQLITE_FULL');
    const list = await station.call('GET', '/api/telemetry?device_id=disk-1&limit=1', { key: reader });
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(acked.length);
    expect((await station.call('GET', '/health')).status).toBe(200);

    // Space returns: the operator drops the ballast; the station recovers without a restart.
    const admin = station.openDb(false);
    admin.exec(`DROP TABLE ballast`);
    admin.close();
    const again = await post();
    expect(again.status).toBe(200);
    expect((await single()).status).toBe(201);
    await station.stop();

    const db = station.openDb();
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const stored = new Set(
        db.prepare(`SELECT t.ts FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE d.device_id = 'disk-1'`).pluck().all() as number[],
      );
      expect(acked.filter((ts) => !stored.has(ts))).toEqual([]);
      // The refused batch rolled back as a whole: only acknowledged readings are there.
      expect(stored.size).toBe(acked.length);
    } finally {
      db.close();
    }
  });

  it('when another process holds the write lock past the busy timeout, then ingest answers 503 with Retry-After and succeeds once the lock is released', async () => {
    const busy = new StationProcess();
    try {
      await busy.start();
      const key = await busy.key('device');
      // Warm the key's last-used stamp, so the request below reaches the telemetry write itself.
      expect((await busy.call('POST', '/api/telemetry', { key, body: { device_id: 'busy-1', ts: BASE_TS, temperature: 1 } })).status).toBe(201);
      const holder = busy.openDb(false);
      holder.pragma('busy_timeout = 0');
      holder.exec('BEGIN IMMEDIATE');
      let refused;
      try {
        refused = await busy.call('POST', '/api/telemetry', { key, body: { device_id: 'busy-1', ts: BASE_TS + 1, temperature: 2 } });
      } finally {
        holder.exec('COMMIT');
        holder.close();
      }
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.body).toMatchObject({ status: 503, code: 'SQLITE_BUSY' });
      expect(refused.body.detail).toMatch(/busy; nothing from this request was stored/);
      const retried = await busy.call('POST', '/api/telemetry', { key, body: { device_id: 'busy-1', ts: BASE_TS + 1, temperature: 2 } });
      expect(retried.status).toBe(201);
      await busy.stop();
      const db = busy.openDb();
      expect(db.prepare('SELECT COUNT(*) FROM telemetry').pluck().get()).toBe(2);
      db.close();
    } finally {
      await busy.remove();
    }
  });
});
