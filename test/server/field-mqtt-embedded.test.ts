import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hasMosquitto, TestMosquitto } from './helpers/mosquitto';
import { EdgeNode, encodeSparkplug } from './helpers/sparkplug-node';
import { TestStation } from './helpers/station';

const BASE_S = Math.floor(Date.now() / 1000) - 3600;
const BASE_MS = BASE_S * 1000;

/** Connects and publishes once; resolves with how the broker took it (an aedes refusal closes the connection). */
async function publishAs(url: string, username: string, password: string, topic: string, payload: string | Buffer): Promise<'sent' | 'closed'> {
  const client = await connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, username, password });
  try {
    const closed = new Promise<'closed'>((resolve) => client.once('close', () => resolve('closed')));
    const acked = client.publishAsync(topic, payload, { qos: 1 }).then(
      () => 'sent' as const,
      () => 'closed' as const,
    );
    return await Promise.race([acked, closed]);
  } finally {
    client.end(true);
  }
}

describe('embedded broker with station API keys', () => {
  let station: TestStation;
  let admin: string;
  let url: string;
  let deviceKey: { id: number; key: string };
  let userKey: { id: number; key: string };

  const createKey = async (role: string, devices?: string[]) => {
    const res = await station.call('POST', '/api/keys', { token: admin, body: { name: `mqtt ${role}`, role, devices } });
    expect(res.status).toBe(201);
    return { id: res.body.id as number, key: res.body.key as string };
  };
  const status = async () => (await station.call('GET', '/api/field/mqtt/status', { token: admin })).body;
  const count = (deviceId: string) => station.count(`SELECT COUNT(*) FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE d.device_id = '${deviceId}'`);

  beforeAll(async () => {
    station = await TestStation.start();
    admin = await station.token();
    const put = await station.call('PUT', '/api/field/mqtt', {
      token: admin,
      body: {
        mode: 'embedded',
        embedded_port: 0,
        host_id: 'station-1',
        json: [{ topic: 'site/+/telemetry', device_from: 'topic' }, { topic: 'gateway/readings' }],
      },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ mode: 'embedded', source: 'saved', password_set: false });
    await vi.waitFor(async () => expect((await status()).connected).toBe(true), { timeout: 10_000 });
    const s = await status();
    expect(s.embedded).toMatchObject({ listening: true, host: '127.0.0.1' });
    url = `mqtt://127.0.0.1:${s.embedded.port}`;
    deviceKey = await createKey('device', ['well-0*', 'PadE:RTU*']);
    userKey = await createKey('user');
  });
  afterAll(async () => {
    await station?.stop();
  });

  it('when a device key publishes JSON for a device in its scope, then the reading is stored', async () => {
    expect(
      await publishAs(url, String(deviceKey.id), deviceKey.key, 'site/well-001/telemetry', JSON.stringify({ ts: BASE_S, temperature: 71.5, pressure: 1013 })),
    ).toBe('sent');
    expect(
      await publishAs(
        url,
        String(deviceKey.id),
        deviceKey.key,
        'gateway/readings',
        JSON.stringify([
          { device_id: 'well-002', ts: BASE_S, pressure: 1 },
          { device_id: 'well-002', ts: BASE_S + 60, pressure: 2 },
        ]),
      ),
    ).toBe('sent');
    await expect.poll(() => count('well-001')).toBe(1);
    await expect.poll(() => count('well-002')).toBe(2);
  });

  it('when a device key publishes outside its scope, then the broker refuses it and nothing is stored', async () => {
    const before = (await status()).embedded.refused;
    expect(await publishAs(url, String(deviceKey.id), deviceKey.key, 'site/other-9/telemetry', JSON.stringify({ ts: BASE_S, temperature: 1 }))).toBe('closed');
    expect(
      await publishAs(
        url,
        String(deviceKey.id),
        deviceKey.key,
        'gateway/readings',
        JSON.stringify([
          { device_id: 'well-003', ts: BASE_S, pressure: 1 },
          { device_id: 'tank-1', ts: BASE_S, pressure: 1 },
        ]),
      ),
    ).toBe('closed');
    // a Sparkplug node outside the scope, and a command (device keys never send commands)
    const birth = encodeSparkplug({
      timestamp: BASE_MS,
      seq: 0,
      metrics: [
        { name: 'bdSeq', type: 'UInt64', value: 0 },
        { name: 'Temperature', alias: 1, type: 'Double', value: 1, timestamp: BASE_MS },
      ],
    });
    expect(await publishAs(url, String(deviceKey.id), deviceKey.key, 'spBv1.0/Other/NBIRTH/RTU1', birth)).toBe('closed');
    expect(await publishAs(url, String(deviceKey.id), deviceKey.key, 'spBv1.0/PadE/NCMD/RTU1', 'x')).toBe('closed');
    expect(await publishAs(url, String(userKey.id), userKey.key, 'site/well-004/telemetry', JSON.stringify({ ts: BASE_S, temperature: 1 }))).toBe('closed');
    expect((await status()).embedded.refused).toBeGreaterThanOrEqual(before + 5);
    expect(count('other-9') + count('well-003') + count('tank-1') + count('Other:RTU1') + count('well-004')).toBe(0);
  });

  it('when a device key subscribes beyond its own node commands, then the subscription is refused', async () => {
    const client = await connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, username: String(deviceKey.id), password: deviceKey.key });
    try {
      // SUBACK 0x80 (failure); the connection stays up
      await expect(client.subscribeAsync('site/#', { qos: 1 })).rejects.toMatchObject({ packet: { granted: [128] } });
      await expect(client.subscribeAsync(`spBv1.0/PadE/NCMD/RTU1`, { qos: 0 })).resolves.toEqual([expect.objectContaining({ qos: 0 })]);
    } finally {
      client.end(true);
    }
  });

  it('when credentials are wrong, then the connection is refused', async () => {
    await expect(connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, username: String(deviceKey.id), password: 'sok_wrong' })).rejects.toThrow(
      /Bad username or password|Not authorized/i,
    );
    await expect(connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, username: String(userKey.id), password: deviceKey.key })).rejects.toThrow();
    await expect(connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0 })).rejects.toThrow();
    await expect(connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, username: 'station', password: 'guess' })).rejects.toThrow();
  });

  it("when a key connects with the station's own client id, then it is refused and the station stays connected", async () => {
    await expect(
      connectAsync(url, {
        protocolVersion: 4,
        reconnectPeriod: 0,
        clientId: 'smart-oilfield-station-1',
        username: String(deviceKey.id),
        password: deviceKey.key,
      }),
    ).rejects.toThrow(/Identifier rejected/i);
    expect((await status()).connected).toBe(true);
  });

  it('when a revoked key connects, then it is refused', async () => {
    const k = await createKey('device', ['well-0*']);
    expect((await station.call('DELETE', `/api/keys/${k.id}`, { token: admin })).status).toBe(204);
    await expect(connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, username: String(k.id), password: k.key })).rejects.toThrow();
  });

  it('when a Sparkplug node in scope signs in with its device key, then birth and data are stored and a rebirth reaches it', async () => {
    const node = await EdgeNode.connect(url, { group: 'PadE', node: 'RTU1', devices: ['W1'], username: String(deviceKey.id), password: deviceKey.key });
    // the node's device W1 is PadE:RTU1:W1, inside 'PadE:RTU*'
    await node.birth(BASE_MS);
    await node.data('W1', { Temperature: 80 }, BASE_MS + 1000);
    await expect.poll(() => count('PadE:RTU1:W1')).toBe(2);
    await node.data('W1', { Temperature: 81 }, BASE_MS + 2000, { skipSeq: true });
    await expect.poll(() => node.rebirths).toBe(1);
    node.kill();
    await expect.poll(async () => (await status()).nodes.find((n: any) => n.node === 'RTU1' && n.group === 'PadE')?.online).toBe(false);
  });

  it('when a message is not JSON or not a valid reading, then it is counted with the error and the subscriber keeps going', async () => {
    const admKey = await createKey('admin');
    const before = (await status()).invalid_messages;
    expect(await publishAs(url, String(admKey.id), admKey.key, 'site/well-005/telemetry', '{"ts": 1,')).toBe('sent');
    await expect.poll(async () => (await status()).invalid_messages).toBe(before + 1);
    expect((await status()).last_invalid).toMatchObject({ topic: 'site/well-005/telemetry', error: expect.stringMatching(/not valid JSON/) });
    expect(await publishAs(url, String(admKey.id), admKey.key, 'site/well-005/telemetry', JSON.stringify({ ts: BASE_S, temperature: 'hot' }))).toBe('sent');
    await expect.poll(async () => (await status()).invalid_messages).toBe(before + 2);
    expect((await status()).last_invalid.error).toMatch(/temperature/);
    expect(
      await publishAs(url, String(admKey.id), admKey.key, 'site/well-005/telemetry', JSON.stringify({ device_id: 'well-006', ts: BASE_S, temperature: 1 })),
    ).toBe('sent');
    await expect.poll(async () => (await status()).invalid_messages).toBe(before + 3);
    expect(await publishAs(url, String(admKey.id), admKey.key, 'site/well-005/telemetry', JSON.stringify({ ts: BASE_S, temperature: 50 }))).toBe('sent');
    await expect.poll(() => count('well-005')).toBe(1);
    expect(count('well-006')).toBe(0);
    expect((await status()).connected).toBe(true);
  });
});

describe('MQTT readings and alarms', () => {
  it('when readings over MQTT stay beyond a device limit past the open delay, then an alarm opens as for HTTP ingest', async () => {
    const station = await TestStation.start();
    try {
      const admin = await station.token();
      await station.call('PUT', '/api/field/mqtt', { token: admin, body: { mode: 'embedded', embedded_port: 0, json: [{ topic: 'gateway/readings' }] } });
      await vi.waitFor(async () => expect((await station.call('GET', '/api/field/mqtt/status', { token: admin })).body.connected).toBe(true), {
        timeout: 10_000,
      });
      const port = (await station.call('GET', '/api/field/mqtt/status', { token: admin })).body.embedded.port as number;
      expect(
        (
          await station.call('PUT', '/api/ml/limits/well-alarm', {
            token: admin,
            body: { temperature_max: 100, alarm_open_after_s: 120, alarm_clear_after_s: 600 },
          })
        ).status,
      ).toBe(200);
      const key = await station.call('POST', '/api/keys', { token: admin, body: { name: 'gw', role: 'device', devices: ['well-alarm'] } });
      const normal = Array.from({ length: 30 }, (_, i) => ({
        device_id: 'well-alarm',
        ts: BASE_S + i * 60,
        temperature: 80 + (i % 3) * 0.1,
        pressure: 1000 + (i % 2),
      }));
      const hot = Array.from({ length: 10 }, (_, i) => ({ device_id: 'well-alarm', ts: BASE_S + (30 + i) * 60, temperature: 160, pressure: 1400 }));
      expect(await publishAs(`mqtt://127.0.0.1:${port}`, String(key.body.id), key.body.key, 'gateway/readings', JSON.stringify([...normal, ...hot]))).toBe(
        'sent',
      );
      await expect
        .poll(async () => (await station.call('GET', '/api/alarms?device_id=well-alarm&state=open', { token: admin })).body[0], { timeout: 20_000 })
        .toMatchObject({ device_id: 'well-alarm', state: 'open' });
    } finally {
      await station.stop();
    }
  });
});

describe('MQTT configuration API', () => {
  let station: TestStation;
  let admin: string;
  beforeAll(async () => {
    station = await TestStation.start();
    admin = await station.token();
  });
  afterAll(async () => {
    await station?.stop();
  });

  const put = (body: unknown) => station.call('PUT', '/api/field/mqtt', { token: admin, body });

  it('when nothing was saved, then the environment configuration shows (off by default)', async () => {
    const res = await station.call('GET', '/api/field/mqtt', { token: admin });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mode: 'off', source: 'env', host_id: 'smart-oilfield', sparkplug: true, password_set: false });
    expect((await station.call('GET', '/api/field/mqtt/status', { token: admin })).body).toMatchObject({ mode: 'off', connected: false, nodes: [] });
  });

  it.each([
    [{ mode: 'external' }, 'url'],
    [{ mode: 'external', url: 'http://127.0.0.1:1883' }, 'url'],
    [{ mode: 'external', url: 'mqtt://user:pw@127.0.0.1:1883' }, 'url'],
    [{ mode: 'sideways' }, 'mode'],
    [{ mode: 'off', host_id: 'a/b' }, 'host_id'],
    [{ mode: 'off', host_id: '' }, 'host_id'],
    [{ mode: 'off', rebirth_interval_s: 0 }, 'rebirth_interval_s'],
    [{ mode: 'off', rebirth_interval_s: Number.MAX_SAFE_INTEGER }, 'rebirth_interval_s'],
    [{ mode: 'off', embedded_port: 70000 }, 'embedded_port'],
    [{ mode: 'off', json: [{ topic: 'site/#/x' }] }, 'json.0.topic'],
    [{ mode: 'off', json: [{ topic: 'spBv1.0/#' }] }, 'json.0.topic'],
    [{ mode: 'off', json: [{ topic: 'a/b', device_from: 'topic' }] }, 'json.0.topic_level'],
    [{ mode: 'off', device_map: { 'G1/N1': "x'; DROP TABLE telemetry;--" } }, 'device_map.G1/N1'],
    [{ mode: 'off', device_map: { G1: 'well-1' } }, 'device_map.G1'],
    [{ mode: 'off', metric_map: { Temperature: 'humidity' } }, 'metric_map.Temperature'],
    [{ mode: 'off', ca: 'not a certificate' }, 'ca'],
    [{ mode: 'off', surprise: true }, '(body)'],
  ])('when the body is %j, then 422 names %s and nothing is saved', async (body, field) => {
    const res = await put(body);
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.body.errors.map((e: any) => e.path)).toContain(field);
    expect(station.count('SELECT COUNT(*) FROM mqtt_config')).toBe(0);
  });

  it('when a configuration is saved, then one audit row records it (no password, no credentials in the URL), and a refused one records none', async () => {
    const audited = () => station.count("SELECT COUNT(*) FROM audit_log WHERE action = 'field.mqtt.update'");
    const before = audited();
    expect((await put({ mode: 'off', surprise: true })).status).toBe(422);
    expect(audited()).toBe(before);
    const saved = await put({ mode: 'off', host_id: 'audit-check', password: 'never-in-the-log' });
    expect(saved.status).toBe(200);
    expect(audited()).toBe(before + 1);
    const row = station.db.prepare("SELECT actor, detail FROM audit_log WHERE action = 'field.mqtt.update' ORDER BY id DESC LIMIT 1").get() as {
      actor: string;
      detail: string;
    };
    expect(row.actor).toBe('admin');
    expect(JSON.parse(row.detail)).toMatchObject({ mode: 'off', host_id: 'audit-check' });
    expect(row.detail).not.toContain('never-in-the-log');
    // back to nothing saved, for the tests that follow
    station.db.prepare('DELETE FROM mqtt_config').run();
  });

  it('when the body is malformed or not JSON, then 400 / 415', async () => {
    expect((await station.call('PUT', '/api/field/mqtt', { token: admin, raw: '{"mode":', type: 'application/json' })).status).toBe(400);
    expect((await station.call('PUT', '/api/field/mqtt', { token: admin, raw: 'mode=off', type: 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect(station.count('SELECT COUNT(*) FROM mqtt_config')).toBe(0);
  });

  it('when someone who is not an admin asks, then 401 / 403', async () => {
    const engineer = await station.userToken();
    expect((await station.call('GET', '/api/field/mqtt')).status).toBe(401);
    expect((await station.call('GET', '/api/field/mqtt', { token: engineer })).status).toBe(403);
    expect((await station.call('PUT', '/api/field/mqtt', { token: engineer, body: { mode: 'off' } })).status).toBe(403);
    const device = await station.key('device');
    expect((await station.call('GET', '/api/field/mqtt/status', { key: device })).status).toBe(403);
  });

  it('when a password is saved, then it is never shown and omitting it keeps it', async () => {
    const res = await put({ mode: 'off', url: 'mqtt://127.0.0.1:1', username: 'station', password: 'secret-pw' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ password_set: true, username: 'station', source: 'saved' });
    expect(JSON.stringify(res.body)).not.toContain('secret-pw');
    expect((await put({ mode: 'off', url: 'mqtt://127.0.0.1:1', username: 'station' })).body.password_set).toBe(true);
    expect((await put({ mode: 'off', password: null })).body.password_set).toBe(false);
  });

  it('is described in /openapi.json', async () => {
    const doc = (await station.call('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/field/mqtt', '/api/field/mqtt/status', '/api/field/mqtt/test', '/api/field/mqtt/nodes/{group}/{node}/rebirth']),
    );
  });

  describe.skipIf(!hasMosquitto)('with a broker', () => {
    let broker: TestMosquitto;
    beforeAll(async () => {
      broker = await TestMosquitto.start();
    });
    afterAll(async () => {
      await put({ mode: 'off' });
      await broker?.dispose();
    });

    it('when the connection test points at a broker, then it says whether it connected', async () => {
      const ok = await station.call('POST', '/api/field/mqtt/test', { token: admin, body: { url: broker.url } });
      expect(ok.body).toMatchObject({ ok: true });
      const refused = await station.call('POST', '/api/field/mqtt/test', { token: admin, body: { url: 'mqtt://127.0.0.1:1' } });
      expect(refused.body).toMatchObject({ ok: false, detail: expect.stringMatching(/ECONNREFUSED/) });
      expect((await station.call('POST', '/api/field/mqtt/test', { token: admin, body: { url: 'ftp://x' } })).status).toBe(422);
    });

    it('when an external broker is saved through the API, then the host connects and a JSON publisher is stored', async () => {
      const res = await put({ mode: 'external', url: broker.url, host_id: `api-${process.pid}`, json: [{ topic: 'plant/+/data', device_from: 'topic' }] });
      expect(res.status).toBe(200);
      await vi.waitFor(async () => expect((await station.call('GET', '/api/field/mqtt/status', { token: admin })).body.connected).toBe(true), {
        timeout: 10_000,
      });
      const pub: MqttClient = await connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
      await pub.publishAsync(
        'plant/well-100/data',
        JSON.stringify([
          { ts: BASE_S, temperature: 10 },
          { ts: BASE_S + 1, temperature: 11 },
        ]),
        { qos: 1 },
      );
      await pub.endAsync();
      await expect.poll(() => station.count(`SELECT COUNT(*) FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE d.device_id = 'well-100'`)).toBe(2);
    });
  });
});
