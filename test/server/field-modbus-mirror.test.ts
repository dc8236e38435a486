import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ModbusTcpServer, modbusToolsAvailable, words } from './helpers/modbus';
import { TestStation } from './helpers/station';
import { skipWithoutBinary, VictoriaMetrics } from './helpers/tsdb';

/**
 * Polled readings take the normal ingest path: they show up in the CSV export and in the InfluxDB
 * mirror (VictoriaMetrics speaking /api/v2/write) exactly as the station stored them.
 */
const skip = !modbusToolsAvailable() || skipWithoutBinary('victoria-metrics', 'victoria-metrics');

describe.skipIf(skip)('Modbus polls in exports and the InfluxDB mirror', () => {
  let server: ModbusTcpServer;
  let vm: VictoriaMetrics;
  let st: TestStation;
  let admin: string;

  beforeAll(async () => {
    server = await ModbusTcpServer.start({ 1: { hr: [...words('float32', 64.75, 'CDAB'), 1234] } });
    vm = await VictoriaMetrics.create();
    st = await TestStation.start({
      INFLUX_URL: vm.url,
      INFLUX_TOKEN: 'unused-by-victoria-metrics',
      INFLUX_ORG: 'field',
      INFLUX_BUCKET: 'wells',
      INFLUX_FLUSH_INTERVAL_MS: '200',
      INFLUX_MIN_BACKOFF_MS: '50',
      INFLUX_MAX_BACKOFF_MS: '300',
    });
    admin = await st.token();
  }, 60_000);
  afterAll(async () => {
    await st?.stop();
    await vm?.destroy();
    await server?.kill();
  });

  it('when a device has been polled, then every stored poll is in the export and in the mirror with the same values', async () => {
    const body = {
      name: 'separator',
      device_id: 'mb-mirror',
      interval_s: 1,
      transport: { kind: 'tcp', host: '127.0.0.1', port: server.port },
      tags: [
        { name: 'temp', address: '40001', type: 'float32', order: 'CDAB', field: 'temperature' },
        { name: 'level', function: 'holding', address: 2, type: 'uint16', scale: 0.01, field: 'level_m' },
      ],
    };
    const created = await st.call('POST', '/api/field/modbus/devices', { token: admin, body });
    expect(created.status, created.text).toBe(201);
    const stored = () => st.count("SELECT COUNT(*) FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE d.device_id = 'mb-mirror'");
    await vi.waitFor(() => expect(stored()).toBeGreaterThanOrEqual(3), { timeout: 20_000, interval: 100 });
    // stop polling, so the set being compared stops moving
    expect((await st.call('PUT', `/api/field/modbus/devices/${created.body.id}`, { token: admin, body: { ...body, enabled: false } })).status).toBe(200);
    const n = stored();
    const timestamps = st.db
      .prepare("SELECT t.ts FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE d.device_id = 'mb-mirror' ORDER BY t.ts")
      .pluck()
      .all() as number[];

    const csv = await st.call('GET', '/api/telemetry/export?device_id=mb-mirror', { token: admin });
    expect(csv.status).toBe(200);
    expect(csv.text.trim().split('\n')).toHaveLength(n + 1);
    expect(csv.text).toContain('64.75');

    await vi.waitFor(
      async () => {
        const series = await vm.export('{__name__=~"telemetry_.*",device_id="mb-mirror"}');
        const temp = series.find((s) => s.metric.__name__ === 'telemetry_temperature');
        const level = series.find((s) => s.metric.__name__ === 'telemetry_level_m');
        expect(temp?.timestamps).toEqual(timestamps);
        expect(new Set(temp?.values)).toEqual(new Set([64.75]));
        expect(level?.values.every((v) => Math.abs(v - 12.34) < 1e-9)).toBe(true);
      },
      { timeout: 30_000, interval: 250 },
    );
  }, 90_000);
});
