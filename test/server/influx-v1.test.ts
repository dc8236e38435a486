import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestStation } from './helpers/station';
import { InfluxDb1, skipWithoutBinary } from './helpers/tsdb';
import { until } from './helpers/until';

const skip = skipWithoutBinary('influxd', 'influxdb');

describe.skipIf(skip)('InfluxDB 1.6 as the 1.x mirror target and the /query source', () => {
  let influx: InfluxDb1;
  let st: TestStation;
  let token: string;
  let key: string;
  // recent, so the 30-day query window holds them; whole seconds so every store agrees exactly
  const base = Math.floor(Date.now() / 1000) - 3600;

  beforeAll(async () => {
    influx = await InfluxDb1.create();
    await influx.query('', 'CREATE DATABASE wells');
    st = await TestStation.start({
      INFLUX_URL: influx.url,
      INFLUX_VERSION: '1',
      INFLUX_DB: 'wells',
      INFLUX_FLUSH_INTERVAL_MS: '200',
      INFLUX_MIN_BACKOFF_MS: '50',
      INFLUX_MAX_BACKOFF_MS: '300',
      INFLUX_QUERY_TIMEOUT_MS: '1000',
    } as Record<string, string>);
    token = await st.token();
    key = await st.key('device');
  });
  afterAll(async () => {
    await st?.stop();
    await influx?.destroy();
  });

  const status = () => st.call('GET', '/api/influx/status', { token }).then((r) => r.body);

  it('when readings are stored and one is replaced, then InfluxDB holds every value, the replacement winning', async () => {
    const lines = Array.from(
      { length: 200 },
      (_, i) =>
        `telemetry,device_id=v1-${i % 2},site=north\\ pad temperature=${20 + i / 8},pressure=${900 + i},status="${i % 5 ? 'ok' : 'warn'}",rpm=${i}i,pump_on=${i % 3 ? 'true' : 'false'},note="say \\"hi\\", ${i}" ${base + i}`,
    ).join('\n');
    expect((await st.call('POST', '/write?db=x&precision=s', { raw: lines, headers: { authorization: `Token ${key}` } })).status).toBe(204);
    await until('forwarded', status, (s) => s.backlog === 0 && s.forwarded_total === 200);
    const replaced = await st.call('POST', '/api/telemetry', {
      token,
      key,
      body: { device_id: 'v1-0', ts: base + 10, temperature: 99.25, pressure: 1.5, status: 'fixed' },
    });
    expect(replaced.status).toBe(201);
    await until('replacement forwarded', status, (s) => s.backlog === 0 && s.forwarded_total === 201);

    const res = await influx.query('wells', 'SELECT * FROM telemetry ORDER BY time ASC');
    const { columns, values } = res.results[0].series[0];
    const got = (values as unknown[][]).map((v) => Object.fromEntries(columns.map((c: string, i: number) => [c, v[i]])));
    const rows = st.db
      .prepare(
        `SELECT d.device_id, t.ts, t.temperature, t.pressure, t.status, t.extra FROM telemetry t JOIN devices d ON d.id = t.device_ref ORDER BY t.ts, d.device_id`,
      )
      .all() as any[];
    expect(got).toHaveLength(200);
    const want = rows.map((r) => {
      const extra = r.extra ? JSON.parse(r.extra) : {};
      return {
        time: r.ts,
        device_id: r.device_id,
        temperature: r.temperature,
        pressure: r.pressure,
        status: r.status,
        // the replacement carries no extra fields; InfluxDB keeps the fields the first write set
        rpm: extra.rpm ?? (r.ts === (base + 10) * 1000 ? 10 : null),
        pump_on: extra.pump_on ?? (r.ts === (base + 10) * 1000 ? true : null),
        note: extra.note ?? (r.ts === (base + 10) * 1000 ? 'say "hi", 10' : null),
        site: extra.site ?? (r.ts === (base + 10) * 1000 ? 'north pad' : null),
      };
    });
    expect(got.sort((a, b) => a.time - b.time || a.device_id.localeCompare(b.device_id))).toEqual(want);
    expect(got.find((p) => p.time === (base + 10) * 1000)).toMatchObject({ temperature: 99.25, pressure: 1.5, status: 'fixed' });
  });

  it('when the query endpoint is asked, then InfluxDB answers with the newest points first, filtered by device', async () => {
    const res = await st.call('GET', '/api/telemetry/influx?device_id=v1-1&limit=3', { token });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-data-source')).toBe('influxdb');
    expect(res.body.source).toBe('influxdb');
    expect(res.body.fallback_reason).toBeNull();
    expect(res.body.points).toEqual(
      [199, 197, 195].map((i) => ({
        device_id: 'v1-1',
        ts: base + i,
        time: new Date((base + i) * 1000).toISOString(),
        temperature: 20 + i / 8,
        pressure: 900 + i,
        status: i % 5 ? 'ok' : 'warn',
        extra: { rpm: i, pump_on: i % 3 !== 0, note: `say "hi", ${i}`, site: 'north pad' },
      })),
    );
    const all = await st.call('GET', '/api/telemetry/influx?limit=4', { token });
    expect(all.body.points.map((p: any) => [p.device_id, p.ts])).toEqual([
      ['v1-1', base + 199],
      ['v1-0', base + 198],
      ['v1-1', base + 197],
      ['v1-0', base + 196],
    ]);
  });

  it('when the query has bad parameters, then 422 (the route is reached before /api/telemetry/:id)', async () => {
    for (const q of ['limit=0', 'limit=abc', 'device_id=bad%20id', 'device_id=x%27%20OR%201=1', 'other=1']) {
      const res = await st.call('GET', `/api/telemetry/influx?${q}`, { token });
      expect(res.status, q).toBe(422);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    }
    expect((await st.call('GET', '/api/telemetry/influx')).status).toBe(401);
  });

  it('when InfluxDB is down, then the query falls back to SQLite, says so, and the mirror reports the failure', async () => {
    await influx.stop();
    try {
      await st.call('POST', '/api/telemetry', { token, key, body: { device_id: 'v1-0', ts: base + 500, temperature: 1 } });
      const res = await st.call('GET', '/api/telemetry/influx?device_id=v1-0&limit=2', { token });
      expect(res.status).toBe(200);
      expect(res.body.source).toBe('sqlite');
      expect(res.body.fallback_reason).toMatch(/InfluxDB query failed/);
      expect(res.body.points.map((p: any) => p.ts)).toEqual([base + 500, base + 198]);
      const down = await until('failure shown', status, (s) => !s.ok);
      expect(down).toMatchObject({ backlog: 1, last_error: expect.any(String) });
    } finally {
      await influx.start();
    }
    await until('recovered', status, (s) => s.ok && s.backlog === 0);
  });
});

describe('the query endpoint without InfluxDB', () => {
  it('when INFLUX_URL is not set, then SQLite answers and the status says not configured', async () => {
    const st = await TestStation.start();
    try {
      const token = await st.token();
      await st.call('POST', '/api/telemetry', {
        token,
        key: await st.key('device'),
        body: { device_id: 'n-1', ts: Math.floor(Date.now() / 1000) - 10, temperature: 3 },
      });
      const res = await st.call('GET', '/api/telemetry/influx', { token });
      expect(res.body).toMatchObject({
        source: 'sqlite',
        fallback_reason: expect.stringMatching(/not configured/),
        points: [{ device_id: 'n-1', temperature: 3 }],
      });
      expect((await st.call('GET', '/api/influx/status', { token })).body).toMatchObject({ configured: false, backlog: 0 });
      expect((await st.call('GET', '/health')).body.influx).toMatchObject({ ok: true, configured: false });
    } finally {
      await st.stop();
    }
  });
});

describe('the query endpoint with a target that answers errors', () => {
  it('when the target answers an error with a body, then a user sees a short reason and never the body', async () => {
    const target = createServer((_req, res) =>
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal: token abc123 at /var/lib/influx"}'),
    );
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const st = await TestStation.start({ INFLUX_URL: `http://127.0.0.1:${(target.address() as AddressInfo).port}`, INFLUX_VERSION: '1', INFLUX_DB: 'wells' });
    try {
      const engineer = await st.userToken();
      const res = await st.call('GET', '/api/telemetry/influx', { token: engineer });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ source: 'sqlite', fallback_reason: 'InfluxDB query failed: InfluxDB answered HTTP 500' });
      expect(res.text).not.toContain('abc123');
    } finally {
      await st.stop();
      await new Promise<void>((r) => target.close(() => r()));
    }
  });
});
