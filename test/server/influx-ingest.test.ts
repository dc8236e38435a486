import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { InfluxDB, Point } from '@influxdata/influxdb-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestStation } from './helpers/station';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/line-protocol/${name}`, import.meta.url), 'utf8');
const T0 = 1714564800; // 2024-05-01T12:00:00Z

describe('line-protocol ingest', () => {
  let st: TestStation;
  let key: string;
  let token: string;

  beforeAll(async () => {
    st = await TestStation.start({ BATCH_BODY_LIMIT: '2mb' });
    key = await st.key('device');
    token = await st.token();
  });
  afterAll(() => st?.stop());

  const write = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    st.call('POST', path, { raw: body, type: 'text/plain; charset=utf-8', headers: { authorization: `Token ${key}`, ...headers } });
  const readings = async (device?: string) =>
    (await st.call('GET', `/api/telemetry?order=asc&limit=1000${device ? `&device_id=${device}` : ''}`, { token })).body.items as any[];
  const devices = (prefix: string) => st.count(`SELECT COUNT(*) FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE d.device_id LIKE '${prefix}%'`);

  it('when the syntax fixture is posted to /api/v2/write, then 204 and every reading is stored as written', async () => {
    const res = await write('/api/v2/write?org=field&bucket=wells&precision=ns', fixture('syntax.lp'));
    expect(res.status, res.text).toBe(204);
    const expected = JSON.parse(fixture('syntax.expected.json')) as any[];
    const got = (await readings()).filter((r) => r.device_id.startsWith('well-'));
    expect(got.map(({ device_id, ts, temperature, pressure, status, extra }) => ({ device_id, ts, temperature, pressure, status, extra }))).toEqual(expected);
  });

  it('when the error fixture is posted, then the good lines are stored and the 400 names each bad line and why', async () => {
    const res = await write('/write?db=x', fixture('errors.lp'));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    const expected = JSON.parse(fixture('errors.expected.json'));
    expect(res.body.rejected).toBe(expected.rejected.length);
    expect(res.body.stored).toBe(2);
    expect(res.body.rejected_lines.map((r: any) => r.line)).toEqual(expected.rejected.map((r: any) => r.line));
    for (const [i, r] of expected.rejected.entries()) expect(res.body.rejected_lines[i].error, `line ${r.line}`).toContain(r.contains);
    expect(res.body.detail).toMatch(/21 of 23 lines were rejected/);
    const stored = await readings('e1');
    expect(stored.map(({ device_id, ts, temperature, pressure }) => ({ device_id, ts, temperature, pressure }))).toEqual(expected.stored);
    expect(st.count(`SELECT COUNT(*) FROM devices WHERE device_id LIKE 'e%' AND device_id != 'e1'`)).toBe(0);
  });

  it('when every line is bad, then 400 says nothing was stored, and nothing is', async () => {
    const res = await write('/api/v2/write', 'telemetry,device_id=allbad temperature="x"\ntelemetry,device_id=allbad2 temperature=\n');
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/all 2 lines were rejected; nothing was stored/);
    expect(devices('allbad')).toBe(0);
  });

  it('when precision is s, ms, u or n on /write, then timestamps land on the same instant', async () => {
    const cases: [string, string][] = [
      ['s', `${T0 + 100}`],
      ['ms', `${T0 + 101}000`],
      ['u', `${T0 + 102}000000`],
      ['n', `${T0 + 103}000000000`],
    ];
    for (const [p, ts] of cases) expect((await write(`/write?db=x&precision=${p}`, `m,device_id=prec temperature=1 ${ts}`)).status).toBe(204);
    for (const [p, ts] of [
      ['s', `${T0 + 104}`],
      ['ms', `${T0 + 105}000`],
      ['us', `${T0 + 106}000000`],
      ['ns', `${T0 + 107}000000000`],
    ])
      expect((await write(`/api/v2/write?precision=${p}`, `m,device_id=prec temperature=1 ${ts}`)).status).toBe(204);
    expect((await readings('prec')).map((r) => r.ts)).toEqual([100, 101, 102, 103, 104, 105, 106, 107].map((d) => T0 + d));
  });

  it('when a line has no timestamp, then the server time of the request is used', async () => {
    const before = Date.now();
    expect((await write('/api/v2/write', 'm,device_id=nots temperature=5')).status).toBe(204);
    const [r] = await readings('nots');
    expect(r.ts * 1000).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
    expect(r.ts * 1000).toBeLessThanOrEqual(Date.now());
  });

  it('when lines of one device share a timestamp, then their fields merge into one reading', async () => {
    const res = await write(
      '/api/v2/write?precision=s',
      `a,device_id=merge temperature=1 ${T0}\nb,device_id=merge pressure=2,rpm=30 ${T0}\nc,device_id=merge temperature=3 ${T0}`,
    );
    expect(res.status).toBe(204);
    expect(await readings('merge')).toMatchObject([{ temperature: 3, pressure: 2, extra: { rpm: 30 } }]);
  });

  it('when the body is gzip, then it is stored; when the gzip is broken, then 400 and nothing is stored', async () => {
    const body = Array.from({ length: 500 }, (_, i) => `m,device_id=gz temperature=${i} ${T0 + i}`).join('\n');
    expect((await write('/api/v2/write?precision=s', gzipSync(body), { 'content-encoding': 'gzip' })).status).toBe(204);
    expect(st.count(`SELECT reading_count FROM devices WHERE device_id = 'gz'`)).toBe(500);
    const broken = gzipSync('m,device_id=gzbad temperature=1').subarray(0, 15);
    const res = await write('/api/v2/write', Buffer.concat([broken, Buffer.from('garbage')]), { 'content-encoding': 'gzip' });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/gzip/);
    expect(devices('gzbad')).toBe(0);
    const notGzip = await write('/api/v2/write', 'm,device_id=gzbad temperature=1', { 'content-encoding': 'gzip' });
    expect(notGzip.status).toBe(400);
    expect((await write('/api/v2/write', 'm,device_id=gzbad temperature=1', { 'content-encoding': 'br' })).status).toBe(415);
    expect(devices('gzbad')).toBe(0);
  });

  it('when a large body streams in many chunks, then every line is stored', async () => {
    const n = 20_000;
    const encoder = new TextEncoder();
    let i = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (i >= n) return controller.close();
        const lines: string[] = [];
        for (let k = 0; k < 997 && i < n; k++, i++)
          lines.push(`telemetry,device_id=big-${i % 10} temperature=${i / 10},pressure=${i},status="ok" ${T0 + Math.floor(i / 10)}000000000`);
        controller.enqueue(encoder.encode(`${lines.join('\n')}\n`));
      },
    });
    const res = await fetch(`${st.url}/api/v2/write`, {
      method: 'POST',
      headers: { authorization: `Token ${key}` },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status, await res.text()).toBe(204);
    expect(devices('big-')).toBe(n);
  });

  it('when the body is larger than the limit (even after gunzip), then 413 and nothing is stored', async () => {
    const line = 'm,device_id=huge temperature=1 1714564800000000000\n';
    const body = line.repeat(Math.ceil((2.2 * 1024 * 1024) / line.length));
    expect((await write('/api/v2/write', body)).status).toBe(413);
    expect((await write('/api/v2/write', gzipSync(body), { 'content-encoding': 'gzip' })).status).toBe(413);
    expect(devices('huge')).toBe(0);
  });

  it('when credentials are missing, wrong, of a reading role, or scoped to other devices, then 401/403 and nothing is stored', async () => {
    const body = 'm,device_id=scoped-b temperature=1';
    expect((await st.call('POST', '/api/v2/write', { raw: body })).status).toBe(401);
    expect((await write('/api/v2/write', body, { authorization: 'Token not-a-key' })).status).toBe(401);
    expect((await write('/write', body, { authorization: `Token ${await st.key('user')}` })).status).toBe(403);
    const scoped = await st.key('device', ['scoped-a']);
    expect((await write('/api/v2/write', `m,device_id=scoped-a temperature=1\n${body}`, { authorization: `Token ${scoped}` })).status).toBe(403);
    expect(devices('scoped')).toBe(0);
    const viaHeader = await st.call('POST', '/api/v2/write', { raw: 'm,device_id=scoped-a temperature=1', key: scoped });
    expect(viaHeader.status).toBe(204);
  });

  it('when the query string is wrong, then 422 and nothing is stored', async () => {
    expect((await write('/api/v2/write?precision=n', 'm,device_id=q temperature=1')).status).toBe(422);
    expect((await write('/write?precision=ns2', 'm,device_id=q temperature=1')).status).toBe(422);
    expect((await write('/api/v2/write?bogus=1', 'm,device_id=q temperature=1')).status).toBe(422);
    expect((await write('/api/v2/write', '')).status).toBe(400);
    expect((await write('/api/v2/write', '# only a comment\n\n')).status).toBe(400);
    expect(devices('q')).toBe(0);
  });

  it("when @influxdata/influxdb-client's WriteApi writes to the station, then every point arrives with its values", async () => {
    const api = new InfluxDB({ url: st.url, token: key }).getWriteApi('field', 'wells', 'ms', { gzipThreshold: 1000, flushInterval: 0, maxRetries: 0 });
    const points = Array.from({ length: 300 }, (_, i) =>
      new Point('telemetry')
        .tag('device_id', `client-${i % 3}`)
        .floatField('temperature', 20 + i / 7)
        .floatField('pressure', 1000 + i)
        .stringField('status', i % 2 ? 'ok' : 'warn')
        .stringField('note', `say "hi", \\ =${i}`)
        .intField('rpm', i)
        .booleanField('pump_on', i % 3 === 0)
        .timestamp(new Date((T0 + i) * 1000)),
    );
    api.writePoints(points.slice(0, 1));
    await api.flush();
    api.writePoints(points.slice(1));
    await api.close();
    const got = (await Promise.all([0, 1, 2].map((d) => readings(`client-${d}`)))).flat().sort((a, b) => a.ts - b.ts);
    expect(got).toHaveLength(300);
    got.forEach((r, i) => {
      expect(r).toMatchObject({ device_id: `client-${i % 3}`, ts: T0 + i, temperature: 20 + i / 7, pressure: 1000 + i });
      expect(r.extra).toEqual({ rpm: i, pump_on: i % 3 === 0, note: `say "hi", \\ =${i}` });
      expect(r.status).toBe(i % 2 ? 'ok' : 'warn');
    });
  });

  it('when the client writes bad points, then the error reaches the client as a 400 with the reason', async () => {
    const api = new InfluxDB({ url: st.url, token: key }).getWriteApi('o', 'b', 's', { maxRetries: 0 });
    api.writeRecord(`telemetry,device_id=client-bad temperature="hot" ${T0}`);
    await expect(api.close()).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('temperature must be a number') });
    expect(devices('client-bad')).toBe(0);
  });
});

describe('line-protocol ingest with a custom device tag list', () => {
  let st: TestStation;
  beforeAll(async () => {
    st = await TestStation.start({ INFLUX_DEVICE_TAGS: 'device_id,host' } as any);
  });
  afterAll(() => st?.stop());

  it('when a Telegraf line names the device only by host, then host is the device; device_id still wins when present', async () => {
    const key = await st.key('device');
    const body = `cpu,host=gw-7 temperature=40 ${T0}\ncpu,host=gw-7,device_id=rtu-1 temperature=41 ${T0}`;
    const res = await st.call('POST', '/api/v2/write?precision=s', { raw: body, headers: { authorization: `Token ${key}` } });
    expect(res.status, res.text).toBe(204);
    const token = await st.token();
    const items = (await st.call('GET', '/api/telemetry?order=asc', { token })).body.items;
    expect(items.map((r: any) => [r.device_id, r.temperature, r.extra])).toEqual([
      ['gw-7', 40, null],
      ['rtu-1', 41, { host: 'gw-7' }],
    ]);
  });
});
