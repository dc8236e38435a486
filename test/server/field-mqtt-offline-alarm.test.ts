import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/server/config';
import { createLogger } from '../../src/server/logger';
import { startStation, type Station } from '../../src/server/station';
import { callStation } from './helpers/http';
import { hasMosquitto, TestMosquitto } from './helpers/mosquitto';
import { EdgeNode } from './helpers/sparkplug-node';
import { ADMIN, TestStation } from './helpers/station';

const BASE_MS = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;

/** Offline alarms: a Sparkplug node or device that stays dead past the grace period opens an alarm, its next birth clears it. */
describe.skipIf(!hasMosquitto)('Sparkplug offline alarms through mosquitto', () => {
  let broker: TestMosquitto;
  let station: TestStation;
  let admin: string;

  beforeAll(async () => {
    broker = await TestMosquitto.start();
    station = await TestStation.start({ MQTT_URL: broker.url, MQTT_HOST_ID: `offline-host-${process.pid}`, MQTT_OFFLINE_ALARM_S: '1' });
    admin = await station.token();
    await vi.waitFor(async () => expect((await station.call('GET', '/api/field/mqtt/status', { token: admin })).body.connected).toBe(true), {
      timeout: 10_000,
    });
  });
  afterAll(async () => {
    await station?.stop();
    await broker?.dispose();
  });

  const offlineAlarms = async (deviceId: string) => {
    const res = await station.call('GET', `/api/alarms?device_id=${encodeURIComponent(deviceId)}`, { token: admin });
    expect(res.status).toBe(200);
    return (res.body as { id: number; state: string; reason: string | null; model: string; acknowledged_by: string | null }[]).filter((a) =>
      a.reason?.startsWith('Offline: '),
    );
  };

  it('when a node dies and stays dead past the grace period, then one alarm opens, can be acknowledged, and clears when the node is born again', async () => {
    const node = await EdgeNode.connect(broker.url, { group: 'Pad9', node: 'RTU1', devices: ['W1'] });
    await node.birth(BASE_MS);
    await expect.poll(() => station.count(`SELECT COUNT(*) FROM devices WHERE device_id LIKE 'Pad9:RTU1%'`)).toBe(2);
    node.kill(); // the broker publishes its NDEATH will

    await expect.poll(() => offlineAlarms('Pad9:RTU1'), { timeout: 15_000 }).toHaveLength(1);
    const [alarm] = await offlineAlarms('Pad9:RTU1');
    expect(alarm).toMatchObject({
      state: 'open',
      model: 'rule',
      reason: expect.stringMatching(/^Offline: Sparkplug edge node Pad9\/RTU1 has sent no birth since/),
    });
    // the node's device is covered by the node's alarm, not a second one
    expect(await offlineAlarms('Pad9:RTU1:W1')).toEqual([]);
    // still one alarm after more checks
    await new Promise((r) => setTimeout(r, 1500));
    expect(await offlineAlarms('Pad9:RTU1')).toHaveLength(1);

    const ack = await station.call('POST', `/api/alarms/${alarm!.id}/ack`, { token: admin, body: { note: 'radio link down, crew sent' } });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ id: alarm!.id, state: 'open', acknowledged_by: expect.any(String) });

    const back = await EdgeNode.connect(broker.url, { group: 'Pad9', node: 'RTU1', devices: ['W1'] });
    await back.birth(BASE_MS + 60_000);
    await expect.poll(async () => (await offlineAlarms('Pad9:RTU1'))[0]?.state, { timeout: 15_000 }).toBe('cleared');
    expect(await offlineAlarms('Pad9:RTU1')).toHaveLength(1);
    await back.close();
  });

  it('when a device dies while its node lives, then the device gets its own alarm, cleared by its next DBIRTH', async () => {
    const node = await EdgeNode.connect(broker.url, { group: 'Pad9', node: 'RTU2', devices: ['W1', 'W2'] });
    await node.birth(BASE_MS);
    await expect.poll(() => station.count(`SELECT COUNT(*) FROM devices WHERE device_id LIKE 'Pad9:RTU2%'`)).toBe(3);
    await node.deviceDeath('W2');

    await expect.poll(() => offlineAlarms('Pad9:RTU2:W2'), { timeout: 15_000 }).toHaveLength(1);
    expect(await offlineAlarms('Pad9:RTU2')).toEqual([]);
    expect(await offlineAlarms('Pad9:RTU2:W1')).toEqual([]);

    await node.birth(BASE_MS + 60_000);
    await expect.poll(async () => (await offlineAlarms('Pad9:RTU2:W2'))[0]?.state, { timeout: 15_000 }).toBe('cleared');
    await node.close();
  });

  it('when the grace period is 0, then no alarm opens; a bad value is a 422 and nothing is saved', async () => {
    const view = (await station.call('GET', '/api/field/mqtt', { token: admin })).body;
    expect(view.offline_alarm_s).toBe(1);
    const { password_set: _p, source: _s, ...config } = view;
    const bad = await station.call('PUT', '/api/field/mqtt', { token: admin, body: { ...config, offline_alarm_s: -5 } });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body.errors)).toMatch(/offline_alarm_s/);
    expect((await station.call('GET', '/api/field/mqtt', { token: admin })).body.offline_alarm_s).toBe(1);

    const saved = await station.call('PUT', '/api/field/mqtt', { token: admin, body: { ...config, offline_alarm_s: 0 } });
    expect(saved.status).toBe(200);
    await vi.waitFor(async () => expect((await station.call('GET', '/api/field/mqtt/status', { token: admin })).body.connected).toBe(true), {
      timeout: 10_000,
    });
    const node = await EdgeNode.connect(broker.url, { group: 'Pad9', node: 'RTU3' });
    await node.birth(BASE_MS);
    await expect.poll(() => station.count(`SELECT COUNT(*) FROM devices WHERE device_id = 'Pad9:RTU3'`)).toBe(1);
    node.kill();
    await expect
      .poll(async () => (await station.call('GET', '/api/field/mqtt/status', { token: admin })).body.nodes.find((n: any) => n.node === 'RTU3')?.online)
      .toBe(false);
    await new Promise((r) => setTimeout(r, 2500));
    expect(await offlineAlarms('Pad9:RTU3')).toEqual([]);
  });

  it('when the station restarts while an offline alarm is open, then it is not opened twice and still clears on the next birth', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'oilfield-offline-restart-'));
    const env = {
      DATA_DIR: dataDir,
      PORT: 0,
      HOST: '127.0.0.1',
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      SERVE_UI: 'false' as const,
      MQTT_URL: broker.url,
      MQTT_HOST_ID: `offline-restart-${process.pid}`,
      MQTT_OFFLINE_ALARM_S: 1,
    };
    const start = () => startStation(loadConfig({}, env), { logger: createLogger('silent') });
    let s: Station | undefined = await start();
    const node = await EdgeNode.connect(broker.url, { group: 'Pad8', node: 'RTU5' });
    try {
      const token = async () => (await callStation(s!.url, 'POST', '/token', { body: ADMIN })).body.access_token as string;
      const alarms = async () =>
        ((await callStation(s!.url, 'GET', '/api/alarms?device_id=Pad8:RTU5', { token: await token() })).body as { state: string; reason: string }[]).filter(
          (a) => a.reason?.startsWith('Offline: '),
        );
      await node.birth(BASE_MS);
      await expect.poll(() => s!.db.prepare("SELECT COUNT(*) FROM devices WHERE device_id = 'Pad8:RTU5'").pluck().get()).toBe(1);
      node.kill();
      await expect.poll(alarms, { timeout: 15_000 }).toHaveLength(1);
      await s.close();
      s = await start();
      await new Promise((r) => setTimeout(r, 2500)); // several checks after the restart
      expect((await alarms()).map((a) => a.state)).toEqual(['open']);
      const back = await EdgeNode.connect(broker.url, { group: 'Pad8', node: 'RTU5' });
      await back.birth(BASE_MS + 60_000);
      await expect.poll(async () => (await alarms()).map((a) => a.state), { timeout: 15_000 }).toEqual(['cleared']);
      await back.close();
    } finally {
      await node.close();
      await s?.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
