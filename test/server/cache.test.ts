import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../src/server/config';
import { MemoryCache } from '../../src/server/cache/memory-cache';
import { statsTag } from '../../src/server/cache/telemetry-cache';
import { hasRedisServer, TestRedis } from './helpers/redis';
import { TestStation } from './helpers/station';

/** The same stats-cache suite with no Redis configured (in-memory LRU) and on a private redis-server. */
describe.each([
  { name: 'embedded (no Redis configured)', redis: false },
  { name: 'Redis', redis: true },
])('GET /api/telemetry/stats cache, $name', ({ redis: useRedis }) => {
  const skip = useRedis && !hasRedisServer;
  let redis: TestRedis | undefined;
  let ts: TestStation;
  let token: string;
  let device: string;
  const now = Math.floor(Date.now() / 1000);
  const post = (device_id: string, ts_: number, temperature: number) =>
    ts.call('POST', '/api/telemetry', { key: device, body: { device_id, ts: ts_, temperature, pressure: 1 } });
  const stats = (q = '') => ts.call('GET', `/api/telemetry/stats${q}`, { token });

  beforeAll(async () => {
    if (skip) return;
    const env: Env = {};
    if (useRedis) {
      redis = await TestRedis.start();
      Object.assign(env, { REDIS_URL: redis.url, REDIS_PREFIX: `c${process.pid}` });
    }
    ts = await TestStation.start(env);
    token = await ts.token();
    device = await ts.key('device');
    await post('WELL-A', now - 100, 10);
    await post('WELL-B', now - 100, 20);
  }, 60_000);

  afterAll(async () => {
    await ts?.stop();
    await redis?.dispose();
  });

  it.skipIf(skip)('when stats are read twice, then the second read is a HIT with the same body', async () => {
    const a = await stats('?device_id=WELL-A');
    const b = await stats('?device_id=WELL-A');
    expect(a.headers.get('x-cache')).toBe('MISS');
    expect(b.headers.get('x-cache')).toBe('HIT');
    expect(b.body).toEqual(a.body);
  });

  it.skipIf(skip)('when the filter differs, then it is a different key', async () => {
    await stats(`?device_id=WELL-A&ts_from=${now - 50}`);
    const c = await stats(`?device_id=WELL-A&ts_from=${now - 1000}`);
    expect(c.headers.get('x-cache')).toBe('MISS');
    expect(c.body.count).toBe(1);
    expect((await stats(`?device_id=WELL-A&ts_from=${now - 50}`)).body.count).toBe(0);
  });

  it.skipIf(skip)(
    'when a device writes, then its keys and the all-devices keys miss, other devices stay cached, and nobody reads the write stale',
    async () => {
      await stats('?device_id=WELL-A');
      await stats('?device_id=WELL-B');
      await stats();
      expect((await stats()).headers.get('x-cache')).toBe('HIT');
      expect((await post('WELL-A', now - 10, 11)).status).toBe(201);
      const a = await stats('?device_id=WELL-A');
      expect(a.headers.get('x-cache')).toBe('MISS');
      expect(a.body.count).toBe(2);
      const all = await stats();
      expect(all.headers.get('x-cache')).toBe('MISS');
      expect(all.body.count).toBe(3);
      expect((await stats('?device_id=WELL-B')).headers.get('x-cache')).toBe('HIT');
    },
  );

  it.skipIf(skip)('when a batch writes several devices, then each of them is invalidated', async () => {
    await stats('?device_id=WELL-B');
    const r = await ts.call('POST', '/api/telemetry/batch', { key: device, body: [{ device_id: 'WELL-B', ts: now - 5, temperature: 1 }] });
    expect(r.status).toBe(200);
    const b = await stats('?device_id=WELL-B');
    expect(b.headers.get('x-cache')).toBe('MISS');
    expect(b.body.count).toBe(2);
  });

  it.skipIf(skip)('when a reading is deleted, then the stats of its device are recomputed', async () => {
    const created = await post('WELL-A', now - 1, 12);
    expect((await stats('?device_id=WELL-A')).body.count).toBe(3);
    expect((await stats('?device_id=WELL-A')).headers.get('x-cache')).toBe('HIT');
    expect((await ts.call('DELETE', `/api/telemetry/${created.body.id}`, { token })).status).toBe(204);
    const after = await stats('?device_id=WELL-A');
    expect(after.headers.get('x-cache')).toBe('MISS');
    expect(after.body.count).toBe(2);
    expect((await ts.call('DELETE', '/api/telemetry/999999', { token })).status).toBe(404);
  });

  it.skipIf(skip)('when the stats filter is bad, then it is a 422 and nothing is cached', async () => {
    const r = await stats('?device_id=WELL-A&bogus=1');
    expect(r.status).toBe(422);
    expect(r.headers.get('x-cache')).toBeNull();
  });
});

describe('cache building blocks', () => {
  it('when a key is tagged and the tag is invalidated, then the key is gone and others stay', async () => {
    const c = new MemoryCache(100);
    await c.setTagged('k1', { a: 1 }, 60, ['t1']);
    await c.setTagged('k2', { a: 2 }, 60, ['t2']);
    await c.set('plain', 'v', 60);
    await c.invalidate(['t1']);
    expect(await c.get('k1')).toBeUndefined();
    expect(await c.get('k2')).toEqual({ a: 2 });
    expect(await c.get('plain')).toBe('v');
    await c.del('plain');
    expect(await c.get('plain')).toBeUndefined();
  });

  it('when more keys than the limit are stored, then the least recently used go first', async () => {
    const c = new MemoryCache(10);
    for (let i = 0; i < 20; i++) await c.setTagged(`k${i}`, i, 60, ['all']);
    expect(await c.get('k0')).toBeUndefined();
    expect(await c.get('k19')).toBe(19);
    await c.invalidate(['all']);
    expect(await c.get('k19')).toBeUndefined();
  });

  it('when a stats key names a device with colons, then its tag names that device', () => {
    expect(statsTag('stats:*::')).toBe('telemetry:all-devices');
    expect(statsTag('stats:rtu:7:1700000000000:')).toBe('telemetry:device:rtu:7');
    expect(statsTag('stats:WELL-A::1700000000000')).toBe('telemetry:device:WELL-A');
  });
});
