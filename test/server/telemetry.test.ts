import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minutesAgo, TestStation } from './helpers/station';

let s: TestStation;
let admin: string;
let adminKey: string;

beforeAll(async () => {
  s = await TestStation.start();
  admin = await s.token();
  adminKey = await s.key('admin');
});
afterAll(() => s.stop());

const ingest = (body: unknown) => s.call('POST', '/api/telemetry', { token: admin, key: adminKey, body });
const batch = (body: unknown) => s.call('POST', '/api/telemetry/batch', { token: admin, key: adminKey, body });

describe('POST /api/telemetry', () => {
  it('when a valid reading is posted, then it is stored and returned with ts and time', async () => {
    const ts = minutesAgo(10);
    const res = await ingest({ device_id: 'well-a', ts, temperature: 71.5, pressure: 1013.25, status: 'ok' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ device_id: 'well-a', ts, temperature: 71.5, pressure: 1013.25, status: 'ok', extra: null });
    expect(res.body.time).toBe(new Date(ts * 1000).toISOString());
    const fetched = await s.call('GET', `/api/telemetry/${res.body.id}`, { token: admin });
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(res.body);
  });

  it('when ts is an ISO-8601 string with fractions, then it is stored to the millisecond', async () => {
    const iso = new Date((minutesAgo(9) + 0.25) * 1000).toISOString();
    const res = await ingest({ device_id: 'well-iso', ts: iso, temperature: 20 });
    expect(res.status).toBe(201);
    expect(res.body.time).toBe(iso);
    expect(res.body.ts % 1).toBeCloseTo(0.25);
  });

  it('when the same reading is posted twice, then it is stored once and the second answer is 200', async () => {
    const reading = { device_id: 'well-dup', ts: minutesAgo(8), temperature: 50, pressure: 900, status: 'ok' };
    const first = await ingest(reading);
    const second = await ingest(reading);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    expect(s.count(`SELECT COUNT(*) FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE d.device_id = 'well-dup'`)).toBe(1);
  });

  it('when a reading repeats (device, ts) with different values, then the last write wins', async () => {
    const ts = minutesAgo(7);
    const first = await ingest({ device_id: 'well-lww', ts, temperature: 50 });
    const second = await ingest({ device_id: 'well-lww', ts, temperature: 55 });
    expect(second.status).toBe(201);
    expect(second.body.temperature).toBe(55);
    expect(second.body.id).not.toBe(first.body.id);
    expect((await s.call('GET', `/api/telemetry/${first.body.id}`, { token: admin })).status).toBe(404);
    const list = await s.call('GET', '/api/telemetry?device_id=well-lww', { token: admin });
    expect(list.body.total).toBe(1);
    expect(list.body.items[0].temperature).toBe(55);
  });

  it('when extra fields are posted, then they are returned with the reading', async () => {
    const res = await ingest({ device_id: 'well-x', ts: minutesAgo(6), pressure: 1, extra: { choke_pct: 42.5, mode: 'auto', pump_on: true } });
    expect(res.status).toBe(201);
    expect(res.body.extra).toEqual({ choke_pct: 42.5, mode: 'auto', pump_on: true });
  });
});

describe('POST /api/telemetry/batch', () => {
  it('when all readings are valid, then all are stored in one go and counted', async () => {
    const base = minutesAgo(600);
    const readings = Array.from({ length: 500 }, (_, i) => ({ device_id: 'well-batch', ts: base + i, temperature: 60 + i / 100, pressure: 1000 }));
    const res = await batch(readings);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: 500, stored: 500, inserted: 500, replaced: 0, duplicates: [], rejected: [] });
    const again = await batch(readings.slice(0, 3));
    expect(again.body).toMatchObject({ received: 3, stored: 0, duplicates: [0, 1, 2] });
  });

  it('when NDJSON is streamed, then every line becomes a reading and a bad line is reported by index', async () => {
    const base = minutesAgo(700);
    const lines = [
      JSON.stringify({ device_id: 'well-nd', ts: base, temperature: 1 }),
      '{not json',
      '',
      JSON.stringify({ device_id: 'well-nd', ts: base + 1, temperature: 2 }),
    ].join('\n');
    const res = await s.call('POST', '/api/telemetry/batch', { token: admin, key: adminKey, raw: lines, type: 'application/x-ndjson' });
    expect(res.status).toBe(207);
    expect(res.body.stored).toBe(2);
    expect(res.body.rejected).toEqual([{ index: 1, errors: [{ path: '(line)', message: 'not valid JSON' }] }]);
  });

  it('when 50,000 readings arrive as NDJSON, then all are stored', async () => {
    const base = minutesAgo(60 * 24 * 20);
    const body = Array.from({ length: 50_000 }, (_, i) => `{"device_id":"well-big","ts":${base + i},"temperature":${i % 90},"pressure":1000}`).join('\n');
    const res = await s.call('POST', '/api/telemetry/batch', { token: admin, key: adminKey, raw: body, type: 'application/x-ndjson' });
    expect(res.status).toBe(200);
    expect(res.body.inserted).toBe(50_000);
    const list = await s.call('GET', '/api/telemetry?device_id=well-big&limit=1', { token: admin });
    expect(list.body.total).toBe(50_000);
  });
});

describe('GET /api/telemetry', () => {
  const device = 'well-page';
  const base = minutesAgo(2000);
  beforeAll(async () => {
    await batch(Array.from({ length: 250 }, (_, i) => ({ device_id: device, ts: base + i * 60, temperature: i, pressure: 1 })));
  });

  it('when paging by page number, then pages are newest first and carry the total', async () => {
    const p1 = await s.call('GET', `/api/telemetry?device_id=${device}&limit=100&page=1`, { token: admin });
    const p3 = await s.call('GET', `/api/telemetry?device_id=${device}&limit=100&page=3`, { token: admin });
    expect(p1.body.total).toBe(250);
    expect(p1.body.items).toHaveLength(100);
    expect(p1.body.items[0].temperature).toBe(249);
    expect(p3.body.items).toHaveLength(50);
    expect(p3.body.items.at(-1).temperature).toBe(0);
  });

  it('when following next_cursor, then every reading is seen exactly once', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/api/telemetry?device_id=${device}&limit=64${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await s.call('GET', q, { token: admin });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((r: { temperature: number }) => r.temperature));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    expect(seen[0]).toBe(249);
  });

  it('when following next_cursor oldest first (order=asc, the Time sort of the UI), then every reading is seen exactly once, in time order', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/api/telemetry?device_id=${device}&limit=64&order=asc${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await s.call('GET', q, { token: admin });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((r: { temperature: number }) => r.temperature));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => i));
  });

  it('when a cursor from one order is used with the other, then 422 names the order instead of answering another slice', async () => {
    const first = await s.call('GET', `/api/telemetry?device_id=${device}&limit=10&order=asc`, { token: admin });
    const res = await s.call('GET', `/api/telemetry?device_id=${device}&limit=10&order=desc&cursor=${first.body.next_cursor}`, { token: admin });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors).toEqual([{ path: 'query.cursor', message: expect.stringContaining('order=asc') }]);
  });

  it('when filtering by a time range, then only readings inside it are returned', async () => {
    const res = await s.call('GET', `/api/telemetry?device_id=${device}&ts_from=${base + 60 * 10}&ts_to=${base + 60 * 19}&order=asc`, { token: admin });
    expect(res.body.total).toBe(10);
    expect(res.body.items.map((r: { temperature: number }) => r.temperature)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  });

  it('when the device is unknown, then the list is empty', async () => {
    const res = await s.call('GET', '/api/telemetry?device_id=never-seen', { token: admin });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ items: [], total: 0, next_cursor: null });
  });
});

describe('GET /api/telemetry/export', () => {
  it('when exporting a device, then the CSV has a header and one quoted-correctly row per reading, oldest first', async () => {
    const base = minutesAgo(3000);
    await batch([
      { device_id: 'well-csv', ts: base, temperature: 1.5, pressure: 2, status: 'ok' },
      { device_id: 'well-csv', ts: base + 60, temperature: null, pressure: 3, extra: { note: 'a, "b"' } },
    ]);
    const res = await s.call('GET', '/api/telemetry/export?device_id=well-csv', { token: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="telemetry-well-csv-.*\.csv"$/);
    const lines = res.text.split('\r\n');
    expect(lines[0]).toBe('id,device_id,ts,time,temperature,pressure,status,extra');
    expect(lines[1]).toMatch(new RegExp(`^\\d+,well-csv,${base},${new Date(base * 1000).toISOString().replace(/\./g, '\\.')},1.5,2,ok,$`));
    expect(lines[2]).toMatch(/,well-csv,\d+,[^,]+,,3,,"\{""note"":""a, \\""b\\""""\}"$/);
    expect(lines[3]).toBe('');
    expect(lines).toHaveLength(4);
  });

  it('when exporting 50,000 readings, then every row arrives', async () => {
    const res = await s.call('GET', '/api/telemetry/export?device_id=well-big', { token: admin });
    expect(res.status).toBe(200);
    expect(res.text.split('\r\n').length).toBe(50_000 + 2);
  });
});

describe('stats, series, devices', () => {
  it('when asking for stats of a device, then count, range, min/max/avg and the last reading are right', async () => {
    const base = minutesAgo(4000);
    await batch([
      { device_id: 'well-stats', ts: base, temperature: 10, pressure: 100 },
      { device_id: 'well-stats', ts: base + 60, temperature: 20, pressure: 300 },
      { device_id: 'well-stats', ts: base + 120, temperature: 30, pressure: null },
    ]);
    const res = await s.call('GET', '/api/telemetry/stats?device_id=well-stats', { token: admin });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ count: 3, first_ts: base, last_ts: base + 120 });
    expect(res.body.devices[0]).toMatchObject({
      device_id: 'well-stats',
      count: 3,
      temperature: { min: 10, max: 30, avg: 20 },
      pressure: { min: 100, max: 300, avg: 200 },
    });
    expect(res.body.devices[0].last).toMatchObject({ ts: base + 120, temperature: 30 });
  });

  it('when asking for a series, then readings are bucketed with min/avg/max', async () => {
    const base = minutesAgo(5000);
    await batch(Array.from({ length: 60 }, (_, i) => ({ device_id: 'well-series', ts: base + i * 60, temperature: i, pressure: 2 * i })));
    const res = await s.call('GET', `/api/telemetry/series?device_id=well-series&ts_from=${base}&ts_to=${base + 3599}&buckets=6`, { token: admin });
    expect(res.status).toBe(200);
    expect(res.body.bucket_seconds).toBe(600);
    expect(res.body.points).toHaveLength(6);
    expect(res.body.points[0]).toMatchObject({ ts: base, count: 10, temperature: { min: 0, avg: 4.5, max: 9 }, pressure: { min: 0, max: 18 } });
  });

  it('when listing devices, then each has its reading count and first/last reading time', async () => {
    const res = await s.call('GET', '/api/devices', { token: admin });
    const d = res.body.find((x: { device_id: string }) => x.device_id === 'well-stats');
    expect(d).toMatchObject({ reading_count: 3 });
    expect(typeof d.last_seen).toBe('string');
    expect(d.last_ts - d.first_ts).toBe(120);
  });
});

describe('DELETE /api/telemetry/{id}', () => {
  it('when an admin deletes a reading, then it is gone and the device count drops', async () => {
    const created = await ingest({ device_id: 'well-del', ts: minutesAgo(3), temperature: 1 });
    const del = await s.call('DELETE', `/api/telemetry/${created.body.id}`, { token: admin });
    expect(del.status).toBe(204);
    expect((await s.call('GET', `/api/telemetry/${created.body.id}`, { token: admin })).status).toBe(404);
    expect((await s.call('DELETE', `/api/telemetry/${created.body.id}`, { token: admin })).status).toBe(404);
    const devices = await s.call('GET', '/api/devices', { token: admin });
    expect(devices.body.find((x: { device_id: string }) => x.device_id === 'well-del').reading_count).toBe(0);
  });
});

describe('health and docs', () => {
  it('when anyone asks /health, then it answers ok without credentials', async () => {
    const res = await s.call('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', database: 'ok' });
  });

  it('when fetching /openapi.json, then it describes the telemetry routes', async () => {
    const res = await s.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/telemetry', '/api/telemetry/batch', '/api/telemetry/{id}', '/api/telemetry/export']),
    );
    const docs = await s.call('GET', '/docs');
    expect(docs.text).toContain('swagger-ui');
  });

  it('when the docs page loads its Swagger UI bundle, then the station serves it from the package offline', async () => {
    const bundle = await s.call('GET', '/docs/assets/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toContain('javascript');
    expect(bundle.text.length).toBeGreaterThan(100_000);
  });
});
