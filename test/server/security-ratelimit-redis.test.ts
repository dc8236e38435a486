import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimits } from '../../src/server/auth/rate-limits';
import { ADMIN, TestStation } from './helpers/station';

const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedis) console.warn('[security-ratelimit-redis] skipped: redis-server not installed (apt-get install -y redis-server)');

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Our own redis-server on a free loopback port, never the machine's shared one. */
async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 }).on('error', () => undefined);
  for (let i = 0; i < 100; i++) {
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  probe.disconnect();
  return proc;
}

const stopRedis = (p: ChildProcess) => new Promise<void>((resolve) => (p.exitCode !== null ? resolve() : (p.once('exit', () => resolve()), p.kill('SIGTERM'))));

/** A stand-in for one station process: the real /token limiter over a handler that always fails the sign-in. */
async function stationProcess(client: Redis): Promise<{ url: string; server: Server }> {
  const limits = createRateLimits({
    limits: { windowMs: 60_000, token: 5, tokenPerIp: 1000, read: 0, ingest: 0 },
    sendCommand: (...args: string[]) => client.call(args[0]!, ...args.slice(1)) as Promise<number | string>,
    redisPrefix: 'test',
  });
  const app = express();
  app.post('/token', express.urlencoded({ extended: false }), limits.token, (_req, res) => void res.status(400).json({ error: 'invalid_grant' }));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const guess = (url: string) =>
  fetch(`${url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=admin&password=guess' }).then(
    (r) => r.status,
  );

describe.skipIf(!hasRedis)('rate-limit counters in Redis (REDIS_URL configured)', () => {
  let port: number;
  let dir: string;
  let redis: ChildProcess;
  let clientA: Redis;
  let clientB: Redis;
  let a: { url: string; server: Server };
  let b: { url: string; server: Server };

  beforeAll(async () => {
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'oilfield-redis-'));
    redis = await startRedis(port, dir);
    // the same client options the cache uses: no offline queue, so a dead Redis fails fast
    const opts = { port, host: '127.0.0.1', enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 100 };
    clientA = new Redis(opts).on('error', () => undefined);
    clientB = new Redis(opts).on('error', () => undefined);
    await Promise.all([clientA.ping(), clientB.ping()].map((p) => p.catch(() => undefined)));
    a = await stationProcess(clientA);
    b = await stationProcess(clientB);
  });

  afterAll(async () => {
    a?.server.close();
    b?.server.close();
    clientA?.disconnect();
    clientB?.disconnect();
    if (redis) await stopRedis(redis);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('when failures are spread over two processes, then they share one counter and the 6th is 429', async () => {
    expect(await Promise.all([guess(a.url), guess(a.url), guess(a.url)])).toEqual([400, 400, 400]);
    expect(await guess(b.url)).toBe(400);
    expect(await guess(b.url)).toBe(400);
    expect(await guess(a.url)).toBe(429);
    expect(await guess(b.url)).toBe(429);
    const keys = await clientA.keys('test:rl:token:*');
    expect(keys.length).toBe(1);
  });

  it('when Redis goes away, then sign-ins are served uncounted (not 500), and counting resumes when it is back', async () => {
    await stopRedis(redis);
    expect(await guess(a.url)).toBe(400);
    expect(await guess(b.url)).toBe(400);

    redis = await startRedis(port, dir); // empty again: --save ''
    for (let i = 0; i < 100 && (clientA.status !== 'ready' || clientB.status !== 'ready'); i++) await new Promise((r) => setTimeout(r, 50));
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push(await guess(i % 2 ? b.url : a.url));
    // the restarted Redis lost the scripts: the store reloads them and counts from the first call
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429, 429, 429]);
  });

  it('when a station runs with REDIS_URL, then its /token counters are kept in that Redis', async () => {
    const s = await TestStation.start({ REDIS_URL: `redis://127.0.0.1:${port}/0`, TOKEN_RATE_LIMIT: 3 });
    try {
      // the station connects in the background; until then requests pass uncounted, by design
      const connected = async () => ((await clientA.call('CLIENT', 'LIST')) as string).split('\n').filter((l) => l.includes('name=oilfield-cache')).length;
      for (let i = 0; i < 100 && (await connected()) < 2; i++) await new Promise((r) => setTimeout(r, 50));
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${s.url}/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `username=${ADMIN.username}&password=guess-${i}`,
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([400, 400, 400, 429]);
      expect((await clientA.keys('oilfield:rl:token:*')).length).toBe(1);
    } finally {
      await s.stop();
    }
  });
});
