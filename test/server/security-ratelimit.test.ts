import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, minutesAgo, TestStation } from './helpers/station';

const signIn = (s: TestStation, username: string, password: string) =>
  fetch(`${s.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password }),
  });

describe('password guessing on /token (defaults: 10 failures per IP and user name per minute)', () => {
  let s: TestStation;
  beforeAll(async () => {
    s = await TestStation.start();
  });
  afterAll(() => s.stop());

  it('when the same user name fails 10 times, then the 11th attempt is 429 even with the right password', async () => {
    for (let i = 0; i < 10; i++) expect((await signIn(s, ADMIN.username, `guess-${i}`)).status).toBe(400);
    const res = await signIn(s, ADMIN.username, ADMIN.password);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.headers.get('ratelimit')).toMatch(/"token"; r=0/);
    expect(res.headers.get('ratelimit-policy')).toMatch(/"token"; q=10; w=60/);
    const body = (await res.json()) as Record<string, unknown>;
    // a problem body for everyone, plus the OAuth2 fields token clients look for
    expect(body).toMatchObject({ status: 429, title: 'Too Many Requests', error: 'too_many_requests' });
    expect(body.detail).toMatch(/try again in \d+ s/);
    expect(body).not.toHaveProperty('access_token');
  });

  it('when another user name is tried from the same address, then it is not locked by the first', async () => {
    expect((await signIn(s, 'someone-else', 'wrong-password')).status).toBe(400);
  });

  it('when the guesses are audited, then each failure is there and no guess is', async () => {
    const rows = s.db.prepare("SELECT detail FROM audit_log WHERE action = 'auth.login_failed' AND actor = 'admin'").all();
    expect(rows.length).toBe(10);
    expect(JSON.stringify(rows)).not.toContain('guess-');
  });
});

describe('successful sign-ins', () => {
  let s: TestStation;
  beforeAll(async () => {
    s = await TestStation.start();
  });
  afterAll(() => s.stop());

  it('when a script signs in correctly 12 times in a minute, then it is never throttled (only failures count)', async () => {
    for (let i = 0; i < 12; i++) expect((await signIn(s, ADMIN.username, ADMIN.password)).status).toBe(200);
  });
});

describe('spraying many user names from one address', () => {
  let s: TestStation;
  beforeAll(async () => {
    s = await TestStation.start({ TOKEN_RATE_LIMIT_PER_IP: 5 });
  });
  afterAll(() => s.stop());

  it('when 5 different user names fail, then the 6th name from that address is 429', async () => {
    for (let i = 0; i < 5; i++) expect((await signIn(s, `user-${i}`, 'wrong-password')).status).toBe(400);
    const res = await signIn(s, 'user-99', 'wrong-password');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBeTruthy();
  });
});

describe('reads and ingest', () => {
  let s: TestStation;
  let admin: string;
  beforeAll(async () => {
    s = await TestStation.start({ READ_RATE_LIMIT: 3 });
    admin = await s.token();
  });
  afterAll(() => s.stop());

  it('when a device posts a reading every second for two minutes (120 posts in one window), then none is throttled', async () => {
    const key = await s.key('device', ['rtu-*']);
    const start = minutesAgo(10);
    let last: Response | undefined;
    for (let i = 0; i < 120; i++) {
      last = await fetch(`${s.url}/api/telemetry`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({ device_id: 'rtu-1', ts: start + i, temperature: 70, pressure: 1000, status: 'ok' }),
      });
      expect(last.status).toBe(201);
    }
    expect(s.count("SELECT COUNT(*) FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE d.device_id = 'rtu-1'")).toBe(120);
    // the standard header shows how much room is left (12000 per minute by default)
    expect(last!.headers.get('ratelimit')).toMatch(/"ingest"; r=11880/);
  });

  it('when a caller exceeds READ_RATE_LIMIT, then 429 with Retry-After, and another caller is unaffected', async () => {
    for (let i = 0; i < 3; i++) expect((await s.call('GET', '/api/telemetry?limit=1', { token: admin })).status).toBe(200);
    const res = await s.call('GET', '/api/telemetry?limit=1', { token: admin });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(res.body).toMatchObject({ status: 429 });
    expect(res.body).not.toHaveProperty('error');
    const other = await s.key('user');
    expect((await s.call('GET', '/api/telemetry?limit=1', { key: other })).status).toBe(200);
  });

  it('when an anonymous caller floods a read endpoint, then it gets 401 (refused before it is counted)', async () => {
    for (let i = 0; i < 5; i++) expect((await s.call('GET', '/api/telemetry')).status).toBe(401);
  });
});
