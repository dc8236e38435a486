import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minutesAgo, TestStation } from './helpers/station';

/** Requests the seed's clients send, and free-text statuses, must be accepted as they are. */
let s: TestStation;
let admin: string;
let adminKey: string;

beforeAll(async () => {
  s = await TestStation.start();
  admin = await s.token();
  adminKey = await s.key('admin');
  const readings = Array.from({ length: 250 }, (_, i) => ({ device_id: 'well-004', ts: minutesAgo(300 - i), temperature: 60 + i / 10, pressure: 1000 + i }));
  readings.push({ device_id: 'well-005', ts: minutesAgo(10), temperature: 1, pressure: 2 });
  const res = await s.call('POST', '/api/telemetry/batch', { token: admin, key: adminKey, body: readings });
  expect(res.status).toBe(200);
});
afterAll(() => s.stop());

const csvRows = (text: string): Record<string, string>[] => parse(text, { columns: true, skip_empty_lines: true });

describe('export takes the list parameters', () => {
  it('when the seed exports with device_id and limit, then it gets exactly the rows the list gives', async () => {
    const list = await s.call('GET', '/api/telemetry?device_id=well-004&limit=100', { token: admin });
    const exp = await s.call('GET', '/api/telemetry/export?device_id=well-004&limit=100', { token: admin });
    expect(exp.status).toBe(200);
    expect(exp.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = csvRows(exp.text);
    expect(rows).toHaveLength(100);
    expect(rows.map((r) => Number(r.id))).toEqual(list.body.items.map((r: { id: number }) => r.id));
  });

  it('when a page, a cursor or an order is given, then the export follows the list exactly', async () => {
    const page3 = await s.call('GET', '/api/telemetry?device_id=well-004&limit=40&page=3&order=asc', { token: admin });
    const exp3 = await s.call('GET', '/api/telemetry/export?device_id=well-004&limit=40&page=3&order=asc', { token: admin });
    expect(csvRows(exp3.text).map((r) => Number(r.id))).toEqual(page3.body.items.map((r: { id: number }) => r.id));

    const first = await s.call('GET', '/api/telemetry?device_id=well-004&limit=50', { token: admin });
    const cursor = first.body.next_cursor as string;
    const next = await s.call('GET', `/api/telemetry?device_id=well-004&limit=50&cursor=${cursor}`, { token: admin });
    const expNext = await s.call('GET', `/api/telemetry/export?device_id=well-004&limit=50&cursor=${cursor}`, { token: admin });
    expect(csvRows(expNext.text).map((r) => Number(r.id))).toEqual(next.body.items.map((r: { id: number }) => r.id));
  });

  it('when no page parameters are given, then every matching row is exported oldest first', async () => {
    const rows = csvRows((await s.call('GET', '/api/telemetry/export?device_id=well-004', { token: admin })).text);
    expect(rows).toHaveLength(250);
    const ts = rows.map((r) => Number(r.ts));
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    const desc = csvRows((await s.call('GET', '/api/telemetry/export?device_id=well-004&order=desc', { token: admin })).text);
    expect(desc.map((r) => r.id)).toEqual(rows.map((r) => r.id).reverse());
  });

  it.each([
    ['limit=0', /limit/],
    ['limit=10001', /limit/],
    ['page=0', /page/],
    ['cursor=not-a-cursor!', /cursor/],
    ['limit=10&page=2&cursor=MTIzLjQuZA', /page or cursor/],
    ['order=sideways', /order/],
    ['bogus=1', /bogus|nrecognized/],
  ])('when the export gets %s, then it is a 422 problem naming it', async (query, detail) => {
    const res = await s.call('GET', `/api/telemetry/export?device_id=well-004&${query}`, { token: admin });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(res.body.detail).toMatch(detail);
  });
});

describe('status is free text', () => {
  it.each(['OK, fine', 'pump off - workover', 'Débit réduit (choke 32/64")', '⚠ high GOR'])(
    'when a reading has status %j, then it is stored with its measurements',
    async (status) => {
      const ts = minutesAgo(20);
      const res = await s.call('POST', '/api/telemetry', {
        token: admin,
        key: adminKey,
        body: { device_id: 'well-status', ts, temperature: 71, pressure: 990, status },
      });
      expect(res.status).toBe(201);
      const back = await s.call('GET', `/api/telemetry/${res.body.id}`, { token: admin });
      expect(back.body).toMatchObject({ status, temperature: 71, pressure: 990 });
      await s.call('DELETE', `/api/telemetry/${res.body.id}`, { token: admin });
    },
  );

  it('when free-text statuses arrive over NDJSON and line protocol, then they are stored too', async () => {
    const nd = [
      JSON.stringify({ device_id: 'well-nd', ts: minutesAgo(30), temperature: 1, status: 'OK, fine' }),
      JSON.stringify({ device_id: 'well-nd', ts: minutesAgo(29), temperature: 2, status: 'pump off - workover' }),
    ].join('\n');
    const ndRes = await s.call('POST', '/api/telemetry/batch', { token: admin, key: adminKey, raw: nd, type: 'application/x-ndjson' });
    expect(ndRes.body).toMatchObject({ stored: 2, rejected: [] });
    const lp = `telemetry,device_id=well-lp temperature=3,status="pump off - workover" ${minutesAgo(28)}\n`;
    const lpRes = await fetch(`${s.url}/api/v2/write?precision=s`, { method: 'POST', headers: { authorization: `Token ${adminKey}` }, body: lp });
    expect(lpRes.status).toBe(204);
    const stored = s.db
      .prepare(`SELECT status FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE d.device_id IN ('well-nd', 'well-lp') ORDER BY t.ts`)
      .pluck()
      .all();
    expect(stored).toEqual(['OK, fine', 'pump off - workover', 'pump off - workover']);
  });

  it('when a status starts like a spreadsheet formula, then both CSV exports neutralise it', async () => {
    const ts = minutesAgo(40);
    await s.call('POST', '/api/telemetry', { token: admin, key: adminKey, body: { device_id: 'well-csv', ts, temperature: 5, status: '-2+3 pump off' } });
    await s.call('POST', '/api/telemetry', {
      token: admin,
      key: adminKey,
      body: { device_id: 'well-csv', ts: ts + 60, temperature: 5, status: '=HYPERLINK("x")' },
    });
    const direct = csvRows((await s.call('GET', '/api/telemetry/export?device_id=well-csv', { token: admin })).text);
    expect(direct.map((r) => r.status)).toEqual(["'-2+3 pump off", '\'=HYPERLINK("x")']);
    const paged = csvRows((await s.call('GET', '/api/telemetry/export?device_id=well-csv&limit=10&order=asc', { token: admin })).text);
    expect(paged.map((r) => r.status)).toEqual(["'-2+3 pump off", '\'=HYPERLINK("x")']);
  });
});

describe('impossible calendar dates are refused', () => {
  it.each(['2026-02-30T00:00:00Z', '2025-02-29T12:00:00Z', '2026-04-31', '2026-01-01T24:00:00Z', '2026-01-01T12:60:00Z'])(
    'when ts is %s, then 422 and nothing is stored',
    async (ts) => {
      const before = s.count();
      const res = await s.call('POST', '/api/telemetry', { token: admin, key: adminKey, body: { device_id: 'well-cal', ts, temperature: 1 } });
      expect(res.status).toBe(422);
      expect(res.body.detail).toMatch(/^ts: .*real date/);
      expect(s.count()).toBe(before);
    },
  );

  it('when a leap day is real, then it is stored on that day', async () => {
    const res = await s.call('POST', '/api/telemetry', {
      token: admin,
      key: adminKey,
      body: { device_id: 'well-cal', ts: '2024-02-29T06:00:00Z', temperature: 1 },
    });
    expect(res.status).toBe(201);
    expect(res.body.time).toBe('2024-02-29T06:00:00.000Z');
  });

  it('when a list filter names an impossible date, then it is a 422 rather than another day', async () => {
    const res = await s.call('GET', '/api/telemetry?ts_from=2026-02-30T00:00:00Z', { token: admin });
    expect(res.status).toBe(422);
  });
});
