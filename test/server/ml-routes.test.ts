import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/shared/auth';
import { errorHandler } from '../../src/server/http/errors';
import { ModelRegistry } from '../../src/server/ml/model-store';
import { createMl } from '../../src/server/ml/routes';
import { insertReadings, tempMlDb } from '../fixtures/ml/db';

// The real router and error middleware over real HTTP; the role check reads a test header in place
// of the lead's authentication (which has its own tests).
const requireRole =
  (roles: Role[]): RequestHandler =>
  (req, res, next) => {
    const role = req.headers['x-test-role'] as Role | undefined;
    if (!role) return res.status(401).end();
    if (!roles.includes(role)) return res.status(403).end();
    req.principal = { kind: 'user', subject: 'tester', role };
    next();
  };

const t = tempMlDb();
let base = '';
let close: () => void = () => {};

beforeAll(async () => {
  const models = new ModelRegistry(t.dir, null);
  models.set(null);
  const guards = { user: requireRole(['admin', 'user']), admin: requireRole(['admin']), read: requireRole(['admin', 'user']), ingest: requireRole(['admin']) };
  const ml = createMl({ db: t.db, logger: pino({ level: 'silent' }), guards, dataDir: t.dir, models });
  const app = express();
  app.use('/api/ml', ml.router);
  app.use('/api/alarms', ml.alarmsRouter);
  app.use(errorHandler(pino({ level: 'silent' })));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
  insertReadings(t.db, 'well-1', [{ ts: Date.UTC(2024, 0, 1), temperature: 90, pressure: 1e7 }]);
});
afterAll(() => {
  close();
  t.close();
});

const post = (path: string, body: string, role = 'user') =>
  fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-test-role': role }, body });

describe('ml routes', () => {
  it('when a reading is posted, then the rule scorer answers without a model', async () => {
    const res = await post('/api/ml/predict', JSON.stringify({ temperature: 90, pressure: 1e7, device_id: 'well-1', ts: '2024-01-01T00:05:00Z' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ anomaly: false, model: 'rule', meta: { model_version: null, history: 1 } });
  });

  it.each([
    ['missing pressure', { temperature: 90 }, 'pressure'],
    ['a string for a number', { temperature: 'NaN', pressure: 1 }, 'temperature'],
    ['an unknown field', { temperature: 1, pressure: 1, extra_field: 1 }, '(body)'],
    ['a bad device id', { temperature: 1, pressure: 1, device_id: "x'; DROP TABLE telemetry;--" }, 'device_id'],
    ['a timestamp in 1900', { temperature: 1, pressure: 1, ts: -2208988800 }, 'ts'],
  ])('when predict gets %s, then it is a 422 problem naming the field', async (_what, body, path) => {
    const res = await post('/api/ml/predict', JSON.stringify(body));
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const problem = (await res.json()) as { status: number; detail: string; errors: { path: string }[] };
    expect(problem.status).toBe(422);
    expect(problem.errors.map((e) => e.path)).toContain(path);
  });

  it('when the body is malformed JSON, then it is a 400 problem', async () => {
    const res = await post('/api/ml/predict', '{"temperature": NaN}');
    expect(res.status).toBe(400);
  });

  it('when a range of an unknown device is scored, then it is a 404 problem', async () => {
    const res = await post('/api/ml/score', JSON.stringify({ device_id: 'ghost', ts_from: 1704067200, ts_to: 1704070800 }));
    expect(res.status).toBe(404);
  });

  it('when a user sets rule limits, then it is forbidden; an admin may, and bad limits are a 422', async () => {
    const put = (role: string, body: unknown) =>
      fetch(`${base}/api/ml/limits/well-1`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-test-role': role },
        body: JSON.stringify(body),
      });
    expect((await put('user', { temperature_max: 100 })).status).toBe(403);
    expect((await put('admin', { temperature_min: 100, temperature_max: 50 })).status).toBe(422);
    const negative = await put('admin', { alarm_open_after_s: -5 });
    expect(negative.status).toBe(422);
    expect(((await negative.json()) as { errors: unknown[] }).errors).toEqual([expect.objectContaining({ message: 'must be 0 or more seconds' })]);
    const stored = await fetch(`${base}/api/ml/limits/well-1`, { headers: { 'x-test-role': 'admin' } });
    expect(stored.status).toBe(404);
    const ok = await put('admin', { temperature_max: 100, alarm_open_after_s: 60 });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ device_id: 'well-1', temperature_max: 100, alarm_open_after_s: 60, updated_by: 'tester' });
  });

  it('when alarms are listed with a bad filter or an unknown alarm is acknowledged, then 422 / 404', async () => {
    const list = await fetch(`${base}/api/alarms?state=maybe`, { headers: { 'x-test-role': 'user' } });
    expect(list.status).toBe(422);
    const ok = await fetch(`${base}/api/alarms`, { headers: { 'x-test-role': 'user' } });
    expect(await ok.json()).toEqual([]);
    expect((await post('/api/alarms/999/ack', '{}')).status).toBe(404);
  });
});
