import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ForkedStation } from '../main/helpers/fork-station';
import { callStation } from './helpers/http';
import { hasMosquitto, TestMosquitto } from './helpers/mosquitto';
import { EdgeNode } from './helpers/sparkplug-node';

/**
 * The station's own process (the entry module the desktop app forks) killed with SIGKILL while a
 * broker delivers QoS 1 messages to it. The station acknowledges a message to the broker only once
 * its readings are committed, so what the broker counts as delivered is in the database, and what
 * was not yet acknowledged is delivered again to the restarted station (same client id, persistent
 * session): after the restart every message is stored, once. (The edge node's own PUBACKs come
 * from the broker, so they say nothing about the station; the kill lands while the station is busy
 * storing, where a PUBACK sent before the commit would be lost for good.)
 */
const ADMIN = { username: 'admin', password: 'crash-test-admin-password' };
const BASE_MS = Math.floor(Date.now() / 1000) * 1000 - 7_200_000;
const MESSAGES = 3000;
const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe.skipIf(!hasMosquitto)('Sparkplug QoS 1 acknowledgements and a crash of the station process', () => {
  it('when the station is killed while storing QoS 1 messages, then after a restart every message is stored exactly once', async () => {
    const broker = await TestMosquitto.start();
    cleanup.push(() => broker.dispose());
    const dataDir = mkdtempSync(join(tmpdir(), 'oilfield-mqtt-crash-'));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const env = {
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      SERVE_UI: 'false',
      LOG_LEVEL: 'warn',
      MQTT_URL: broker.url,
      MQTT_HOST_ID: `crash-host-${process.pid}`,
    };
    const startStation = async () => {
      const station = new ForkedStation(env);
      cleanup.push(async () => {
        if (station.child.exitCode === null && station.child.signalCode === null) station.child.kill('SIGKILL');
        await station.exited;
      });
      station.postMessage({ type: 'start', settings: { dataDir, env: {} } });
      const { url, databasePath } = await station.next('ready');
      const token = (await callStation(url, 'POST', '/token', { body: ADMIN })).body.access_token as string;
      await expect.poll(async () => (await callStation(url, 'GET', '/api/field/mqtt/status', { token })).body.connected, { timeout: 15_000 }).toBe(true);
      return { station, databasePath };
    };
    const first = await startStation();
    const db = new Database(first.databasePath, { readonly: true, fileMustExist: true });
    cleanup.push(() => void db.close());
    const count = db.prepare("SELECT COUNT(*) FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE d.device_id LIKE 'Crash:N1:%'").pluck();
    const distinct = db
      .prepare("SELECT COUNT(DISTINCT t.ts) FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE d.device_id LIKE 'Crash:N1:%'")
      .pluck();

    const node = await EdgeNode.connect(broker.url, { group: 'Crash', node: 'N1', devices: ['W1'] });
    cleanup.push(() => node.close());
    await node.birth(BASE_MS);
    await expect.poll(() => count.get()).toBe(1); // the birth's values

    // The node publishes as fast as the broker takes it; the station is killed halfway through storing.
    const sent = (async () => {
      for (let n = 1; n <= MESSAGES; n += 100) {
        await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            node.data('W1', { Temperature: 50 + (n + i) / 1000, Pressure: 1000 + n + i, 'Inputs/Flow rate': n + i }, BASE_MS + (n + i) * 1000, { qos: 1 }),
          ),
        );
      }
    })();
    await expect.poll(() => count.get() as number, { interval: 2, timeout: 30_000 }).toBeGreaterThan(MESSAGES / 3);
    first.station.child.kill('SIGKILL');
    expect((await first.station.exited).signal).toBe('SIGKILL');
    await sent; // the broker has every message
    const killedAt = count.get() as number;
    expect(killedAt).toBeLessThan(1 + MESSAGES);

    await startStation();
    await expect.poll(() => count.get(), { timeout: 30_000 }).toBe(1 + MESSAGES);
    expect(distinct.get()).toBe(1 + MESSAGES);
  }, 120_000);
});
