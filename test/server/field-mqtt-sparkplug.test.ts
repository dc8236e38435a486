import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/server/config';
import { createLogger } from '../../src/server/logger';
import { startStation, type Station } from '../../src/server/station';
import { hasMosquitto, TestMosquitto } from './helpers/mosquitto';
import { EdgeNode, decodeSparkplug } from './helpers/sparkplug-node';
import { ADMIN, TestStation } from './helpers/station';

const BASE_MS = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
let uniq = 0;
const hostId = () => `test-host-${process.pid}-${++uniq}`;

const rows = (s: TestStation | Station, deviceId: string) =>
  ('station' in s ? s.station : s).db
    .prepare(
      `SELECT t.ts, t.temperature, t.pressure, t.status, t.extra FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE d.device_id = ? ORDER BY t.ts`,
    )
    .all(deviceId) as {
    ts: number;
    temperature: number | null;
    pressure: number | null;
    status: string | null;
    extra: string | null;
  }[];

describe.skipIf(!hasMosquitto)('Sparkplug B host through mosquitto', () => {
  let broker: TestMosquitto;
  let station: TestStation;
  let admin: string;

  beforeAll(async () => {
    broker = await TestMosquitto.start();
    station = await TestStation.start({ MQTT_URL: broker.url, MQTT_HOST_ID: hostId() });
    admin = await station.token();
    await vi.waitFor(async () => expect((await station.call('GET', '/api/field/mqtt/status', { token: admin })).body.connected).toBe(true), {
      timeout: 10_000,
    });
  });
  afterAll(async () => {
    await station?.stop();
    await broker?.dispose();
  });

  const status = async () => (await station.call('GET', '/api/field/mqtt/status', { token: admin })).body;
  const nodeStatus = async (group: string, node: string) => (await status()).nodes.find((n: any) => n.group === group && n.node === node);

  it('when a node is born and sends data by alias, then each value lands once with its own timestamp', async () => {
    const node = await EdgeNode.connect(broker.url, { group: 'Pad1', node: 'RTU1', devices: ['Well3'] });
    await node.birth(BASE_MS);
    await expect.poll(async () => (await nodeStatus('Pad1', 'RTU1'))?.devices?.[0]?.online).toBe(true);
    await node.data('Well3', { Temperature: 81.5, Pressure: 2100.25, 'Inputs/Flow rate': 12.5 }, BASE_MS + 1000);
    await node.data('Well3', { Temperature: 81.75 }, BASE_MS + 2000);
    await node.data(undefined, { Status: 'running' }, BASE_MS + 3000);
    await node.data(undefined, { Pressure: 5, Status: 'running' }, BASE_MS + 4000);
    await expect.poll(() => rows(station, 'Pad1:RTU1:Well3').length).toBe(3);
    const well = rows(station, 'Pad1:RTU1:Well3');
    expect(well.map((r) => r.ts)).toEqual([BASE_MS, BASE_MS + 1000, BASE_MS + 2000]);
    expect(well[1]).toMatchObject({ temperature: 81.5, pressure: 2100.25 });
    expect(JSON.parse(well[1]!.extra!)).toEqual({ 'Inputs.Flow_rate': 12.5 });
    expect(well[2]).toMatchObject({ temperature: 81.75, pressure: null });
    // the node's status-only message (report by exception: only the state changed) is a reading of its own
    await expect.poll(() => rows(station, 'Pad1:RTU1').length).toBe(3);
    const rtu = rows(station, 'Pad1:RTU1');
    expect(rtu.map((r) => r.ts)).toEqual([BASE_MS, BASE_MS + 3000, BASE_MS + 4000]);
    expect(rtu[1]).toMatchObject({ temperature: null, pressure: null, status: 'running', extra: null });
    expect(rtu[2]).toMatchObject({ pressure: 5, status: 'running' });

    const s = await nodeStatus('Pad1', 'RTU1');
    expect(s).toMatchObject({ online: true, bd_seq: 0, last_seq: 5, rebirths_requested: 0 });
    expect(s.devices[0].metrics.find((m: any) => m.name === 'Temperature')).toMatchObject({ value: 81.75, alias: 101, ts: (BASE_MS + 2000) / 1000 });
    // the same data again (a QoS 1 redelivery) changes nothing
    await node.birth(BASE_MS);
    await node.data('Well3', { Temperature: 81.5, Pressure: 2100.25, 'Inputs/Flow rate': 12.5 }, BASE_MS + 1000);
    await node.data('Well3', { Temperature: 99 }, BASE_MS + 5000);
    await expect.poll(() => rows(station, 'Pad1:RTU1:Well3').length).toBe(4);
    expect(station.count(`SELECT COUNT(*) FROM telemetry WHERE ts = ${BASE_MS + 1000}`)).toBe(1);
    // a DDATA whose only metric is the status is stored, not counted as invalid
    const invalidBefore = (await status()).invalid_messages;
    await node.data('Well3', { Status: 'shut in' }, BASE_MS + 6000);
    await expect.poll(() => rows(station, 'Pad1:RTU1:Well3').length).toBe(5);
    expect(rows(station, 'Pad1:RTU1:Well3').at(-1)).toMatchObject({ ts: BASE_MS + 6000, temperature: null, pressure: null, status: 'shut in' });
    expect((await status()).invalid_messages).toBe(invalidBefore);
    await node.close();
  });

  it('when data arrives with an unknown alias, then a Rebirth NCMD goes out and data resumes after the new birth', async () => {
    const node = await EdgeNode.connect(broker.url, { group: 'Pad1', node: 'RTU2' });
    await node.birth(BASE_MS);
    await expect.poll(async () => (await nodeStatus('Pad1', 'RTU2'))?.online).toBe(true);
    // what a node that added a metric without a new birth sends
    await node.data(undefined, { Temperature: 70 }, BASE_MS + 1000, { aliasOverride: 999 });
    await expect.poll(() => node.rebirths).toBe(1);
    await expect.poll(async () => (await nodeStatus('Pad1', 'RTU2'))?.rebirths_requested).toBe(1);
    await node.data(undefined, { Temperature: 71 }, BASE_MS + 2000);
    await expect.poll(() => rows(station, 'Pad1:RTU2').map((r) => r.temperature)).toEqual([0, 71]);
    expect((await nodeStatus('Pad1', 'RTU2')).decode_errors).toBeGreaterThanOrEqual(1);
    await node.close();
  });

  it('when a seq is skipped, then the host asks for a Rebirth once per interval and keeps the data it can decode', async () => {
    const node = await EdgeNode.connect(broker.url, { group: 'Pad1', node: 'RTU3' });
    await node.birth(BASE_MS);
    await expect.poll(async () => (await nodeStatus('Pad1', 'RTU3'))?.online).toBe(true);
    await node.data(undefined, { Pressure: 10 }, BASE_MS + 1000, { skipSeq: true });
    await expect.poll(() => node.rebirths).toBe(1);
    await node.data(undefined, { Pressure: 11 }, BASE_MS + 2000, { skipSeq: true });
    await node.data(undefined, { Pressure: 12 }, BASE_MS + 3000);
    await expect.poll(() => rows(station, 'Pad1:RTU3').map((r) => r.pressure)).toEqual([0, 10, 11, 12]);
    // the second gap came within the rebirth interval (10 s by default): no second request
    expect((await nodeStatus('Pad1', 'RTU3')).rebirths_requested).toBe(1);
    expect(node.rebirths).toBe(1);
    await node.close();
  });

  it('when data comes before any birth, then the host asks for a Rebirth', async () => {
    const node = await EdgeNode.connect(broker.url, { group: 'Pad2', node: 'Late' });
    await node.data(undefined, { Temperature: 1 }, BASE_MS + 1000);
    await expect.poll(() => node.rebirths).toBe(1);
    await expect.poll(async () => (await nodeStatus('Pad2', 'Late'))?.online).toBe(true);
    await node.data(undefined, { Temperature: 2 }, BASE_MS + 2000);
    await expect.poll(() => rows(station, 'Pad2:Late').map((r) => r.temperature)).toContain(2);
    await node.close();
  });

  it("when a node's connection drops without a goodbye, then its will marks it and its devices offline", async () => {
    const node = await EdgeNode.connect(broker.url, { group: 'Pad1', node: 'RTU4', devices: ['W1'] });
    await node.birth(BASE_MS);
    await expect.poll(async () => (await nodeStatus('Pad1', 'RTU4'))?.devices?.[0]?.online).toBe(true);
    node.kill();
    await expect.poll(async () => (await nodeStatus('Pad1', 'RTU4'))?.online).toBe(false);
    const s = await nodeStatus('Pad1', 'RTU4');
    expect(s.devices[0].online).toBe(false);
    expect(s.last_death).not.toBeNull();
    const devices = (await station.call('GET', '/api/devices', { token: admin })).body as { device_id: string; online?: boolean }[];
    expect(devices.find((d) => d.device_id === 'Pad1:RTU4')).toMatchObject({ online: false });
    expect(devices.find((d) => d.device_id === 'Pad1:RTU4:W1')).toMatchObject({ online: false });
  });

  it('when an admin asks for a rebirth, then the NCMD is sent; an unknown node is 404', async () => {
    const node = await EdgeNode.connect(broker.url, { group: 'Pad1', node: 'RTU5', answerRebirth: false });
    await node.birth(BASE_MS);
    await expect.poll(async () => (await nodeStatus('Pad1', 'RTU5'))?.online).toBe(true);
    const res = await station.call('POST', '/api/field/mqtt/nodes/Pad1/RTU5/rebirth', { token: admin });
    expect(res.status).toBe(202);
    await expect.poll(() => node.rebirths).toBe(1);
    expect((await station.call('POST', '/api/field/mqtt/nodes/Pad1/Nobody/rebirth', { token: admin })).status).toBe(404);
    const engineer = await station.userToken();
    expect((await station.call('POST', '/api/field/mqtt/nodes/Pad1/RTU5/rebirth', { token: engineer })).status).toBe(403);
    expect((await station.call('GET', '/api/field/mqtt/status', { token: engineer })).status).toBe(200);
    await node.close();
  });

  it('when a payload is not protobuf, then it is counted with its topic and the host keeps going', async () => {
    const before = await status();
    const raw = await connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
    await raw.publishAsync('spBv1.0/Pad1/NDATA/RTU1', Buffer.from([0xff, 0xff, 0xff, 0x07, 0x01]), { qos: 1 });
    await raw.publishAsync('spBv1.0/Pad1/NOPE/RTU1', Buffer.from('x'), { qos: 1 });
    await raw.endAsync();
    await expect.poll(async () => (await status()).invalid_messages).toBe(before.invalid_messages + 2);
    const after = await status();
    expect(after.connected).toBe(true);
    expect(after.last_invalid.topic).toBe('spBv1.0/Pad1/NOPE/RTU1');
    // the host still works
    const node = await EdgeNode.connect(broker.url, { group: 'Pad9', node: 'After' });
    await node.birth(BASE_MS);
    await expect.poll(() => rows(station, 'Pad9:After').length).toBe(1);
    await node.close();
  });

  it('publishes its STATE retained, online while connected, and says online again when something declares it offline', async () => {
    const host = (await station.call('GET', '/api/field/mqtt', { token: admin })).body.host_id as string;
    const c = await connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
    const states: { online: boolean }[] = [];
    c.on('message', (_t, p) => states.push(JSON.parse(p.toString())));
    await c.subscribeAsync(`spBv1.0/STATE/${host}`);
    await expect.poll(() => states[0]).toMatchObject({ online: true });
    // what a will from an older connection of the station looks like, arriving late
    await c.publishAsync(`spBv1.0/STATE/${host}`, JSON.stringify({ online: false, timestamp: 1 }), { qos: 1, retain: true });
    await expect.poll(() => states.at(-1)).toMatchObject({ online: true });
    expect(states.map((s) => s.online)).toEqual([true, false, true]);
    await c.endAsync();
  });
});

describe.skipIf(!hasMosquitto)('broker and station outages', () => {
  it('when the broker stops and comes back, then the station reconnects, resubscribes and stores new data', async () => {
    const broker = await TestMosquitto.start();
    const station = await TestStation.start({ MQTT_URL: broker.url, MQTT_HOST_ID: hostId() });
    try {
      const admin = await station.token();
      const connected = async () => (await station.call('GET', '/api/field/mqtt/status', { token: admin })).body.connected;
      await expect.poll(connected).toBe(true);
      await broker.restart();
      // a broker without persistence forgot the session and its subscriptions
      await expect.poll(connected, { timeout: 20_000 }).toBe(true);
      const node = await EdgeNode.connect(broker.url, { group: 'Pad3', node: 'Back' });
      await node.birth(BASE_MS);
      await node.data(undefined, { Temperature: 55 }, BASE_MS + 1000);
      await expect.poll(() => rows(station, 'Pad3:Back').map((r) => r.temperature), { timeout: 20_000 }).toEqual([0, 55]);
      await node.close();
    } finally {
      await station.stop();
      await broker.dispose();
    }
  });

  it('when the station is down while a node publishes at QoS 1, then after restart every message is stored once', async () => {
    const broker = await TestMosquitto.start();
    const dataDir = mkdtempSync(join(tmpdir(), 'oilfield-mqtt-restart-'));
    const env = {
      DATA_DIR: dataDir,
      PORT: 0,
      HOST: '127.0.0.1',
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      SERVE_UI: 'false' as const,
      MQTT_URL: broker.url,
      MQTT_HOST_ID: hostId(),
    };
    const start = () => startStation(loadConfig({}, env), { logger: createLogger('silent') });
    let station: Station | undefined = await start();
    const node = await EdgeNode.connect(broker.url, { group: 'Pad4', node: 'SAF', devices: ['W7'] });
    try {
      await node.birth(BASE_MS);
      await expect.poll(() => rows(station!, 'Pad4:SAF:W7').length).toBe(1);
      await station.close();
      station = undefined;
      const sent = 200;
      for (let i = 1; i <= sent; i++) await node.data('W7', { Temperature: 60 + i / 100, Pressure: 1000 + i }, BASE_MS + i * 1000, { qos: 1 });
      station = await start();
      await expect.poll(() => rows(station!, 'Pad4:SAF:W7').length, { timeout: 20_000 }).toBe(sent + 1);
      const stored = rows(station, 'Pad4:SAF:W7');
      expect(new Set(stored.map((r) => r.ts)).size).toBe(sent + 1);
      expect(stored.at(-1)).toMatchObject({ ts: BASE_MS + sent * 1000, pressure: 1000 + sent });
    } finally {
      await node.close();
      await station?.close();
      rmSync(dataDir, { recursive: true, force: true });
      await broker.dispose();
    }
  });
});

describe('Sparkplug NCMD payload', () => {
  it('is a Node Control/Rebirth boolean true', async () => {
    const { rebirthPayload } = await import('../../src/server/field/mqtt/sparkplug');
    const p = decodeSparkplug(rebirthPayload());
    expect(p.metrics?.[0]).toMatchObject({ name: 'Node Control/Rebirth', type: 'Boolean', value: true });
  });
});
