import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EdgeNode } from './helpers/sparkplug-node';
import { TestStation } from './helpers/station';
import { skipWithoutBinary, VictoriaMetrics } from './helpers/tsdb';

const skip = skipWithoutBinary('victoria-metrics', 'victoria-metrics');
const BASE_MS = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;

describe.skipIf(skip)('Sparkplug readings take the normal ingest path', () => {
  let vm: VictoriaMetrics;
  let station: TestStation;
  let admin: string;
  beforeAll(async () => {
    vm = await VictoriaMetrics.create();
    station = await TestStation.start({
      INFLUX_URL: vm.url,
      INFLUX_TOKEN: 'unused',
      INFLUX_ORG: 'field',
      INFLUX_BUCKET: 'wells',
      INFLUX_FLUSH_INTERVAL_MS: '200',
      INFLUX_MIN_BACKOFF_MS: '50',
    });
    admin = await station.token();
    const res = await station.call('PUT', '/api/field/mqtt', {
      token: admin,
      body: { mode: 'embedded', embedded_port: 0, device_map: { 'PadM/RTU1/W1': 'well-m1' }, metric_map: { 'Inputs/Flow rate': 'pressure' } },
    });
    expect(res.status).toBe(200);
    await vi.waitFor(async () => expect((await station.call('GET', '/api/field/mqtt/status', { token: admin })).body.connected).toBe(true), {
      timeout: 10_000,
    });
  });
  afterAll(async () => {
    await station?.stop();
    vm?.destroy();
  });

  it('when a node publishes through the embedded broker, then its readings reach the InfluxDB mirror and the CSV export under the mapped device id', async () => {
    const port = (await station.call('GET', '/api/field/mqtt/status', { token: admin })).body.embedded.port as number;
    const key = await station.call('POST', '/api/keys', { token: admin, body: { name: 'padm', role: 'device', devices: ['well-m*', 'PadM:*'] } });
    const node = await EdgeNode.connect(`mqtt://127.0.0.1:${port}`, {
      group: 'PadM',
      node: 'RTU1',
      devices: ['W1'],
      metrics: ['Temperature', 'Inputs/Flow rate', 'Casing pressure'],
      username: String(key.body.id),
      password: key.body.key,
    });
    await node.birth(BASE_MS);
    await node.data('W1', { Temperature: 77.25, 'Inputs/Flow rate': 1234.5, 'Casing pressure': 410 }, BASE_MS + 1000);
    await expect.poll(() => station.count(`SELECT COUNT(*) FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE d.device_id = 'well-m1'`)).toBe(2);

    await expect
      .poll(async () => (await vm.export('{device_id="well-m1"}')).map((s) => `${s.metric.__name__}=${s.values.at(-1)}@${s.timestamps.at(-1)}`).sort(), {
        timeout: 20_000,
      })
      .toEqual([
        `telemetry_Casing_pressure=410@${BASE_MS + 1000}`,
        `telemetry_pressure=1234.5@${BASE_MS + 1000}`,
        `telemetry_temperature=77.25@${BASE_MS + 1000}`,
      ]);

    const csv = await station.call('GET', '/api/telemetry/export?device_id=well-m1', { token: admin });
    expect(csv.status).toBe(200);
    expect(csv.text).toContain('77.25');
    expect(csv.text).toContain('1234.5');
    await node.close();
  });
});
