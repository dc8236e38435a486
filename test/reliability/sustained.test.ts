import { afterAll, describe, expect, it } from 'vitest';
import { sleep, StationProcess } from './helpers/station-process';

/**
 * Sustained load: steady ingest (batches and single readings at a fixed rate) with concurrent
 * reads (list, stats, series) and a full CSV export in the middle, for a bounded time. Every
 * request must succeed, and afterwards the station's RSS must come back near its warmed-up
 * baseline. The margin is generous on purpose (MEMORY_MARGIN_MB, default 128 MB): SQLite's page
 * cache (32 MB per connection) and V8's heap legitimately keep some memory; a leak of the
 * per-request or per-export kind grows far past it over this many requests.
 */
const SECONDS = Number(process.env.RELIABILITY_SUSTAIN_SECONDS ?? 30);
const MEMORY_MARGIN_MB = Number(process.env.RELIABILITY_MEMORY_MARGIN_MB ?? 128);
const BATCH = 200;
const BASE_TS = 1_720_000_000;

const station = new StationProcess();
afterAll(() => station.remove());

describe('sustained load', () => {
  it('when ingest, reads and an export run together for a while, then nothing fails and memory returns near its baseline', async () => {
    await station.start();
    const key = await station.key('device');
    const reader = await station.key('user');
    const errors: string[] = [];
    let acked = 0;
    let nextTs = 0;
    const batch = () =>
      Array.from({ length: BATCH }, () => {
        const i = nextTs++;
        return { device_id: `load-${i % 20}`, ts: BASE_TS + i, temperature: 20 + (i % 50) / 10, pressure: 100 + (i % 7), status: 'ok' };
      });
    const check = (what: string, status: number, want: number[]) => {
      if (!want.includes(status)) errors.push(`${what}: ${status}`);
    };
    const exportAll = async () => {
      const res = await fetch(`${station.url}/api/telemetry/export`, { headers: { 'x-api-key': reader } });
      check('export', res.status, [200]);
      let lines = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) for (const b of chunk) if (b === 10) lines++;
      return lines - 1; // header
    };

    // Warm up every path once (incl. the export worker), then take the baseline.
    for (let i = 0; i < 5; i++) check('warm-up batch', (await station.call('POST', '/api/telemetry/batch', { key, body: batch() })).status, [200]);
    acked += 5 * BATCH;
    await exportAll();
    await station.call('GET', `/api/telemetry/stats`, { key: reader });
    await sleep(500);
    const baseline = station.rss();

    const deadline = Date.now() + SECONDS * 1000;
    let exported = -1;
    let ackedAtExport = 0;
    const ingestLoop = async () => {
      while (Date.now() < deadline) {
        const res = await station.call('POST', '/api/telemetry/batch', { key, body: batch() });
        check('batch', res.status, [200]);
        if (res.status === 200) acked += res.body.inserted;
        const i = nextTs++;
        const one = await station.call('POST', '/api/telemetry', { key, body: { device_id: 'load-single', ts: BASE_TS + i, temperature: 1 } });
        check('single', one.status, [201]);
        if (one.status === 201) acked++;
        await sleep(50); // a steady rate, not a flat-out race
      }
    };
    const readLoop = async () => {
      let n = 0;
      while (Date.now() < deadline) {
        const device = `load-${n++ % 20}`;
        check('list', (await station.call('GET', `/api/telemetry?device_id=${device}&limit=100`, { key: reader })).status, [200]);
        check('stats', (await station.call('GET', `/api/telemetry/stats?device_id=${device}`, { key: reader })).status, [200]);
        check(
          'series',
          (await station.call('GET', `/api/telemetry/series?device_id=${device}&ts_from=${BASE_TS}&ts_to=${BASE_TS + 86_400}&buckets=200`, { key: reader }))
            .status,
          [200],
        );
        await sleep(100);
      }
    };
    const exportMidway = async () => {
      await sleep((SECONDS * 1000) / 3);
      ackedAtExport = acked;
      exported = await exportAll();
    };
    await Promise.all([ingestLoop(), ingestLoop(), readLoop(), exportMidway()]);

    expect(errors).toEqual([]);
    expect(exported).toBeGreaterThanOrEqual(ackedAtExport);
    const db = station.openDb();
    const stored = db.prepare('SELECT COUNT(*) FROM telemetry').pluck().get() as number;
    db.close();
    expect(stored).toBe(acked);

    // Memory: poll while the station idles (bounded), and compare with the baseline.
    const limit = baseline + MEMORY_MARGIN_MB * 1024 * 1024;
    let rss = station.rss();
    const peak = rss;
    for (let i = 0; i < 20 && rss > limit; i++) {
      await sleep(500);
      rss = station.rss();
    }
    const mb = (b: number) => Math.round(b / 1024 / 1024);
    console.info(
      `sustained load: ${SECONDS}s, ${acked} readings acknowledged, export of ${exported} rows; RSS baseline ${mb(baseline)} MB, end of load ${mb(peak)} MB, after idle ${mb(rss)} MB (limit ${mb(limit)} MB)`,
    );
    expect(rss).toBeLessThanOrEqual(limit);
  });
});
