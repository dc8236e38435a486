import { gzipSync } from 'node:zlib';
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

const good = () => ({ device_id: 'well-ok', ts: minutesAgo(5), temperature: 70, pressure: 1000, status: 'ok' });

function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, detail?: RegExp) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, title: expect.any(String), type: expect.any(String), detail: expect.any(String) });
  if (detail) expect(res.body.detail).toMatch(detail);
}

describe('when a single reading is bad, then it gets a 4xx problem and nothing is stored', () => {
  const cases: [string, unknown, number, RegExp?][] = [
    ['missing device_id', { ts: minutesAgo(1), temperature: 1 }, 422, /device_id/],
    ['missing ts', { device_id: 'a', temperature: 1 }, 422, /ts/],
    ['no measurement at all', { device_id: 'a', ts: minutesAgo(1) }, 422, /temperature, pressure/],
    ['temperature as a string', { ...good(), temperature: '70' }, 422, /temperature/],
    ['NaN as a string', { ...good(), temperature: 'NaN' }, 422, /temperature/],
    ['Infinity as a string', { ...good(), pressure: 'Infinity' }, 422, /pressure/],
    ['a huge number', { ...good(), pressure: 1e300 }, 422, /out of range/],
    ['SQL in device_id', { ...good(), device_id: "x'; DROP TABLE telemetry;--" }, 422, /device_id/],
    ['device_id too long', { ...good(), device_id: 'a'.repeat(65) }, 422, /device_id/],
    ['year 1900', { ...good(), ts: Date.UTC(1900, 0, 1) / 1000 }, 422, /ts .*before/],
    ['year 3000', { ...good(), ts: '3000-01-01T00:00:00Z' }, 422, /future/],
    ['ISO without a zone', { ...good(), ts: '2024-01-01T00:00:00' }, 422, /zone/],
    ['garbage ts', { ...good(), ts: 'yesterday' }, 422, /ts/],
    ['an unknown field', { ...good(), humidity: 3 }, 422, /humidity|unrecognized/i],
    ['status with a control character', { ...good(), status: 'ok\u0007' }, 422, /status/],
    ['status longer than 128 characters', { ...good(), status: 'x'.repeat(129) }, 422, /status/],
    ['status of blanks only', { ...good(), status: '   ' }, 422, /status/],
    ['status with a bidi override', { ...good(), status: 'ok\u202Eevil' }, 422, /status/],
    ['ts on a day the month does not have', { ...good(), ts: '2026-02-30T00:00:00Z' }, 422, /real date/],
    ['an array instead of an object', [good()], 422],
    ['null', null, 422],
    ['extra with a nested object', { ...good(), extra: { a: { b: 1 } } }, 422, /extra/],
  ];
  it.each(cases)('%s', async (_name, body, status, detail) => {
    const before = s.count();
    const res = await s.call('POST', '/api/telemetry', { token: admin, key: adminKey, raw: JSON.stringify(body), type: 'application/json' });
    expectProblem(res, status, detail);
    if (status === 422) expect(res.body.errors?.length).toBeGreaterThan(0);
    expect(s.count()).toBe(before);
  });

  it('malformed JSON is a 400', async () => {
    const res = await s.call('POST', '/api/telemetry', { token: admin, key: adminKey, raw: '{"device_id": "a", ', type: 'application/json' });
    expectProblem(res, 400, /malformed JSON/);
    expect(s.count()).toBe(0);
  });

  it('a 10 MB body is a 413', async () => {
    const res = await s.call('POST', '/api/telemetry', {
      token: admin,
      key: adminKey,
      raw: JSON.stringify({ ...good(), status: 'x'.repeat(10 * 1024 * 1024) }),
      type: 'application/json',
    });
    expectProblem(res, 413);
    expect(s.count()).toBe(0);
  });

  it('a form-encoded body is a 415', async () => {
    const res = await s.call('POST', '/api/telemetry', { token: admin, key: adminKey, raw: 'device_id=a&ts=1', type: 'application/x-www-form-urlencoded' });
    expectProblem(res, 415, /application\/json/);
    expect(s.count()).toBe(0);
  });

  it('no content type at all is a 415', async () => {
    const res = await s.call('POST', '/api/telemetry', { token: admin, key: adminKey, raw: JSON.stringify(good()) });
    expectProblem(res, 415);
    expect(s.count()).toBe(0);
  });
});

describe('when a batch has bad readings', () => {
  it('one bad among good: the good ones are stored, the bad one is reported by index, 207', async () => {
    const base = minutesAgo(100);
    const readings = [
      { device_id: 'well-b', ts: base, temperature: 1 },
      { device_id: 'well-b', ts: base + 1, temperature: 'hot' },
      { device_id: 'well-b', ts: base + 2, temperature: 3 },
    ];
    const before = s.count();
    const res = await s.call('POST', '/api/telemetry/batch', { token: admin, key: adminKey, body: readings });
    expect(res.status).toBe(207);
    expect(res.body).toMatchObject({ received: 3, stored: 2, inserted: 2 });
    expect(res.body.rejected).toHaveLength(1);
    expect(res.body.rejected[0]).toMatchObject({ index: 1, errors: [{ path: 'temperature' }] });
    expect(s.count()).toBe(before + 2);
  });

  it('all bad: 422 with every reason, nothing stored', async () => {
    const before = s.count();
    const res = await s.call('POST', '/api/telemetry/batch', { token: admin, key: adminKey, body: [{ device_id: '' }, 7, 'x'] });
    expectProblem(res, 422, /all 3 readings were rejected/);
    expect(res.body.rejected.map((r: { index: number }) => r.index)).toEqual([0, 1, 2]);
    expect(s.count()).toBe(before);
  });

  it('an empty batch or a non-array body: 422', async () => {
    expectProblem(await s.call('POST', '/api/telemetry/batch', { token: admin, key: adminKey, body: [] }), 422, /empty/);
    expectProblem(await s.call('POST', '/api/telemetry/batch', { token: admin, key: adminKey, body: { a: 1 } }), 422, /array/);
  });

  it('more readings than the limit: 413 and nothing stored', async () => {
    const small = await TestStation.start({ BATCH_MAX_READINGS: 10 });
    try {
      const token = await small.token();
      const key = await small.key('admin');
      const body = Array.from({ length: 11 }, (_, i) => ({ device_id: 'a', ts: minutesAgo(50) + i, temperature: 1 }));
      expectProblem(await small.call('POST', '/api/telemetry/batch', { token, key, body }), 413, /at most 10/);
      const nd = body.map((r) => JSON.stringify(r)).join('\n');
      expectProblem(await small.call('POST', '/api/telemetry/batch', { token, key, raw: nd, type: 'application/x-ndjson' }), 413, /at most 10/);
      expect(small.count()).toBe(0);
    } finally {
      await small.stop();
    }
  });

  it('a text/plain batch: 415', async () => {
    expectProblem(await s.call('POST', '/api/telemetry/batch', { token: admin, key: adminKey, raw: '[]', type: 'text/plain' }), 415);
  });
});

describe('when queries are bad, then 422 (or 404 for ids)', () => {
  const cases: [string, number, RegExp?][] = [
    ['/api/telemetry?limit=0', 422, /limit/],
    ['/api/telemetry?limit=10001', 422, /limit/],
    ['/api/telemetry?limit=abc', 422, /limit/],
    ['/api/telemetry?page=-1', 422, /page/],
    ['/api/telemetry?ts_from=1900-01-01', 422, /ts_from/],
    ['/api/telemetry?ts_from=2030-01-01T00:00:00Z&ts_to=2020-01-01T00:00:00Z', 422, /ts_from/],
    ['/api/telemetry?device_id=%27%20OR%201%3D1--', 422, /device_id/],
    ['/api/telemetry?sort=evil', 422, /sort|unrecognized/i],
    ['/api/telemetry?cursor=not-a-cursor', 422, /cursor/],
    ['/api/telemetry/export?limit=0', 422],
    ['/api/telemetry/stats?foo=bar', 422],
    ['/api/telemetry/series?device_id=a', 422, /ts_from/],
    ['/api/telemetry/abc', 404],
    ['/api/telemetry/0', 404],
    ['/api/telemetry/99999999', 404],
  ];
  it.each(cases)('%s -> %i', async (path, status, detail) => {
    expectProblem(await s.call('GET', path, { token: admin }), status, detail);
  });

  it('an unknown route under /api is a 404 problem', async () => {
    expectProblem(await s.call('GET', '/api/nothing-here', { token: admin }), 404);
  });
});

describe('when an NDJSON batch is compressed', () => {
  const ndjson = (device: string, n: number) =>
    Array.from({ length: n }, (_, i) => JSON.stringify({ device_id: device, ts: minutesAgo(300) + i, temperature: 1 })).join('\n');

  it('gzip: every line is read and stored', async () => {
    const res = await s.call('POST', '/api/telemetry/batch', {
      token: admin,
      key: adminKey,
      raw: gzipSync(ndjson('well-gz', 3)),
      type: 'application/x-ndjson',
      headers: { 'content-encoding': 'gzip' },
    });
    expect(res.status).toBe(200);
    expect(res.body.inserted).toBe(3);
  });

  it('broken gzip: 400 and nothing stored', async () => {
    const before = s.count();
    const res = await s.call('POST', '/api/telemetry/batch', {
      token: admin,
      key: adminKey,
      raw: Buffer.concat([gzipSync(ndjson('well-gz-bad', 3)).subarray(0, 20), Buffer.from('garbage')]),
      type: 'application/x-ndjson',
      headers: { 'content-encoding': 'gzip' },
    });
    expectProblem(res, 400, /could not read the request body/);
    expect(s.count()).toBe(before);
  });

  it('an unknown encoding: 415 and nothing stored', async () => {
    const before = s.count();
    const res = await s.call('POST', '/api/telemetry/batch', {
      token: admin,
      key: adminKey,
      raw: ndjson('well-br', 2),
      type: 'application/x-ndjson',
      headers: { 'content-encoding': 'br' },
    });
    expectProblem(res, 415, /Content-Encoding br/);
    expect(s.count()).toBe(before);
  });
});
