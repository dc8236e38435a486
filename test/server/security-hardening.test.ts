import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config';
import { createLogger } from '../../src/server/logger';
import { startStation, type Station } from '../../src/server/station';
import { ADMIN, minutesAgo, TestStation } from './helpers/station';

const JWT_SECRET = 'hardening-test-secret-abcdefghijklmnopqrstuvwxyz';

describe('security headers, CORS, body limits, error bodies', () => {
  let s: TestStation;
  let admin: string;
  beforeAll(async () => {
    s = await TestStation.start({ CORS_ORIGINS: 'http://ui.field.local:5173' });
    admin = await s.token();
  });
  afterAll(() => s.stop());

  it('when any endpoint answers, then helmet headers are set and Express is not announced', async () => {
    for (const path of ['/health', '/api/telemetry', '/api/nope']) {
      const res = await s.call('GET', path, { token: admin });
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('when a foreign origin calls or preflights, then no CORS grant is given', async () => {
    const res = await s.call('GET', '/api/telemetry', { token: admin, headers: { origin: 'http://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await s.call('OPTIONS', '/api/telemetry', { headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(pre.headers.get('vary')).toContain('Origin');
  });

  it('when the configured origin preflights, then it is allowed with the API headers, never credentials', async () => {
    const pre = await s.call('OPTIONS', '/api/telemetry', { headers: { origin: 'http://ui.field.local:5173', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://ui.field.local:5173');
    expect(pre.headers.get('access-control-allow-headers')).toContain('x-api-key');
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
    const get = await s.call('GET', '/api/telemetry', { token: admin, headers: { origin: 'http://ui.field.local:5173' } });
    expect(get.headers.get('access-control-expose-headers')).toContain('Retry-After');
  });

  it('when CORS_ORIGINS holds a wildcard or a path, then the station refuses to start', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'oilfield-cors-'));
    try {
      expect(() => loadConfig({}, { DATA_DIR: dataDir, CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS/);
      expect(() => loadConfig({}, { DATA_DIR: dataDir, CORS_ORIGINS: 'http://a.local/path' })).toThrow(/CORS_ORIGINS/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it.each([
    ['/token', 'application/x-www-form-urlencoded', `username=admin&password=${'x'.repeat(10_000)}`],
    ['/api/users', 'application/json', JSON.stringify({ username: 'big', password: 'x'.repeat(20_000) })],
    ['/api/keys', 'application/json', JSON.stringify({ name: 'big', devices: Array.from({ length: 2000 }, (_, i) => `well-${i}`) })],
    ['/api/setup', 'application/json', JSON.stringify({ username: 'big', password: 'x'.repeat(5_000) })],
  ])('when POST %s gets an oversized body, then 413 problem and nothing is stored', async (path, type, raw) => {
    const users = s.count('SELECT COUNT(*) FROM users');
    const keys = s.count('SELECT COUNT(*) FROM api_keys');
    const res = await s.call('POST', path, { token: path === '/token' ? undefined : admin, raw, type });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(s.count('SELECT COUNT(*) FROM users')).toBe(users);
    expect(s.count('SELECT COUNT(*) FROM api_keys')).toBe(keys);
  });

  it.each([
    ['/api/users', '{"username": "x", '],
    ['/api/keys', '{"name": '],
    ['/token', '{"username": "admin", "password": '],
  ])('when POST %s gets malformed JSON, then 400 without stack or internals', async (path, raw) => {
    const res = await s.call('POST', path, { token: path === '/token' ? undefined : admin, raw, type: 'application/json' });
    expect(res.status).toBe(400);
    expect(res.text).not.toMatch(/\bat \S+ \(|node_modules|\.ts:\d+|SyntaxError/);
  });

  it('when an injection string is used as a user name, then 422 and the users table is intact', async () => {
    const before = s.count('SELECT COUNT(*) FROM users');
    const res = await s.call('POST', '/api/users', { token: admin, body: { username: "x'); DROP TABLE users;--", password: 'long-enough-pw' } });
    expect(res.status).toBe(422);
    expect(s.count('SELECT COUNT(*) FROM users')).toBe(before);
  });

  it('when the database fails under a request, then 500 says nothing about SQL, tables or stacks', async () => {
    s.db.exec('ALTER TABLE audit_log RENAME TO audit_log_moved');
    try {
      const res = await s.call('GET', '/api/audit', { token: admin });
      expect(res.status).toBe(500);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      expect(res.body.detail).toBe('the station hit an unexpected error; it has been logged');
      expect(res.text).not.toMatch(/SQLITE|sqlite|audit_log|SELECT|no such table|\bat \S+ \(|\.ts:\d+/);
    } finally {
      s.db.exec('ALTER TABLE audit_log_moved RENAME TO audit_log');
    }
  });
});

describe('secrets never reach the logs or the responses', () => {
  let station: Station;
  let dataDir: string;
  let logs = '';

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'oilfield-logs-'));
    const out = new PassThrough();
    out.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    const config = loadConfig(
      {},
      { DATA_DIR: dataDir, PORT: 0, HOST: '127.0.0.1', ADMIN_PASSWORD: ADMIN.password, SERVE_UI: 'false', JWT_SECRET, LOG_LEVEL: 'trace' },
    );
    station = await startStation(config, { logger: createLogger('trace', false, out) });
  });
  afterAll(async () => {
    await station?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, headers: Record<string, string> = {}, body?: string) => {
    const res = await fetch(station.url + path, { method, headers, body });
    return { status: res.status, text: await res.text() };
  };

  it('when passwords, tokens and keys go through every kind of request, then none of them is in the log or a later response', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const json = { 'content-type': 'application/json' };
    const wrong = 'Wrong-Password-Guess-42';
    expect((await call('POST', '/token', form, `username=admin&password=${wrong}`)).status).toBe(400);
    const signIn = await call('POST', '/token', form, `username=admin&password=${ADMIN.password}`);
    const token = (JSON.parse(signIn.text) as { access_token: string }).access_token;
    const auth = { authorization: `Bearer ${token}` };

    const created = JSON.parse((await call('POST', '/api/keys', { ...auth, ...json }, JSON.stringify({ name: 'rtu', role: 'device' }))).text) as {
      id: number;
      key: string;
    };
    const userPw = 'Engineer-Password-77';
    expect((await call('POST', '/api/users', { ...auth, ...json }, JSON.stringify({ username: 'eng', password: userPw }))).status).toBe(201);
    expect((await call('PATCH', '/api/users/2', { ...auth, ...json }, JSON.stringify({ password: 'Reset-Password-88' }))).status).toBe(200);
    const reading = JSON.stringify({ device_id: 'well-log', ts: minutesAgo(1), temperature: 1, pressure: 2, status: 'ok' });
    expect((await call('POST', '/api/telemetry', { 'x-api-key': created.key, ...json }, reading)).status).toBe(201);
    expect((await call('GET', '/api/me', { authorization: `Token ${created.key}` })).status).toBe(200);
    const basic = Buffer.from(`${created.id}:${created.key}`).toString('base64');
    expect((await call('POST', '/token', { ...form, authorization: `Basic ${basic}` }, 'grant_type=client_credentials')).status).toBe(200);
    expect((await call('POST', '/token', form, `grant_type=client_credentials&client_id=${created.id}&client_secret=${created.key}`)).status).toBe(200);
    // a refused secret must not be echoed either
    expect((await call('GET', '/api/me', { 'x-api-key': 'sok_not-a-real-key-but-secret-looking' })).status).toBe(401);
    expect((await call('GET', '/api/telemetry?api_key=querystring-secret-123', auth)).status).toBeLessThan(500);

    const later = [
      await call('GET', '/api/keys', auth),
      await call('GET', '/api/users', auth),
      await call('GET', '/api/audit?limit=1000', auth),
      await call('GET', '/api/me', auth),
      await call('GET', '/health'),
    ]
      .map((r) => r.text)
      .join('\n');
    const hashes = station.db.prepare('SELECT password_hash AS h FROM users UNION ALL SELECT key_hash FROM api_keys').pluck().all() as string[];
    const secrets = [
      ADMIN.password,
      wrong,
      userPw,
      'Reset-Password-88',
      token,
      created.key,
      basic,
      JWT_SECRET,
      'sok_not-a-real-key-but-secret-looking',
      'querystring-secret-123',
      ...hashes,
    ];

    expect(logs.length).toBeGreaterThan(1000); // the log really captured the requests
    for (const secret of secrets) {
      expect(logs.includes(secret), `log contains ${secret.slice(0, 12)}...`).toBe(false);
      expect(later.includes(secret), `a response contains ${secret.slice(0, 12)}...`).toBe(false);
    }
  });
});
