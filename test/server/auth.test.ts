import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN, ENGINEER, minutesAgo, TestStation } from './helpers/station';

let s: TestStation;
let admin: string;

beforeAll(async () => {
  s = await TestStation.start();
  admin = await s.token();
});
afterAll(() => s.stop());

const form = (body: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${s.url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(body) });

const auditActions = () =>
  s.db.prepare('SELECT action, actor, target, detail FROM audit_log ORDER BY id').all() as {
    action: string;
    actor: string;
    target: string | null;
    detail: string | null;
  }[];

describe('POST /token', () => {
  it('when the seed form request (no grant_type) is sent, then a bearer token comes back', async () => {
    const res = await form({ username: ADMIN.username, password: ADMIN.password });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
    const me = await s.call('GET', '/api/me', { token: body.access_token as string });
    expect(me.body).toMatchObject({ kind: 'user', subject: 'admin', role: 'admin' });
  });

  it('when the password grant comes as JSON, then it works the same', async () => {
    const res = await s.call('POST', '/token', { body: { grant_type: 'password', username: ADMIN.username, password: ADMIN.password } });
    expect(res.status).toBe(200);
    expect(res.body.access_token).toEqual(expect.any(String));
  });

  it('when the password is wrong or the user unknown, then both answer invalid_grant alike', async () => {
    const wrong = await form({ username: ADMIN.username, password: 'nope-nope' });
    const unknown = await form({ username: 'ghost', password: 'nope-nope' });
    expect(wrong.status).toBe(400);
    expect(unknown.status).toBe(400);
    expect(await wrong.json()).toEqual(await unknown.json());
  });

  it('when the grant type is unknown, then unsupported_grant_type', async () => {
    const res = await form({ grant_type: 'implicit', username: 'a', password: 'b' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it('when the body is text/plain, then 415 and no token', async () => {
    const res = await s.call('POST', '/token', { raw: 'username=admin&password=x', type: 'text/plain' });
    expect(res.status).toBe(415);
    expect(res.body.access_token).toBeUndefined();
  });

  it('when client_credentials come in the body or as HTTP Basic, then the key gets a token with its role', async () => {
    const created = await s.call('POST', '/api/keys', { token: admin, body: { name: 'integration', role: 'user' } });
    const { id, key } = created.body as { id: number; key: string };
    const inBody = await form({ grant_type: 'client_credentials', client_id: String(id), client_secret: key });
    expect(inBody.status).toBe(200);
    const basic = await form({ grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from(`${id}:${key}`).toString('base64')}` });
    expect(basic.status).toBe(200);
    const token = ((await basic.json()) as { access_token: string }).access_token;
    const me = await s.call('GET', '/api/me', { token });
    expect(me.body).toMatchObject({ kind: 'key', role: 'user', key_id: id });
  });

  it('when client_credentials carry a wrong secret, then 401 invalid_client with WWW-Authenticate', async () => {
    const res = await form({ grant_type: 'client_credentials', client_id: '1', client_secret: 'sok_wrong' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
  });
});

describe('users and keys', () => {
  it('when an admin creates, disables and re-enables a user, then sign-in follows and the audit log has it', async () => {
    const created = await s.call('POST', '/api/users', { token: admin, body: { ...ENGINEER, role: 'user' } });
    expect(created.status).toBe(201);
    expect(created.text).not.toContain('password');
    const userToken = await s.token(ENGINEER);
    expect((await s.call('GET', '/api/telemetry', { token: userToken })).status).toBe(200);
    expect((await s.call('PATCH', `/api/users/${created.body.id}`, { token: admin, body: { disabled: true } })).status).toBe(200);
    // the unexpired token stops working at once, and no new one is issued
    expect((await s.call('GET', '/api/telemetry', { token: userToken })).status).toBe(401);
    expect((await form({ username: ENGINEER.username, password: ENGINEER.password })).status).toBe(400);
    expect((await s.call('PATCH', `/api/users/${created.body.id}`, { token: admin, body: { disabled: false } })).status).toBe(200);
    // tokens from before the disable stay dead; signing in again works
    expect((await s.call('GET', '/api/telemetry', { token: userToken })).status).toBe(401);
    expect((await s.call('GET', '/api/telemetry', { token: await s.token(ENGINEER) })).status).toBe(200);
    const actions = auditActions().map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['user.create', 'user.update', 'auth.login', 'auth.login_failed']));
  });

  it('when a user sends a bad PATCH, then 422 and the user is unchanged', async () => {
    const before = s.db.prepare('SELECT * FROM users ORDER BY id').all();
    const res = await s.call('PATCH', '/api/users/1', { token: admin, body: { role: 'root', extra: 1 } });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(s.db.prepare('SELECT * FROM users ORDER BY id').all()).toEqual(before);
  });

  it('when a key is listed after creation, then only its prefix is shown, never the secret or its hash', async () => {
    const created = await s.call('POST', '/api/keys', { token: admin, body: { name: 'rtu-7', role: 'device', devices: ['well-7*'] } });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const list = await s.call('GET', '/api/keys', { token: admin });
    expect(list.text).not.toContain(created.body.key);
    expect(list.text).not.toContain('key_hash');
    const row = s.db.prepare('SELECT key_hash FROM api_keys WHERE id = ?').get(created.body.id) as { key_hash: string };
    expect(list.text).not.toContain(row.key_hash);
    expect(list.body.find((k: { id: number }) => k.id === created.body.id)).toMatchObject({ prefix: created.body.key.slice(0, 12), devices: ['well-7*'] });
  });
});

describe('audit', () => {
  it('when sign-ins succeed and fail, then both are audited and no password is stored anywhere in the log', async () => {
    await form({ username: ADMIN.username, password: 'wrong-Secret-123' });
    const rows = auditActions();
    const text = JSON.stringify(rows);
    expect(rows.some((r) => r.action === 'auth.login_failed' && r.actor === 'admin')).toBe(true);
    expect(text).not.toContain('wrong-Secret-123');
    expect(text).not.toContain(ADMIN.password);
  });

  it('when a reading is deleted, then telemetry.delete is audited with the admin as actor', async () => {
    const key = await s.key('device');
    const posted = await s.call('POST', '/api/telemetry', {
      key,
      body: { device_id: 'well-del', ts: minutesAgo(3), temperature: 70, pressure: 1000, status: 'ok' },
    });
    expect(posted.status).toBe(201);
    expect((await s.call('DELETE', `/api/telemetry/${posted.body.id}`, { token: admin })).status).toBe(204);
    const res = await s.call('GET', '/api/audit?action=telemetry.delete', { token: admin });
    expect(res.status).toBe(200);
    expect(res.body.items[0]).toMatchObject({ action: 'telemetry.delete', actor: 'admin', target: String(posted.body.id) });
  });

  it('when a delete fails (404), then nothing is audited', async () => {
    const before = s.count("SELECT COUNT(*) FROM audit_log WHERE action = 'telemetry.delete'");
    expect((await s.call('DELETE', '/api/telemetry/999999', { token: admin })).status).toBe(404);
    expect(s.count("SELECT COUNT(*) FROM audit_log WHERE action = 'telemetry.delete'")).toBe(before);
  });

  it('when a key is revoked, then key.revoke is audited once (not also as a generic delete)', async () => {
    const created = await s.call('POST', '/api/keys', { token: admin, body: { name: 'to-revoke', role: 'device' } });
    expect((await s.call('DELETE', `/api/keys/${created.body.id}`, { token: admin })).status).toBe(204);
    const rows = auditActions().filter((r) => r.target === created.body.prefix);
    expect(rows.map((r) => r.action)).toEqual(['key.create', 'key.revoke']);
    expect(s.count("SELECT COUNT(*) FROM audit_log WHERE action = 'keys.delete'")).toBe(0);
  });

  it('when rule limits are deleted, then one audit row says so (not also a generic ml.delete)', async () => {
    const limits = { temperature_min: 0, temperature_max: 150 };
    expect((await s.call('PUT', '/api/ml/limits/well-lim', { token: admin, body: limits })).status).toBeLessThan(300);
    const before = s.count('SELECT COUNT(*) FROM audit_log');
    expect((await s.call('DELETE', '/api/ml/limits/well-lim', { token: admin })).status).toBe(204);
    const added = s.db.prepare('SELECT action, target FROM audit_log ORDER BY id DESC LIMIT ?').all(s.count('SELECT COUNT(*) FROM audit_log') - before);
    expect(added).toEqual([{ action: 'ml.limits.delete', target: 'well-lim' }]);
  });

  it('when a finished export task is removed, then tasks.delete is audited once, with the task and the actor', async () => {
    const task = await s.call('POST', '/api/telemetry/export/async', { token: admin, body: { device_id: 'well-none' } });
    await vi.waitFor(async () => expect((await s.call('GET', `/api/tasks/${task.body.task_id}`, { token: admin })).body.status).toBe('completed'), {
      timeout: 20_000,
      interval: 100,
    });
    expect((await s.call('DELETE', `/api/tasks/${task.body.task_id}`, { token: admin })).status).toBe(204);
    const rows = s.db.prepare('SELECT action, actor FROM audit_log WHERE target = ?').all(task.body.task_id);
    expect(rows).toEqual([{ action: 'tasks.delete', actor: 'admin' }]);
  });

  it('when the audit query has an unknown filter, then 422', async () => {
    const res = await s.call('GET', '/api/audit?password=x', { token: admin });
    expect(res.status).toBe(422);
  });
});

describe('first run (desktop setup)', () => {
  let fresh: TestStation;
  beforeAll(async () => {
    fresh = await TestStation.start({ ADMIN_PASSWORD: undefined });
  });
  afterAll(() => fresh.stop());

  it('when no user exists, then GET /api/setup asks for an admin and sign-in is impossible', async () => {
    const res = await fresh.call('GET', '/api/setup');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ needs_admin: true });
    expect(fresh.count('SELECT COUNT(*) FROM users')).toBe(0);
  });

  it('when the setup body is invalid, then 422 and no user is created', async () => {
    const res = await fresh.call('POST', '/api/setup', { body: { username: 'x', password: 'short', role: 'admin' } });
    expect(res.status).toBe(422);
    expect(res.body.errors.length).toBeGreaterThan(0);
    expect(fresh.count('SELECT COUNT(*) FROM users')).toBe(0);
  });

  it('when two setups race, then exactly one admin is created and the other gets 409', async () => {
    const [a, b] = await Promise.all([
      fresh.call('POST', '/api/setup', { body: { username: 'chief', password: 'chief-password-1' } }),
      fresh.call('POST', '/api/setup', { body: { username: 'rival', password: 'rival-password-1' } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect(fresh.count('SELECT COUNT(*) FROM users')).toBe(1);
    const winner = a.status === 201 ? a.body : b.body;
    expect(winner).toMatchObject({ role: 'admin' });
    expect((await fresh.call('GET', '/api/setup')).body).toEqual({ needs_admin: false });
    expect(fresh.count("SELECT COUNT(*) FROM audit_log WHERE action = 'setup.admin'")).toBe(1);
  });

  it('when users exist, then POST /api/setup is 409 and creates nobody', async () => {
    const res = await fresh.call('POST', '/api/setup', { body: { username: 'late', password: 'late-password-1' } });
    expect(res.status).toBe(409);
    expect(fresh.count('SELECT COUNT(*) FROM users')).toBe(1);
  });
});
