import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestStation } from './helpers/station';
import { skipWithoutBinary, VictoriaMetrics } from './helpers/tsdb';
import { until } from './helpers/until';

const T0 = 1714564800; // 2024-05-01T12:00:00Z
const skip = skipWithoutBinary('victoria-metrics', 'victoria-metrics');

type Sample = { device: string; ts: number; field: string; value: number };

/** Every sample VictoriaMetrics holds for the telemetry measurement (it names series telemetry_<field>). */
async function samples(vm: VictoriaMetrics): Promise<Sample[]> {
  const out: Sample[] = [];
  for (const s of await vm.export('{__name__=~"telemetry_.*"}')) {
    s.timestamps.forEach((ts, i) => out.push({ device: s.metric.device_id!, ts, field: s.metric.__name__!.replace('telemetry_', ''), value: s.values[i]! }));
  }
  return out.sort((a, b) => a.device.localeCompare(b.device) || a.ts - b.ts || a.field.localeCompare(b.field));
}

/** What the station holds, as the samples the mirror must produce. */
function expectedSamples(st: TestStation): Sample[] {
  const rows = st.db
    .prepare(`SELECT d.device_id AS device, t.ts, t.temperature, t.pressure, t.status, t.extra FROM telemetry t JOIN devices d ON d.id = t.device_ref`)
    .all() as { device: string; ts: number; temperature: number | null; pressure: number | null; status: string | null; extra: string | null }[];
  const out: Sample[] = [];
  for (const r of rows) {
    if (r.temperature !== null) out.push({ device: r.device, ts: r.ts, field: 'temperature', value: r.temperature });
    if (r.pressure !== null) out.push({ device: r.device, ts: r.ts, field: 'pressure', value: r.pressure });
    // VictoriaMetrics keeps only numbers: a string field becomes a series whose samples are 0
    if (r.status !== null) out.push({ device: r.device, ts: r.ts, field: 'status', value: 0 });
    for (const [k, v] of Object.entries(r.extra ? (JSON.parse(r.extra) as Record<string, unknown>) : {})) {
      if (typeof v === 'number') out.push({ device: r.device, ts: r.ts, field: k, value: v });
      if (typeof v === 'boolean') out.push({ device: r.device, ts: r.ts, field: k, value: v ? 1 : 0 });
      if (typeof v === 'string') out.push({ device: r.device, ts: r.ts, field: k, value: 0 });
    }
  }
  return out.sort((a, b) => a.device.localeCompare(b.device) || a.ts - b.ts || a.field.localeCompare(b.field));
}

const mirrorEnv = (vm: VictoriaMetrics) =>
  ({
    INFLUX_URL: vm.url,
    INFLUX_TOKEN: 'unused-by-victoria-metrics',
    INFLUX_ORG: 'field',
    INFLUX_BUCKET: 'wells',
    INFLUX_BATCH_SIZE: '700',
    INFLUX_FLUSH_INTERVAL_MS: '200',
    INFLUX_MIN_BACKOFF_MS: '50',
    INFLUX_MAX_BACKOFF_MS: '300',
    INFLUX_WRITE_TIMEOUT_MS: '3000',
    INFLUX_QUERY_TIMEOUT_MS: '500',
  }) as Record<string, string>;

describe.skipIf(skip)('InfluxDB mirror to VictoriaMetrics (/api/v2/write through the official client)', () => {
  let vm: VictoriaMetrics;
  beforeAll(async () => {
    vm = await VictoriaMetrics.create();
  });
  afterAll(() => vm?.destroy());

  const lines = (device: string, from: number, n: number) =>
    Array.from(
      { length: n },
      (_, i) =>
        `telemetry,device_id=${device} temperature=${(from + i) / 4},pressure=${1000 + from + i},rpm=${i}i,pump_on=${i % 2 ? 't' : 'f'},status="ok" ${T0 + from + i}`,
    ).join('\n');

  it('when readings are stored, then every one reaches the target with every value, and status shows no backlog', async () => {
    const st = await TestStation.start(mirrorEnv(vm));
    try {
      const key = await st.key('device');
      const token = await st.token();
      for (const [device, from] of [
        ['vm-a', 0],
        ['vm-b', 0],
        ['vm-a', 1500],
      ] as const) {
        const res = await st.call('POST', '/api/v2/write?precision=s', { raw: lines(device, from, 1500), headers: { authorization: `Token ${key}` } });
        expect(res.status, res.text).toBe(204);
      }
      await until(
        'backlog 0',
        () => st.call('GET', '/api/influx/status', { token }).then((r) => r.body),
        (s) => s.backlog === 0 && s.position > 0,
      );
      const status = (await st.call('GET', '/api/influx/status', { token })).body;
      expect(status).toMatchObject({ configured: true, ok: true, version: '2', backlog: 0, lag_seconds: 0, forwarded_total: 4500, last_error: null });
      expect(status.target).not.toContain('unused-by-victoria-metrics');
      const health = (await st.call('GET', '/health')).body;
      expect(health.influx).toMatchObject({ ok: true, configured: true, backlog: 0 });
      const got = await until(
        'all samples',
        () => samples(vm),
        (s) => s.length >= expectedSamples(st).length,
      );
      expect(got).toEqual(expectedSamples(st));
    } finally {
      await st.stop();
    }
  });

  it('when the target is down across a station restart, then after it returns every reading arrives exactly once', async () => {
    const key = async (s: TestStation) => s.key('device');
    const first = await TestStation.start(mirrorEnv(vm));
    const dataDir = first.dataDir;
    let second: TestStation | undefined;
    try {
      const k = await key(first);
      const token = await first.token();
      const post = (s: TestStation, body: string) => s.call('POST', '/api/v2/write?precision=s', { raw: body, headers: { authorization: `Token ${k}` } });
      expect((await post(first, lines('out-a', 0, 400))).status).toBe(204);
      await until(
        'first batch forwarded',
        () => first.call('GET', '/api/influx/status', { token }).then((r) => r.body),
        (s) => s.backlog === 0,
      );

      await vm.stop();
      // readings keep arriving while the target is down; ingest does not wait for it
      for (let i = 0; i < 5; i++) expect((await post(first, lines('out-a', 400 + i * 100, 100))).status).toBe(204);
      const down = await until(
        'the failure to show',
        () => first.call('GET', '/api/influx/status', { token }).then((r) => r.body),
        (s) => !s.ok,
      );
      expect(down.backlog).toBe(500);
      expect(down.last_error).toBeTruthy();
      expect((await first.call('GET', '/health')).body.influx).toMatchObject({ ok: false, backlog: 500 });

      // restart the station on the same data while the target is still down
      await first.station.close();
      second = await TestStation.start({ ...mirrorEnv(vm), DATA_DIR: dataDir });
      const token2 = await second.token();
      expect((await post(second, lines('out-b', 0, 300))).status).toBe(204);
      expect((await second.call('GET', '/api/influx/status', { token: token2 })).body.backlog).toBe(800);

      await vm.start();
      await until(
        'backlog drained',
        () => second!.call('GET', '/api/influx/status', { token: token2 }).then((r) => r.body),
        (s) => s.backlog === 0 && s.ok,
        60_000,
      );
      const got = (await samples(vm)).filter((s) => s.device.startsWith('out-'));
      const want = expectedSamples(second).filter((s) => s.device.startsWith('out-'));
      expect(want.filter((s) => s.field === 'temperature')).toHaveLength(1200);
      expect(want).toHaveLength(1200 * 5);
      // same length and same content: nothing lost, nothing twice
      expect(got).toHaveLength(want.length);
      expect(got).toEqual(want);
    } finally {
      if (second) await second.stop();
      else await first.stop();
    }
  });

  it('when VictoriaMetrics is the target, then the query endpoint falls back to SQLite and says why', async () => {
    const st = await TestStation.start(mirrorEnv(vm));
    try {
      const token = await st.token();
      await st.call('POST', '/api/telemetry', {
        token,
        key: await st.key('device'),
        body: { device_id: 'q-1', ts: Math.floor(Date.now() / 1000) - 60, temperature: 7 },
      });
      const res = await st.call('GET', '/api/telemetry/influx?device_id=q-1&limit=5', { token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ source: 'sqlite', points: [{ device_id: 'q-1', temperature: 7 }] });
      expect(res.body.fallback_reason).toMatch(/InfluxDB query failed/);
    } finally {
      await st.stop();
    }
  });
});
