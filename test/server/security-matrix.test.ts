import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hmacToken, TestIdp, unsignedToken } from './helpers/jwks';
import { ADMIN, ENGINEER, minutesAgo, TestStation, type Call } from './helpers/station';

/**
 * The authorization matrix: every endpoint x every bad credential gets 401 or 403 and changes
 * nothing in the database (or settings file). To cover a new route, add one row to ENDPOINTS; the
 * last test fails while an endpoint in /openapi.json has no row.
 */

type Access = 'public' | 'signed-in' | 'read' | 'user' | 'admin' | 'ingest';

interface Ctx {
  readingId: number;
  victimKeyId: number;
  engineerId: number;
  taskId: string;
  alarmId: number;
  batchId: string;
  spanId: number;
}

interface Endpoint {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI-style template; matched against /openapi.json */
  doc: string;
  path: (c: Ctx) => string;
  access: Access;
  /** a body that would change something if the request were let in; `dev` is the device it writes */
  body?: (dev: string) => unknown;
  raw?: (dev: string) => string;
  type?: string;
  /** streams forever when allowed (SSE): skipped by the positive control */
  stream?: boolean;
}

const SECRET = 'matrix-test-jwt-secret-0123456789abcdef';
const IN_SCOPE = 'well-in-1';
const OUT_OF_SCOPE = 'well-outside';
const reading = (dev: string) => ({ device_id: dev, ts: minutesAgo(2), temperature: 70.5, pressure: 1001, status: 'ok' });
const line = (dev: string) => `reading,device_id=${dev} temperature=70.5,pressure=1001 ${Date.now()}000000\n`;
// a Modbus device whose port nobody listens on: allowed in, it would poll and store nothing
const modbusTag = { name: 'temp', function: 'holding', address: 0, type: 'float32', field: 'temperature' };
const modbusDevice = (dev: string) => ({ name: `mallory ${dev}`, device_id: dev, transport: { kind: 'tcp', host: '127.0.0.1', port: 1 }, tags: [modbusTag] });
const limits = { temperature_min: 0, temperature_max: 150, pressure_min: 0, pressure_max: 5000, temperature_rate_max: 10, pressure_rate_max: 100 };

const ENDPOINTS: Endpoint[] = [
  // public
  { method: 'GET', doc: '/health', path: () => '/health', access: 'public' },
  { method: 'GET', doc: '/openapi.json', path: () => '/openapi.json', access: 'public' },
  { method: 'GET', doc: '/api/setup', path: () => '/api/setup', access: 'public' },
  { method: 'POST', doc: '/api/setup', path: () => '/api/setup', access: 'public', body: () => ({ username: 'mallory', password: 'mallory-password' }) },
  { method: 'POST', doc: '/token', path: () => '/token', access: 'public', body: () => ({ username: 'admin', password: 'not-the-password' }) },
  // any credential
  { method: 'GET', doc: '/api/me', path: () => '/api/me', access: 'signed-in' },
  { method: 'POST', doc: '/api/sign-out', path: () => '/api/sign-out', access: 'signed-in' },
  { method: 'GET', doc: '/api/me/preferences', path: () => '/api/me/preferences', access: 'signed-in' },
  { method: 'PUT', doc: '/api/me/preferences', path: () => '/api/me/preferences', access: 'signed-in', body: () => ({ units: { pressure: 'psi' } }) },
  // ingest
  { method: 'POST', doc: '/api/telemetry', path: () => '/api/telemetry', access: 'ingest', body: reading },
  { method: 'POST', doc: '/api/telemetry/batch', path: () => '/api/telemetry/batch', access: 'ingest', body: (d) => [reading(d)] },
  { method: 'POST', doc: '/api/v2/write', path: () => '/api/v2/write', access: 'ingest', raw: line, type: 'text/plain' },
  { method: 'POST', doc: '/write', path: () => '/write', access: 'ingest', raw: line, type: 'text/plain' },
  // reads
  { method: 'GET', doc: '/api/telemetry', path: () => '/api/telemetry', access: 'read' },
  { method: 'GET', doc: '/api/telemetry/{id}', path: (c) => `/api/telemetry/${c.readingId}`, access: 'read' },
  { method: 'GET', doc: '/api/telemetry/export', path: () => '/api/telemetry/export', access: 'read' },
  { method: 'GET', doc: '/api/telemetry/stats', path: () => '/api/telemetry/stats', access: 'read' },
  {
    method: 'GET',
    doc: '/api/telemetry/series',
    path: () => `/api/telemetry/series?device_id=${IN_SCOPE}&ts_from=${minutesAgo(60)}&ts_to=${minutesAgo(0)}`,
    access: 'read',
  },
  { method: 'GET', doc: '/api/telemetry/influx', path: () => '/api/telemetry/influx', access: 'read' },
  { method: 'GET', doc: '/api/influx/status', path: () => '/api/influx/status', access: 'read' },
  { method: 'GET', doc: '/api/devices', path: () => '/api/devices', access: 'read' },
  { method: 'POST', doc: '/api/telemetry/export/async', path: () => '/api/telemetry/export/async', access: 'read', body: () => ({}) },
  { method: 'GET', doc: '/api/tasks', path: () => '/api/tasks', access: 'read' },
  { method: 'GET', doc: '/api/tasks/{task_id}', path: (c) => `/api/tasks/${c.taskId}`, access: 'read' },
  { method: 'GET', doc: '/api/tasks/{task_id}/download', path: (c) => `/api/tasks/${c.taskId}/download`, access: 'read' },
  { method: 'GET', doc: '/api/tasks/{task_id}/events', path: (c) => `/api/tasks/${c.taskId}/events`, access: 'read', stream: true },
  { method: 'DELETE', doc: '/api/tasks/{task_id}', path: (c) => `/api/tasks/${c.taskId}`, access: 'read' },
  // engineers and admins
  { method: 'POST', doc: '/api/ml/predict', path: () => '/api/ml/predict', access: 'user', body: () => ({ temperature: 70, pressure: 1000 }) },
  {
    method: 'POST',
    doc: '/api/ml/score',
    path: () => '/api/ml/score',
    access: 'user',
    body: () => ({ device_id: IN_SCOPE, ts_from: minutesAgo(60), ts_to: minutesAgo(0) }),
  },
  { method: 'GET', doc: '/api/ml/model', path: () => '/api/ml/model', access: 'user' },
  { method: 'POST', doc: '/api/ml/train', path: () => '/api/ml/train', access: 'admin', body: () => ({ source: 'database', trees: 1, rows: 10 }) },
  { method: 'GET', doc: '/api/ml/tasks/{task_id}/result', path: (c) => `/api/ml/tasks/${c.taskId}/result`, access: 'user' },
  { method: 'GET', doc: '/api/alarms', path: () => '/api/alarms', access: 'user' },
  { method: 'POST', doc: '/api/alarms/{id}/ack', path: (c) => `/api/alarms/${c.alarmId}/ack`, access: 'user', body: () => ({ note: 'seen' }) },
  // oil batches: engineers write, signed-in readers read
  { method: 'POST', doc: '/api/oil/batches', path: () => '/api/oil/batches', access: 'user', body: () => ({ batch_id: 'B-MALLORY-1', well_id: IN_SCOPE }) },
  { method: 'GET', doc: '/api/oil/batches', path: () => '/api/oil/batches', access: 'read' },
  { method: 'GET', doc: '/api/oil/batches/export', path: () => '/api/oil/batches/export', access: 'read' },
  { method: 'GET', doc: '/api/oil/batches/{batch_id}', path: (c) => `/api/oil/batches/${c.batchId}`, access: 'read' },
  { method: 'GET', doc: '/api/oil/batches/{batch_id}/events', path: (c) => `/api/oil/batches/${c.batchId}/events`, access: 'read' },
  {
    method: 'POST',
    doc: '/api/oil/batches/{batch_id}/events',
    path: (c) => `/api/oil/batches/${c.batchId}/events`,
    access: 'user',
    body: () => ({ type: 'note', note: 'tampered' }),
  },
  { method: 'GET', doc: '/api/oil/batches/{batch_id}/events/export', path: (c) => `/api/oil/batches/${c.batchId}/events/export`, access: 'read' },
  { method: 'GET', doc: '/api/oil/track/{batch_id}', path: (c) => `/api/oil/track/${c.batchId}`, access: 'read' },
  // admins
  { method: 'DELETE', doc: '/api/telemetry/{id}', path: (c) => `/api/telemetry/${c.readingId}`, access: 'admin' },
  { method: 'GET', doc: '/api/audit', path: () => '/api/audit', access: 'admin' },
  { method: 'GET', doc: '/api/users', path: () => '/api/users', access: 'admin' },
  {
    method: 'POST',
    doc: '/api/users',
    path: () => '/api/users',
    access: 'admin',
    body: () => ({ username: 'mallory', password: 'mallory-password', role: 'admin' }),
  },
  { method: 'PATCH', doc: '/api/users/{id}', path: (c) => `/api/users/${c.engineerId}`, access: 'admin', body: () => ({ role: 'admin' }) },
  { method: 'GET', doc: '/api/keys', path: () => '/api/keys', access: 'admin' },
  { method: 'POST', doc: '/api/keys', path: () => '/api/keys', access: 'admin', body: () => ({ name: 'mallory', role: 'admin' }) },
  { method: 'DELETE', doc: '/api/keys/{id}', path: (c) => `/api/keys/${c.victimKeyId}`, access: 'admin' },
  { method: 'GET', doc: '/api/settings', path: () => '/api/settings', access: 'admin' },
  { method: 'PUT', doc: '/api/settings', path: () => '/api/settings', access: 'admin', body: () => ({ lan_access: true }) },
  {
    method: 'POST',
    doc: '/api/settings/test',
    path: () => '/api/settings/test',
    access: 'admin',
    body: () => ({ target: 'redis', url: 'redis://127.0.0.1:1' }),
  },
  { method: 'GET', doc: '/api/ml/limits', path: () => '/api/ml/limits', access: 'user' },
  { method: 'GET', doc: '/api/ml/limits/{device_id}', path: () => `/api/ml/limits/${IN_SCOPE}`, access: 'user' },
  { method: 'PUT', doc: '/api/ml/limits/{device_id}', path: () => `/api/ml/limits/${IN_SCOPE}`, access: 'admin', body: () => limits },
  { method: 'DELETE', doc: '/api/ml/limits/{device_id}', path: () => `/api/ml/limits/${IN_SCOPE}`, access: 'admin' },
  { method: 'GET', doc: '/api/ml/spans', path: () => '/api/ml/spans', access: 'user' },
  {
    method: 'POST',
    doc: '/api/ml/spans',
    path: () => '/api/ml/spans',
    access: 'user',
    body: (dev) => ({ device_id: dev, ts_from: minutesAgo(10), ts_to: minutesAgo(0), kind: 'label', label: 1 }),
  },
  // the engineer's own label (engineers remove only their own labels; admins any span)
  { method: 'DELETE', doc: '/api/ml/spans/{id}', path: (c) => `/api/ml/spans/${c.spanId}`, access: 'user' },
  // field devices: Modbus (admins change devices and scan, engineers read now, signed-in readers read)
  { method: 'GET', doc: '/api/field/serial-ports', path: () => '/api/field/serial-ports', access: 'read' },
  { method: 'GET', doc: '/api/field/status', path: () => '/api/field/status', access: 'read' },
  { method: 'GET', doc: '/api/field/modbus/devices', path: () => '/api/field/modbus/devices', access: 'read' },
  { method: 'POST', doc: '/api/field/modbus/devices', path: () => '/api/field/modbus/devices', access: 'admin', body: modbusDevice },
  { method: 'GET', doc: '/api/field/modbus/devices/{id}', path: () => '/api/field/modbus/devices/1', access: 'read' },
  { method: 'PUT', doc: '/api/field/modbus/devices/{id}', path: () => '/api/field/modbus/devices/1', access: 'admin', body: modbusDevice },
  { method: 'DELETE', doc: '/api/field/modbus/devices/{id}', path: () => '/api/field/modbus/devices/1', access: 'admin' },
  { method: 'POST', doc: '/api/field/modbus/devices/{id}/read', path: () => '/api/field/modbus/devices/1/read', access: 'user' },
  { method: 'GET', doc: '/api/field/modbus/devices/{id}/map', path: () => '/api/field/modbus/devices/1/map', access: 'read' },
  { method: 'PUT', doc: '/api/field/modbus/devices/{id}/map', path: () => '/api/field/modbus/devices/1/map', access: 'admin', body: () => [modbusTag] },
  {
    method: 'POST',
    doc: '/api/field/modbus/scan',
    path: () => '/api/field/modbus/scan',
    access: 'admin',
    body: () => ({ transport: { kind: 'tcp', host: '127.0.0.1', port: 1 }, unit_from: 1, unit_to: 1, timeout_ms: 20 }),
  },
  { method: 'GET', doc: '/api/field/modbus/scans/{task_id}', path: (c) => `/api/field/modbus/scans/${c.taskId}`, access: 'read' },
  // field devices: MQTT and Sparkplug B (admins configure, test and ask for rebirths; signed-in readers see status)
  { method: 'GET', doc: '/api/field/mqtt', path: () => '/api/field/mqtt', access: 'admin' },
  { method: 'PUT', doc: '/api/field/mqtt', path: () => '/api/field/mqtt', access: 'admin', body: () => ({ mode: 'off', host_id: 'mallory' }) },
  { method: 'POST', doc: '/api/field/mqtt/test', path: () => '/api/field/mqtt/test', access: 'admin', body: () => ({ url: 'mqtt://127.0.0.1:1' }) },
  { method: 'GET', doc: '/api/field/mqtt/status', path: () => '/api/field/mqtt/status', access: 'read' },
  { method: 'POST', doc: '/api/field/mqtt/nodes/{group}/{node}/rebirth', path: () => '/api/field/mqtt/nodes/Pad1/RTU1/rebirth', access: 'admin' },
];

/** Credentials the tests hold; filled in beforeAll. */
interface Creds {
  admin: string;
  adminKey: string;
  user: string;
  userKey: string;
  deviceKey: string;
  disabledUser: string;
  revokedKey: string;
  oidcNoRole: string;
  oidcExpired: string;
  oidcWrongAud: string;
  oidcWrongIss: string;
  oidcHsConfusion: string;
}

type Expect = 401 | 403 | 'allow';
interface Case {
  name: string;
  call: (k: Creds) => Call;
  expect: (a: Access) => Expect;
  /** the device the body writes (outside the device key's scope unless stated) */
  device?: string;
}

const deny =
  (status: 401 | 403) =>
  (a: Access): Expect =>
    a === 'public' ? 'allow' : status;
const localToken = (claims: object, o: jwt.SignOptions) =>
  jwt.sign({ sub: 'admin', uid: 1, role: 'admin', ...claims }, SECRET, {
    algorithm: 'HS256',
    issuer: 'smart-oilfield-station',
    audience: 'smart-oilfield-station',
    ...o,
  });
const now = () => Math.floor(Date.now() / 1000);

const CASES: Case[] = [
  { name: 'no credentials', call: () => ({}), expect: deny(401) },
  { name: 'a malformed Authorization header', call: () => ({ headers: { authorization: 'Bearer' } }), expect: deny(401) },
  {
    name: 'a Basic Authorization header',
    call: () => ({ headers: { authorization: `Basic ${Buffer.from('admin:admin-password-for-tests').toString('base64')}` } }),
    expect: deny(401),
  },
  { name: 'a malformed x-api-key', call: () => ({ headers: { 'x-api-key': 'has spaces in it' } }), expect: deny(401) },
  { name: 'an admin token with a bad signature', call: (k) => ({ token: `${k.admin.slice(0, -4)}AAAA` }), expect: deny(401) },
  {
    name: 'an alg:none token',
    call: () => ({
      token: unsignedToken({ sub: 'admin', uid: 1, role: 'admin', iss: 'smart-oilfield-station', aud: 'smart-oilfield-station', exp: now() + 300 }),
    }),
    expect: deny(401),
  },
  { name: 'an HS256 token signed with the OIDC public key', call: (k) => ({ token: k.oidcHsConfusion }), expect: deny(401) },
  { name: 'an expired token', call: () => ({ token: localToken({ exp: now() - 60 }, {}) }), expect: deny(401) },
  { name: 'a not-yet-valid token', call: () => ({ token: localToken({}, { notBefore: 600, expiresIn: 3600 }) }), expect: deny(401) },
  { name: 'a token from another issuer', call: () => ({ token: localToken({}, { issuer: 'someone-else', expiresIn: 300 }) }), expect: deny(401) },
  { name: 'a token for another audience', call: () => ({ token: localToken({}, { audience: 'other-app', expiresIn: 300 }) }), expect: deny(401) },
  { name: 'an expired OIDC token', call: (k) => ({ token: k.oidcExpired }), expect: deny(401) },
  { name: 'an OIDC token for another audience', call: (k) => ({ token: k.oidcWrongAud }), expect: deny(401) },
  { name: 'an OIDC token from another issuer', call: (k) => ({ token: k.oidcWrongIss }), expect: deny(401) },
  { name: 'an OIDC token with no station role', call: (k) => ({ token: k.oidcNoRole }), expect: deny(403) },
  { name: "a disabled user's token", call: (k) => ({ token: k.disabledUser }), expect: deny(401) },
  { name: 'a revoked key', call: (k) => ({ key: k.revokedKey }), expect: deny(401) },
  { name: 'an admin token with a revoked key', call: (k) => ({ token: k.admin, key: k.revokedKey }), expect: deny(401) },
  { name: 'a user (engineer) token', call: (k) => ({ token: k.user }), expect: (a) => (a === 'admin' || a === 'ingest' ? 403 : 'allow') },
  { name: 'a user API key', call: (k) => ({ key: k.userKey }), expect: (a) => (a === 'admin' || a === 'ingest' ? 403 : 'allow') },
  {
    name: 'a device key',
    device: IN_SCOPE,
    call: (k) => ({ key: k.deviceKey }),
    expect: (a) => (a === 'read' || a === 'user' || a === 'admin' ? 403 : 'allow'),
  },
  { name: 'a device key outside its scope', call: (k) => ({ key: k.deviceKey }), expect: (a) => (a === 'ingest' ? 403 : 'allow') },
  { name: 'an admin token without an API key', call: (k) => ({ token: k.admin }), expect: (a) => (a === 'ingest' ? 403 : 'allow') },
];

/** The least-privileged credential each access level lets in (the positive control). */
const ALLOWED: Record<Access, (k: Creds) => Call> = {
  public: () => ({}),
  'signed-in': (k) => ({ key: k.deviceKey }),
  read: (k) => ({ token: k.user }),
  user: (k) => ({ token: k.user }),
  admin: (k) => ({ token: k.admin }),
  ingest: (k) => ({ key: k.deviceKey }),
};

/** Bookkeeping that may change on a refused request: the audit trail and a key's last use. */
const VOLATILE: Record<string, string[] | '*'> = { audit_log: '*', api_keys: ['last_used_at'] };

let s: TestStation;
let idp: TestIdp;
const k = {} as Creds;
const ctx = {} as Ctx;

function fingerprint(): string {
  const h = createHash('sha256');
  const tables = s.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all() as string[];
  for (const t of tables) {
    const skip = VOLATILE[t];
    if (skip === '*') continue;
    // sorted as text: WITHOUT ROWID tables have no rowid to order by
    const rows = (s.db.prepare(`SELECT * FROM "${t}"`).all() as Record<string, unknown>[]).map((row) => {
      for (const c of skip ?? []) delete row[c];
      return `${t}:${JSON.stringify(row)}\n`;
    });
    for (const row of rows.sort()) h.update(row);
  }
  const settings = join(s.dataDir, 'settings.json');
  if (existsSync(settings)) h.update(readFileSync(settings));
  return h.digest('hex');
}

function request(e: Endpoint, cred: Call, device: string): Promise<{ status: number; text: string }> {
  const c: Call = { ...cred };
  if (e.body) c.body = e.body(device);
  if (e.raw) {
    c.raw = e.raw(device);
    c.type = e.type;
  }
  return s.call(e.method, e.path(ctx), c);
}

beforeAll(async () => {
  idp = await TestIdp.start();
  s = await TestStation.start({ JWT_SECRET: SECRET, ...idp.env() });
  k.admin = await s.token();
  k.adminKey = await s.key('admin');
  k.user = await s.userToken();
  k.userKey = await s.key('user');
  k.deviceKey = await s.key('device', ['well-in-*']);
  ctx.engineerId = (s.db.prepare('SELECT id FROM users WHERE username = ?').get(ENGINEER.username) as { id: number }).id;

  const gone = { username: 'ex-employee', password: 'ex-employee-password' };
  k.disabledUser = await s.userToken(gone);
  const goneId = (s.db.prepare('SELECT id FROM users WHERE username = ?').get(gone.username) as { id: number }).id;
  expect((await s.call('PATCH', `/api/users/${goneId}`, { token: k.admin, body: { disabled: true } })).status).toBe(200);

  const revoked = await s.call('POST', '/api/keys', { token: k.admin, body: { name: 'revoked', role: 'admin' } });
  k.revokedKey = revoked.body.key;
  expect((await s.call('DELETE', `/api/keys/${revoked.body.id}`, { token: k.admin })).status).toBe(204);
  ctx.victimKeyId = (await s.call('POST', '/api/keys', { token: k.admin, body: { name: 'victim', role: 'device' } })).body.id;

  k.oidcNoRole = await idp.sign({ sub: 'nobody', role: 'guest' });
  k.oidcExpired = await idp.sign({ sub: 'alice', role: 'admin' }, { expiresIn: -120 });
  k.oidcWrongAud = await idp.sign({ sub: 'alice', role: 'admin' }, { audience: 'another-app' });
  k.oidcWrongIss = await idp.sign({ sub: 'alice', role: 'admin' }, { issuer: 'https://evil.example' });
  k.oidcHsConfusion = await hmacToken({ sub: 'alice', role: 'admin', iss: idp.issuer, aud: idp.audience, exp: now() + 300 }, idp.rsPublicPem);

  const stored = await s.call('POST', '/api/telemetry', { token: k.admin, key: k.adminKey, body: reading(IN_SCOPE) });
  expect(stored.status).toBe(201);
  ctx.readingId = stored.body.id;
  // The rows the matrix calls must really exist: a made-up id would turn every case into a 404 that
  // says nothing about the guard, so a failed setup fails here, loudly.
  const task = await s.call('POST', '/api/telemetry/export/async', { token: k.admin, body: {} });
  expect(task.status, task.text).toBe(202);
  ctx.taskId = task.body.task_id;
  ctx.alarmId = 1;
  const batch = await s.call('POST', '/api/oil/batches', { token: k.admin, body: { well_id: IN_SCOPE } });
  expect(batch.status, batch.text).toBe(201);
  ctx.batchId = batch.body.batch_id;
  const span = await s.call('POST', '/api/ml/spans', {
    token: k.user,
    body: { device_id: IN_SCOPE, ts_from: minutesAgo(10), ts_to: minutesAgo(0), kind: 'label', label: 2 },
  });
  expect(span.status, span.text).toBe(201);
  ctx.spanId = span.body.id;
  // let the export task finish, so background bookkeeping does not move the fingerprint
  await vi.waitFor(async () => expect((await s.call('GET', `/api/tasks/${ctx.taskId}`, { token: k.admin })).body.status).toBe('completed'), {
    timeout: 30_000,
    interval: 100,
  });
}, 60_000);

afterAll(async () => {
  await s?.stop();
  await idp?.stop();
});

describe.each(ENDPOINTS.filter((e) => e.access !== 'public'))('$method $doc ($access)', (e) => {
  const refusals = CASES.filter((c) => c.expect(e.access) !== 'allow');
  it.each(refusals)('when called with $name, then refused and nothing changes', async (c) => {
    const before = fingerprint();
    const res = await request(e, c.call(k), c.device ?? OUT_OF_SCOPE);
    expect(res.status, res.text).toBe(c.expect(e.access));
    expect(fingerprint()).toBe(before);
  });
});

describe('public endpoints', () => {
  it.each(ENDPOINTS.filter((e) => e.access === 'public'))('when $method $doc is called by a stranger, then it changes nothing', async (e) => {
    const before = fingerprint();
    const res = await request(e, {}, OUT_OF_SCOPE);
    expect(res.status).toBeLessThan(500);
    expect(fingerprint()).toBe(before);
  });
});

describe('positive control: the right credential passes each guard', () => {
  it.each(ENDPOINTS.filter((e) => !e.stream))('when $method $doc is called as $access, then it is not 401/403', async (e) => {
    const res = await request(e, ALLOWED[e.access](k), IN_SCOPE);
    expect([401, 403], `${res.status} ${res.text}`).not.toContain(res.status);
  });
});

describe('coverage', () => {
  it('when the OpenAPI document lists an endpoint, then the matrix has a row for it', async () => {
    const doc = (await s.call('GET', '/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const norm = (p: string) => p.replace(/\{[^}]+\}/g, '{}');
    // Open by design, each with its own tests (auth and setup suites): sign-in and the first-run screen.
    const open = ['POST /token', 'GET /api/setup', 'POST /api/setup'];
    const rows = new Set([...ENDPOINTS.map((e) => `${e.method} ${norm(e.doc)}`), ...open]);
    const missing = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${norm(path)}`)
        .filter((key) => !rows.has(key)),
    );
    expect(missing, 'add these to ENDPOINTS in test/server/security-matrix.test.ts').toEqual([]);
  });

  it('when the admin signs in with the real password, then the matrix credentials are real (sanity)', async () => {
    expect((await s.call('GET', '/api/me', { token: await s.token(ADMIN) })).body.role).toBe('admin');
  });
});
