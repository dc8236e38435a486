import { afterAll, describe, expect, it } from 'vitest';
import { prng, sleep, StationProcess } from './helpers/station-process';

/**
 * Crash safety: writers post batches while the station is killed with SIGKILL at random moments
 * and restarted on the same database. A reading counts as acknowledged only when its batch got a
 * 200 with every reading inserted; those must all be stored exactly once, with their values,
 * and SQLite must find the file intact. Unacknowledged batches may or may not have landed:
 * that is the client's retry to settle, and idempotent (device, ts) makes the retry safe.
 */
const CYCLES = Number(process.env.RELIABILITY_CRASH_CYCLES ?? 15);
const BATCH = 200;
const WRITERS = 3;
const SEED = Number(process.env.RELIABILITY_SEED ?? 20261129);
const BASE_TS = 1_700_000_000;

interface Acked {
  device: string;
  ts: number;
  temperature: number;
}

const station = new StationProcess();
afterAll(() => station.remove());

describe('crash safety', () => {
  it('when the station is SIGKILLed mid-ingest many times, then every acknowledged reading is stored exactly once and the file is intact', async () => {
    const random = prng(SEED);
    await station.start();
    const key = await station.key('device');
    const acked: Acked[] = [];
    let nextTs = 0;
    let attempted = 0;
    let unacked = 0;

    const writer = async (w: number, stopAt: { done: boolean }) => {
      while (!stopAt.done) {
        const readings = Array.from({ length: BATCH }, () => {
          const ts = BASE_TS + nextTs++;
          return { device_id: `crash-${w}`, ts, temperature: (ts % 1000) / 10, pressure: 100 + w, status: 'ok' };
        });
        attempted += BATCH;
        try {
          const res = await station.call('POST', '/api/telemetry/batch', { key, body: readings });
          if (res.status === 200 && res.body.inserted === BATCH) {
            for (const r of readings) acked.push({ device: r.device_id, ts: r.ts * 1000, temperature: r.temperature });
          } else {
            unacked += BATCH;
          }
        } catch {
          unacked += BATCH; // connection reset by the kill: not acknowledged
          return;
        }
      }
    };

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      if (cycle > 0) await station.start();
      const stopAt = { done: false };
      const writers = Array.from({ length: WRITERS }, (_, w) => writer(w, stopAt));
      await sleep(100 + Math.floor(random() * 900));
      await station.kill('SIGKILL');
      stopAt.done = true;
      await Promise.all(writers);
    }

    // One clean start after the last crash: the station must open the crashed file and ingest.
    await station.start();
    const after = await station.call('POST', '/api/telemetry/batch', { key, body: [{ device_id: 'crash-final', ts: BASE_TS - 1, temperature: 1 }] });
    expect(after.status).toBe(200);
    await station.stop();

    expect(acked.length).toBeGreaterThan(0);
    const db = station.openDb();
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const rows = db
        .prepare(`SELECT d.device_id AS device, t.ts, t.temperature, COUNT(*) OVER (PARTITION BY t.device_ref, t.ts) AS n
                  FROM telemetry t JOIN devices d ON d.id = t.device_ref`)
        .all() as { device: string; ts: number; temperature: number; n: number }[];
      const stored = new Map(rows.map((r) => [`${r.device}|${r.ts}`, r]));
      const missing = acked.filter((a) => !stored.has(`${a.device}|${a.ts}`));
      const twice = rows.filter((r) => r.n !== 1);
      const wrong = acked.filter((a) => stored.get(`${a.device}|${a.ts}`)?.temperature !== a.temperature && stored.has(`${a.device}|${a.ts}`));
      expect({ missing: missing.length, twice: twice.length, wrong: wrong.length }).toEqual({ missing: 0, twice: 0, wrong: 0 });
      // The per-device counters are written in the same transaction as the rows: they must agree.
      const drift = db
        .prepare(`SELECT d.device_id FROM devices d WHERE d.reading_count != (SELECT COUNT(*) FROM telemetry t WHERE t.device_ref = d.id)`)
        .pluck()
        .all();
      expect(drift).toEqual([]);
      console.info(
        `crash safety: ${CYCLES} SIGKILLs, ${attempted} readings attempted, ${acked.length} acknowledged and all present, ${unacked} unacknowledged, ${rows.length} stored`,
      );
    } finally {
      db.close();
    }
  });
});
