import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minutesAgo, TestStation } from './helpers/station';

// Long scoring and training as background jobs, over real HTTP on a real station.
let s: TestStation;
let admin: string;
let user: string;
let key: string;

const tasks = () => s.count("SELECT count(*) FROM jobs WHERE name LIKE 'ml.%'");

async function finished(taskId: string, token: string, tries = 600): Promise<{ status: string; error: string | null }> {
  for (let i = 0; i < tries; i++) {
    const res = await s.call('GET', `/api/tasks/${taskId}`, { token });
    if (['completed', 'failed', 'cancelled'].includes(res.body.status)) return res.body;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`task ${taskId} never finished`);
}

beforeAll(async () => {
  s = await TestStation.start();
  admin = await s.token();
  user = await s.userToken();
  key = await s.key('device');
  // 40 readings of one well, a step in pressure at reading 30.
  const base = minutesAgo(120);
  const readings = Array.from({ length: 40 }, (_, i) => ({
    device_id: 'well-job',
    ts: base + i * 60,
    temperature: 80 + 0.1 * Math.sin(i),
    pressure: i < 30 ? 1000 + Math.cos(i) : 1300,
  }));
  expect((await s.call('POST', '/api/telemetry/batch', { key, body: readings })).status).toBe(200);
});
afterAll(() => s.stop());

describe('ml background jobs', () => {
  it('when a score request asks for a task, then it answers 202 and the task result equals the synchronous answer', async () => {
    const range = { device_id: 'well-job', ts_from: minutesAgo(200), ts_to: minutesAgo(0) };
    const sync = await s.call('POST', '/api/ml/score', { token: user, body: range });
    expect(sync.status).toBe(200);
    expect(sync.body).toHaveLength(40);

    const res = await s.call('POST', '/api/ml/score', { token: user, body: { ...range, async: true } });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/api/tasks/${res.body.task_id}`);
    expect(res.body.result_url).toBe(`/api/ml/tasks/${res.body.task_id}/result`);
    expect((await finished(res.body.task_id, user)).status).toBe('completed');

    const result = await s.call('GET', res.body.result_url, { token: user });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ device_id: 'well-job', readings: 40 });
    expect(result.body.ts).toEqual(sync.body.map((p: { ts: number }) => p.ts));
    expect(result.body.score).toEqual(sync.body.map((p: { score: number }) => p.score));
    expect(result.body.anomaly).toEqual(sync.body.map((p: { anomaly: boolean }) => p.anomaly));
    expect(result.body.anomalies).toBe(sync.body.filter((p: { anomaly: boolean }) => p.anomaly).length);
  });

  it('when another user asks for a score task result, then it is not found', async () => {
    const res = await s.call('POST', '/api/ml/score', {
      token: user,
      body: { device_id: 'well-job', ts_from: minutesAgo(200), ts_to: minutesAgo(0), async: true },
    });
    expect(res.status).toBe(202);
    await finished(res.body.task_id, user);
    const other = await s.userToken({ username: 'other-engineer', password: 'other-password-12' });
    const peek = await s.call('GET', res.body.result_url, { token: other });
    expect(peek.status).toBe(404);
    expect(peek.headers.get('content-type')).toMatch(/problem\+json/);
  });

  const a = minutesAgo(300);
  const b = minutesAgo(0);
  it.each([
    ['async is not a boolean', 422, { device_id: 'well-job', ts_from: a, ts_to: b, async: 'yes' }],
    ['an unknown field', 422, { device_id: 'well-job', ts_from: a, ts_to: b, async: true, chunk: 5 }],
    ['ts_from after ts_to', 422, { device_id: 'well-job', ts_from: b, ts_to: a, async: true }],
    ['a timestamp in 1900', 422, { device_id: 'well-job', ts_from: -2208988800, ts_to: b, async: true }],
    ['an unknown device', 404, { device_id: 'no-such-well', ts_from: a, ts_to: b, async: true }],
  ])('when a score task request has %s, then it answers %i and queues nothing', async (_what, status, body) => {
    const before = tasks();
    const res = await s.call('POST', '/api/ml/score', { token: user, body });
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ status });
    expect(tasks()).toBe(before);
  });

  it('when a task id is unknown or malformed, then its result is 404', async () => {
    expect((await s.call('GET', '/api/ml/tasks/00000000-0000-4000-8000-000000000000/result', { token: user })).status).toBe(404);
    expect((await s.call('GET', '/api/ml/tasks/not-a-task/result', { token: user })).status).toBe(404);
  });

  it.each([
    ['an engineer', 403, () => user, {}],
    ['an admin with zero trees', 422, () => admin, { trees: 0 }],
    ['an admin with an unknown source', 422, () => admin, { source: '/etc' }],
    ['an admin with an unknown field', 422, () => admin, { data_path: '/etc/passwd' }],
  ])('when training is asked for by %s, then it answers %i and queues nothing', async (_what, status, token, body) => {
    const before = tasks();
    const res = await s.call('POST', '/api/ml/train', { token: token(), body });
    expect(res.status).toBe(status);
    expect(tasks()).toBe(before);
  });

  it('when an admin trains on labelled readings in the database, then a task reports progress and the new model answers', async () => {
    // The fixture's 10 synthetic wells, posted as devices with their label as an extra field.
    const lines = readFileSync(join(__dirname, '..', 'fixtures', 'ml', 'synthetic-wells.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    const shift = minutesAgo(60) - 1704851940; // the fixture's last reading an hour ago
    const rows = lines.map((l) => {
      const [device_id, ts, temperature, pressure, label] = l.split(',');
      return {
        device_id: `lab-${device_id}`,
        ts: Number(ts) + shift,
        temperature: Number(temperature),
        pressure: Number(pressure),
        extra: { label: Number(label) },
      };
    });
    for (let i = 0; i < rows.length; i += 500) {
      expect((await s.call('POST', '/api/telemetry/batch', { key, body: rows.slice(i, i + 500) })).status).toBe(200);
    }
    const res = await s.call('POST', '/api/ml/train', { token: admin, body: { source: 'database', trees: 5, rows: 300 } });
    expect(res.status).toBe(202);
    const done = await finished(res.body.task_id, admin, 1500);
    expect(done).toMatchObject({ status: 'completed', error: null });
    const task = await s.call('GET', `/api/tasks/${res.body.task_id}`, { token: admin });
    expect(task.body.progress.percent).toBe(100);

    const result = await s.call('GET', res.body.result_url, { token: admin });
    expect(result.status).toBe(200);
    expect(result.body.version).toMatch(/^rf-\d{8}-\d{6}-[0-9a-f]{8}$/);
    const model = await s.call('GET', '/api/ml/model', { token: user });
    expect(model.body.version).toBe(result.body.version);
    expect(model.body.source).toBe('station database');
  });
});

describe('ml API document', () => {
  it('when /openapi.json is read, then it lists the anomaly routes with their request schemas', async () => {
    const res = await s.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    for (const path of ['/api/ml/predict', '/api/ml/score', '/api/ml/train', '/api/ml/tasks/{task_id}/result', '/api/alarms']) {
      expect(res.body.paths).toHaveProperty([path]);
    }
    expect(JSON.stringify(res.body.paths['/api/ml/score'].post.requestBody)).toContain('async');
  });
});
