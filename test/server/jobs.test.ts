import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../src/server/config';
import { hasRedisServer, TestRedis } from './helpers/redis';
import { TestStation } from './helpers/station';
import { BASE_MS, download, finished, insertRows, readEvents } from './jobs-helpers';

/**
 * The same async-export suite, once with no Redis configured (local runner) and once on a private
 * redis-server (BullMQ, the station's own worker).
 */
const modes: { name: string; redis: boolean }[] = [
  { name: 'embedded (no Redis configured)', redis: false },
  { name: 'Redis + BullMQ', redis: true },
];

describe.each(modes)('async export, $name', ({ redis: useRedis }) => {
  const skip = useRedis && !hasRedisServer;
  let redis: TestRedis | undefined;
  let ts: TestStation;
  let admin: string;
  let engineer: string;
  const ROWS = 200_000;

  beforeAll(async () => {
    if (skip) return;
    const env: Env = {};
    if (useRedis) {
      redis = await TestRedis.start();
      Object.assign(env, { REDIS_URL: redis.url, REDIS_PREFIX: `t${process.pid}` });
    }
    ts = await TestStation.start(env);
    insertRows(ts.db, ROWS);
    admin = await ts.token();
    engineer = await ts.userToken();
  }, 120_000);

  afterAll(async () => {
    await ts?.stop();
    await redis?.dispose();
  });

  it.skipIf(skip)(
    'when a large range is exported in the background, then it completes with progress events and the same bytes as the direct export',
    async () => {
      const start = await ts.call('POST', '/api/telemetry/export/async', { token: engineer });
      expect(start.status).toBe(202);
      expect(start.body.task_id).toMatch(/^[0-9a-f-]{36}$/);
      const id = start.body.task_id as string;

      const events = await readEvents(`${ts.url}/api/tasks/${id}/events`, engineer);
      const progress = events.filter((e) => e.event === 'progress');
      expect(progress.length).toBeGreaterThan(1);
      const rows = progress.map((e) => e.data.progress.rows as number);
      expect([...rows].sort((a, b) => a - b)).toEqual(rows);
      expect(events.at(-1)!.event).toBe('done');
      expect(events.at(-1)!.data.status).toBe('completed');

      const task = await finished(ts, engineer, id);
      expect(task.status).toBe('completed');
      expect(task.progress).toEqual({ rows: ROWS, percent: 100 });
      expect(task.result.meta.rows).toBe(ROWS);
      expect(task.result.csv).toBeUndefined(); // > 1 MB: download only
      expect(task.result.download_url).toBe(`/api/tasks/${id}/download`);

      const [file, direct] = await Promise.all([download(ts.url + task.result.download_url, engineer), download(`${ts.url}/api/telemetry/export`, engineer)]);
      expect(file.status).toBe(200);
      expect(file.type).toMatch(/^text\/csv/);
      expect(file.text.length).toBe(task.result.meta.bytes);
      expect(file.text === direct.text).toBe(true);
      expect(file.text.split('\r\n').length).toBe(ROWS + 2);
    },
    180_000,
  );

  it.skipIf(skip)(
    'when filters are given (query or JSON body), then the file matches the direct export with the same filters and small results come inline',
    async () => {
      const from = BASE_MS / 1000 + 100;
      const to = BASE_MS / 1000 + 1100;
      const q = `device_id=WELL-A&ts_from=${from}&ts_to=${new Date(to * 1000).toISOString()}`;
      const viaQuery = await ts.call('POST', `/api/telemetry/export/async?${q}`, { token: engineer });
      const viaBody = await ts.call('POST', '/api/telemetry/export/async', {
        token: engineer,
        body: { device_id: 'WELL-A', ts_from: from, ts_to: new Date(to * 1000).toISOString() },
      });
      expect(viaQuery.status).toBe(202);
      expect(viaBody.status).toBe(202);
      const direct = await download(`${ts.url}/api/telemetry/export?${q}`, engineer);
      for (const id of [viaQuery.body.task_id, viaBody.body.task_id]) {
        const task = await finished(ts, engineer, id);
        expect(task.status).toBe('completed');
        expect(task.result.meta.rows).toBe(501);
        expect(task.result.meta.filters).toEqual({ device_id: 'WELL-A', ts_from: from, ts_to: to });
        expect(task.result.csv).toBe(direct.text);
        expect((await download(ts.url + task.result.download_url, engineer)).text).toBe(direct.text);
      }
    },
  );

  it.skipIf(skip)('when an unknown device is exported, then the task completes with just the header, like the direct export', async () => {
    const start = await ts.call('POST', '/api/telemetry/export/async?device_id=NOPE', { token: engineer });
    const task = await finished(ts, engineer, start.body.task_id);
    const direct = await download(`${ts.url}/api/telemetry/export?device_id=NOPE`, engineer);
    expect(task.result.meta.rows).toBe(0);
    expect(task.result.csv).toBe(direct.text);
  });

  it.skipIf(skip)('when another user asks for a task, then it is a 404 everywhere, and an admin sees it', async () => {
    const start = await ts.call('POST', '/api/telemetry/export/async?device_id=WELL-B', { token: engineer });
    const id = start.body.task_id as string;
    await finished(ts, engineer, id);
    const other = await ts.userToken({ username: 'other-engineer', password: 'other-password-1' });
    for (const [method, path] of [
      ['GET', `/api/tasks/${id}`],
      ['GET', `/api/tasks/${id}/download`],
      ['GET', `/api/tasks/${id}/events`],
      ['DELETE', `/api/tasks/${id}`],
    ] as const) {
      const r = await ts.call(method, path, { token: other });
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.headers.get('content-type')).toMatch(/problem\+json/);
    }
    expect((await ts.call('GET', `/api/tasks/${id}`, { token: engineer })).status).toBe(200);
    expect((await ts.call('GET', `/api/tasks/${id}`, { token: admin })).status).toBe(200);
  });

  it.skipIf(skip)('when a finished task is deleted, then its record and file are gone', async () => {
    const start = await ts.call('POST', '/api/telemetry/export/async?device_id=WELL-A', { token: engineer });
    const id = start.body.task_id as string;
    await finished(ts, engineer, id);
    expect(existsSync(join(ts.station.config.exportsDir, `${id}.csv`))).toBe(true);
    expect((await ts.call('DELETE', `/api/tasks/${id}`, { token: engineer })).status).toBe(204);
    expect((await ts.call('GET', `/api/tasks/${id}`, { token: engineer })).status).toBe(404);
    expect(existsSync(join(ts.station.config.exportsDir, `${id}.csv`))).toBe(false);
  });

  it.skipIf(skip)(
    'when a running export is cancelled, then it ends cancelled and leaves no file',
    async () => {
      const start = await ts.call('POST', '/api/telemetry/export/async', { token: engineer });
      const id = start.body.task_id as string;
      const del = await ts.call('DELETE', `/api/tasks/${id}`, { token: engineer });
      if (del.status === 204) return; // it already finished on this machine: removal was tested above
      expect(del.status).toBe(200);
      expect(del.body.status).toBe('cancelled');
      const task = await finished(ts, engineer, id);
      expect(task.status).toBe('cancelled');
      expect((await ts.call('GET', `/api/tasks/${id}/download`, { token: engineer })).status).toBe(409);
      // the execution notices at its next heartbeat; then no file of this task remains
      const { waitFor } = await import('./jobs-helpers');
      await waitFor('cleanup', () => !readdirSync(ts.station.config.exportsDir).some((f) => f.startsWith(id)) || undefined, 30_000);
    },
    60_000,
  );

  it.skipIf(skip)('when the request is bad, then it is a 4xx problem and no task is recorded', async () => {
    const before = ts.count('SELECT COUNT(*) FROM jobs');
    const cases: [string, Parameters<TestStation['call']>[2], number][] = [
      ['/api/telemetry/export/async?bogus=1', { token: engineer }, 422],
      ['/api/telemetry/export/async?ts_from=2024-02-01T00:00:00Z&ts_to=2024-01-01T00:00:00Z', { token: engineer }, 422],
      ['/api/telemetry/export/async?ts_from=NaN', { token: engineer }, 422],
      ['/api/telemetry/export/async?device_id=%27%3B%20DROP%20TABLE%20jobs%3B--', { token: engineer }, 422],
      ['/api/telemetry/export/async', { token: engineer, body: { device_id: 'WELL-A', extra: 1 } }, 422],
      ['/api/telemetry/export/async', { token: engineer, body: { ts_from: 1e20 } }, 422],
      ['/api/telemetry/export/async', { token: engineer, raw: '{"device_id":', type: 'application/json' }, 400],
      ['/api/telemetry/export/async', { token: engineer, raw: 'device_id=WELL-A', type: 'text/plain' }, 415],
      ['/api/telemetry/export/async', { token: engineer, raw: JSON.stringify({ device_id: 'x'.repeat(10_000) }), type: 'application/json' }, 413],
      ['/api/telemetry/export/async', {}, 401],
    ];
    for (const [path, c, status] of cases) {
      const r = await ts.call('POST', path, c);
      expect(r.status, `${path} ${JSON.stringify(c?.body ?? c?.raw ?? '')}`).toBe(status);
      expect(r.headers.get('content-type')).toMatch(/problem\+json/);
      expect(typeof r.body.detail).toBe('string');
    }
    for (const id of ['nope', '1', '../../etc/passwd', '00000000-0000-0000-0000-000000000000']) {
      expect((await ts.call('GET', `/api/tasks/${encodeURIComponent(id)}`, { token: engineer })).status).toBe(404);
    }
    expect(ts.count('SELECT COUNT(*) FROM jobs')).toBe(before);
  });

  it.skipIf(skip)('when /health is asked, then it reports the cache and the job backend', async () => {
    const r = await ts.call('GET', '/health');
    expect(r.status).toBe(200);
    expect(r.body.jobs.backend).toBe(useRedis ? 'bullmq' : 'local');
    expect(r.body.cache.backend).toBe(useRedis ? 'redis' : 'memory');
    expect(r.body.redis.ok).toBe(true);
  });
});
