import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, hasRedisServer, TestRedis } from './helpers/redis';
import { TestStation } from './helpers/station';
import { download, finished, insertRows, waitFor } from './jobs-helpers';

/** Faults with a private redis-server: unreachable, connections cut, server stopped, worker killed. */
describe.skipIf(!hasRedisServer)('Redis and worker faults', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });

  async function station(env: Record<string, string>, rows: number): Promise<{ ts: TestStation; token: string }> {
    const ts = await TestStation.start({ REDIS_PREFIX: `f${process.pid}${Math.random().toString(36).slice(2, 8)}`, REDIS_CONNECT_TIMEOUT_MS: '500', ...env });
    cleanups.push(() => ts.stop());
    if (rows) insertRows(ts.db, rows);
    return { ts, token: await ts.token() };
  }

  async function redisServer(port?: number): Promise<TestRedis> {
    const r = await TestRedis.start(port);
    cleanups.push(() => r.dispose());
    return r;
  }

  const running = (ts: TestStation, token: string, id: string) =>
    waitFor(
      `task ${id} running`,
      async () => {
        const r = await ts.call('GET', `/api/tasks/${id}`, { token });
        if (r.body.status === 'completed') throw new Error('the export finished before the fault could be injected');
        return r.body.status === 'running' && r.body.progress.rows > 0 ? r.body : undefined;
      },
      60_000,
      20,
    );

  it('when Redis is configured but unreachable from the start, then the station serves: cache misses, exports run locally, /health says so; and it recovers when Redis comes up', async () => {
    const port = await freePort();
    const { ts, token } = await station({ REDIS_URL: `redis://127.0.0.1:${port}` }, 2_000);
    const health = await ts.call('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body.redis.ok).toBe(false);
    expect(health.body.redis.url).toBe(`redis://127.0.0.1:${port}`);
    expect(health.body.jobs.ok).toBe(false);
    for (let i = 0; i < 2; i++) {
      const s = await ts.call('GET', '/api/telemetry/stats', { token });
      expect(s.status).toBe(200);
      expect(s.headers.get('x-cache')).toBe('MISS');
      expect(s.body.count).toBe(2_000);
    }
    const start = await ts.call('POST', '/api/telemetry/export/async', { token });
    expect(start.status).toBe(202);
    const task = await finished(ts, token, start.body.task_id);
    expect(task.status).toBe('completed');
    expect(task.result.csv).toBe((await download(`${ts.url}/api/telemetry/export`, token)).text);

    await redisServer(port);
    await waitFor(
      'redis reconnect',
      async () => ((await ts.call('GET', '/health')).body.redis.ok && (await ts.call('GET', '/health')).body.cache.consistent) || undefined,
      30_000,
      200,
    );
    await ts.call('GET', '/api/telemetry/stats', { token });
    expect((await ts.call('GET', '/api/telemetry/stats', { token })).headers.get('x-cache')).toBe('HIT');
  }, 120_000);

  it('when the Redis connections are killed during an export, then it still completes with the right file', async () => {
    const redis = await redisServer();
    const { ts, token } = await station({ REDIS_URL: redis.url }, 300_000);
    const start = await ts.call('POST', '/api/telemetry/export/async', { token });
    await running(ts, token, start.body.task_id);
    expect(await redis.killClients()).toBeGreaterThan(0);
    const task = await finished(ts, token, start.body.task_id);
    expect(task.status).toBe('completed');
    expect(task.result.meta.rows).toBe(300_000);
    const [file, direct] = await Promise.all([download(ts.url + task.result.download_url, token), download(`${ts.url}/api/telemetry/export`, token)]);
    expect(file.text === direct.text).toBe(true);
  }, 180_000);

  it('when Redis stops during an export, then the task still finishes (its state is in SQLite), /health reports Redis down, and a restarted Redis is used again', async () => {
    const redis = await redisServer();
    const { ts, token } = await station({ REDIS_URL: redis.url }, 300_000);
    const start = await ts.call('POST', '/api/telemetry/export/async', { token });
    await running(ts, token, start.body.task_id);
    await redis.stop();
    const task = await finished(ts, token, start.body.task_id);
    expect(task.status).toBe('completed');
    expect((await download(ts.url + task.result.download_url, token)).text.length).toBe(task.result.meta.bytes);
    expect((await ts.call('GET', '/health')).body.redis.ok).toBe(false);
    expect((await ts.call('GET', '/api/telemetry/stats?device_id=WELL-A', { token })).status).toBe(200);
    await redis.restart();
    await waitFor('redis back', async () => (await ts.call('GET', '/health')).body.redis.ok || undefined, 30_000, 200);
    const again = await ts.call('POST', '/api/telemetry/export/async?device_id=WELL-A&ts_to=2024-01-01T00:10:00Z', { token });
    expect((await finished(ts, token, again.body.task_id)).status).toBe('completed');
  }, 180_000);

  function worker(ts: TestStation, redis: TestRedis, prefix: string): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', 'worker'], {
      env: {
        ...process.env,
        DATA_DIR: ts.dataDir,
        REDIS_URL: redis.url,
        REDIS_PREFIX: prefix,
        JOB_LOCK_MS: '2000',
        LOG_LEVEL: 'warn',
        WORKER_SHUTDOWN_TIMEOUT_MS: '60000',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(async () => child.exitCode === null && child.kill('SIGKILL'));
    return child;
  }
  const ready = (child: ChildProcess) =>
    new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    });

  it('when a worker process is killed mid-job, then the task is retried by another worker and never offers a half-written file', async () => {
    const redis = await redisServer();
    const prefix = `k${process.pid}`;
    const { ts, token } = await station({ REDIS_URL: redis.url, REDIS_PREFIX: prefix, JOB_WORKERS: '0', JOB_LOCK_MS: '2000' }, 300_000);
    const first = worker(ts, redis, prefix);
    await ready(first);
    const start = await ts.call('POST', '/api/telemetry/export/async', { token });
    const id = start.body.task_id as string;
    await running(ts, token, id);
    first.kill('SIGKILL');
    const mid = await ts.call('GET', `/api/tasks/${id}/download`, { token });
    expect(mid.status).toBe(409);
    expect(readdirSync(ts.station.config.exportsDir).filter((f) => f.endsWith('.csv'))).toEqual([]);

    const second = worker(ts, redis, prefix);
    await ready(second);
    const task = await finished(ts, token, id, 120_000);
    // retried to completion; a "failed" with a reason would also be acceptable, "running" never is
    expect(task.status, task.error).toBe('completed');
    expect(task.attempts).toBeGreaterThanOrEqual(2);
    const [file, direct] = await Promise.all([download(ts.url + task.result.download_url, token), download(`${ts.url}/api/telemetry/export`, token)]);
    expect(file.text === direct.text).toBe(true);
    expect(readdirSync(ts.station.config.exportsDir).filter((f) => f.endsWith('.part'))).toEqual([]);
  }, 240_000);

  it('when a worker process gets SIGTERM mid-job, then it finishes the job and exits cleanly', async () => {
    const redis = await redisServer();
    const prefix = `s${process.pid}`;
    const { ts, token } = await station({ REDIS_URL: redis.url, REDIS_PREFIX: prefix, JOB_WORKERS: '0', JOB_LOCK_MS: '2000' }, 300_000);
    const w = worker(ts, redis, prefix);
    await ready(w);
    const start = await ts.call('POST', '/api/telemetry/export/async', { token });
    await running(ts, token, start.body.task_id);
    const exited = new Promise<number | null>((resolve) => w.once('exit', (code) => resolve(code)));
    w.kill('SIGTERM');
    expect(await exited).toBe(0);
    const task = await ts.call('GET', `/api/tasks/${start.body.task_id}`, { token });
    expect(task.body.status).toBe('completed');
    expect(task.body.attempts).toBe(1);
  }, 180_000);
});
