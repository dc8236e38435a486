import { afterAll, describe, expect, it } from 'vitest';
import { TestRedis, hasRedisServer } from '../server/helpers/redis';
import { InfluxDb1, freePort, hasBinary } from '../server/helpers/tsdb';
import { sleep, StationProcess } from './helpers/station-process';

/**
 * Dependencies failing: the station runs with its own redis-server (cache, rate limits, jobs) and
 * its own influxd 1.6 (the store-and-forward mirror), both started by this test on free loopback
 * ports. While devices keep posting and engineers keep reading, Redis drops every connection and
 * then goes away, and InfluxDB goes away; every request must still succeed. When both come back,
 * the forwarder must catch up: InfluxDB ends up with every reading SQLite acknowledged.
 */
const missing = [!hasRedisServer && 'redis-server (apt-get install -y redis-server)', !hasBinary('influxd') && 'influxd (apt-get install -y influxdb)'].filter(
  Boolean,
);
if (missing.length) console.warn(`[skipped] dependency-failure test needs ${missing.join(' and ')}`);

const BATCH = 100;
const BASE_TS = 1_730_000_000;
const DB = 'oilfield';

let redis: TestRedis | undefined;
let influx: InfluxDb1 | undefined;
const station = new StationProcess();
const late = new StationProcess();
let lateRedis: TestRedis | undefined;
afterAll(async () => {
  await station.remove();
  await late.remove();
  await lateRedis?.dispose();
  await redis?.dispose();
  await influx?.destroy();
});

async function influxCount(server = influx): Promise<number> {
  const r = await server!.query(DB, 'SELECT COUNT(temperature) FROM telemetry');
  return (r.results?.[0]?.series?.[0]?.values?.[0]?.[1] as number | undefined) ?? 0;
}

describe.skipIf(missing.length > 0)('dependencies failing', () => {
  it('when Redis drops connections and stops and InfluxDB stops mid-run, then ingest and reads keep working and the mirror catches up after', async () => {
    redis = await TestRedis.start();
    influx = await InfluxDb1.create();
    await influx.query(DB, `CREATE DATABASE ${DB}`);
    await station.start({
      REDIS_URL: redis.url,
      REDIS_CONNECT_TIMEOUT_MS: '500',
      INFLUX_URL: influx.url,
      INFLUX_VERSION: '1',
      INFLUX_DB: DB,
      INFLUX_FLUSH_INTERVAL_MS: '200',
      INFLUX_MIN_BACKOFF_MS: '100',
      INFLUX_MAX_BACKOFF_MS: '1000',
      INFLUX_WRITE_TIMEOUT_MS: '2000',
    });
    const key = await station.key('device');
    const reader = await station.key('user');

    const errors: string[] = [];
    let acked = 0;
    let next = 0;
    let running = true;
    const ingest = async () => {
      while (running) {
        const body = Array.from({ length: BATCH }, () => ({ device_id: `dep-${next % 10}`, ts: BASE_TS + next++, temperature: 30, pressure: 200 }));
        const res = await station.call('POST', '/api/telemetry/batch', { key, body });
        if (res.status === 200) acked += res.body.inserted;
        else errors.push(`batch ${res.status} ${res.text.slice(0, 120)}`);
        await sleep(50);
      }
    };
    const read = async () => {
      while (running) {
        for (const path of ['/api/telemetry?limit=10', '/api/telemetry/stats', '/api/telemetry/stats?device_id=dep-1', '/health']) {
          const res = await station.call('GET', path, { key: reader });
          // /health may say "degraded" (503) only for the database; a dependency is reported, not fatal.
          if (res.status !== 200) errors.push(`${path} ${res.status} ${res.text.slice(0, 120)}`);
        }
        await sleep(100);
      }
    };
    const phase = async (ms: number) => sleep(ms);
    const load = Promise.all([ingest(), read()]);

    await phase(2000); // all healthy
    await redis.killClients(); // Redis drops every connection
    await phase(1500);
    await influx.stop(); // the mirror target goes away
    await redis.stop(); // and so does Redis
    await phase(4000);
    const backlogDuringOutage = (await station.call('GET', '/api/influx/status', { key: reader })).body;
    await redis.restart();
    await influx.start();
    await phase(2000);
    running = false;
    await load;

    expect(errors).toEqual([]);
    expect(acked).toBeGreaterThan(0);
    expect(backlogDuringOutage.ok).toBe(false);

    // Catch-up is polled (bounded), not timed: the mirror must end up with every reading.
    let status = (await station.call('GET', '/api/influx/status', { key: reader })).body;
    for (let i = 0; i < 120 && (status.backlog > 0 || (await influxCount()) < acked); i++) {
      await sleep(500);
      status = (await station.call('GET', '/api/influx/status', { key: reader })).body;
    }
    expect(status.backlog).toBe(0);
    expect(await influxCount()).toBe(acked);
    console.info(
      `dependencies failing: ${acked} readings acknowledged through the outages; backlog during the outage ${backlogDuringOutage.backlog}; InfluxDB caught up`,
    );
  });

  it('when Redis and InfluxDB are unreachable from the start, then the station starts, ingests and serves, and forwards everything once they appear', async () => {
    const redisPort = await freePort();
    // The InfluxDB server is created (ports reserved, config written) and stopped at once: nothing listens yet.
    const lateInflux = await InfluxDb1.create();
    await lateInflux.query(DB, `CREATE DATABASE ${DB}`);
    await lateInflux.stop();
    try {
      await late.start({
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        REDIS_CONNECT_TIMEOUT_MS: '500',
        INFLUX_URL: lateInflux.url,
        INFLUX_VERSION: '1',
        INFLUX_DB: DB,
        INFLUX_FLUSH_INTERVAL_MS: '200',
        INFLUX_MIN_BACKOFF_MS: '100',
        INFLUX_MAX_BACKOFF_MS: '1000',
      });
      const key = await late.key('device');
      const reader = await late.key('user');
      let acked = 0;
      for (let b = 0; b < 10; b++) {
        const body = Array.from({ length: BATCH }, (_, k) => ({ device_id: `late-${k % 5}`, ts: BASE_TS + b * BATCH + k, temperature: 1, pressure: 2 }));
        const res = await late.call('POST', '/api/telemetry/batch', { key, body });
        expect(res.status).toBe(200);
        acked += res.body.inserted;
      }
      expect((await late.call('GET', '/api/telemetry?limit=5', { key: reader })).status).toBe(200);
      expect((await late.call('GET', '/api/telemetry/stats', { key: reader })).status).toBe(200);
      const health = await late.call('GET', '/health');
      expect(health.status).toBe(200);
      expect((await late.call('GET', '/api/influx/status', { key: reader })).body.backlog).toBe(acked);

      lateRedis = await TestRedis.start(redisPort);
      await lateInflux.start();
      let backlog = acked;
      for (let i = 0; i < 120 && (backlog > 0 || (await influxCount(lateInflux)) < acked); i++) {
        await sleep(500);
        backlog = (await late.call('GET', '/api/influx/status', { key: reader })).body.backlog;
      }
      expect(backlog).toBe(0);
      expect(await influxCount(lateInflux)).toBe(acked);
    } finally {
      await lateInflux.destroy();
    }
  });
});
