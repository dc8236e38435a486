import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minutesAgo, TestStation } from './helpers/station';

/**
 * Verified tokens and looked-up keys are cached for their lifetime (credential-cache.ts). Each
 * test first shows the credential IS served from the cache (a change written behind the station's
 * back is not seen), then makes the change through the API and expects the very next request to
 * be refused or to see the new role.
 */
let s: TestStation;
let admin: string;

beforeAll(async () => {
  s = await TestStation.start();
  admin = await s.token();
});
afterAll(() => s.stop());

const me = (c: { token?: string; key?: string }) => s.call('GET', '/api/me', c);
let seq = 0;
const post = (key: string) =>
  s.call('POST', '/api/telemetry', { key, body: { device_id: 'cache-dev', ts: minutesAgo(60) + ++seq, temperature: 20, status: 'ok' } });
const keyId = (prefix: string) => s.db.prepare(`SELECT id FROM api_keys WHERE prefix = ?`).pluck().get(prefix) as number;

describe('credential cache', () => {
  it('when a cached device key is revoked, then its very next request is refused', async () => {
    const key = await s.key('device');
    expect((await post(key)).status).toBe(201);
    // Behind the station's back: a cached key is not looked up again, so this is not seen.
    s.db.prepare(`UPDATE api_keys SET revoked_at = 1 WHERE prefix = ?`).run(key.slice(0, 12));
    expect((await post(key)).status).toBe(201);
    s.db.prepare(`UPDATE api_keys SET revoked_at = NULL WHERE prefix = ?`).run(key.slice(0, 12));

    expect((await s.call('DELETE', `/api/keys/${keyId(key.slice(0, 12))}`, { token: admin })).status).toBe(204);
    const refused = await post(key);
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toMatch(/revoked/);
  });

  it('when a cached token is signed out, then its very next request is refused and the others go on', async () => {
    const token = await s.token();
    const other = await s.token();
    expect((await me({ token })).status).toBe(200);
    expect((await me({ token: other })).status).toBe(200);
    expect((await s.call('POST', '/api/sign-out', { token })).status).toBe(204);
    expect((await me({ token })).status).toBe(401);
    expect((await me({ token: other })).status).toBe(200);
  });

  it("when a cached user's role changes or the user is disabled, then the very next request sees it", async () => {
    const user = { username: 'cache-tech', password: 'cache-tech-password-1' };
    const token = await s.userToken(user, 'user');
    const first = await me({ token });
    expect(first.body.role).toBe('user');
    const id = first.body.user_id as number;
    // Behind the station's back: the cached principal keeps the role it was verified with.
    s.db.prepare(`UPDATE users SET role = 'admin' WHERE id = ?`).run(id);
    expect((await me({ token })).body.role).toBe('user');
    s.db.prepare(`UPDATE users SET role = 'user' WHERE id = ?`).run(id);

    expect((await s.call('PATCH', `/api/users/${id}`, { token: admin, body: { role: 'admin' } })).status).toBe(200);
    expect((await me({ token })).body.role).toBe('admin');
    expect((await s.call('PATCH', `/api/users/${id}`, { token: admin, body: { disabled: true } })).status).toBe(200);
    expect((await me({ token })).status).toBe(401);
  });

  it("when a cached user's password is reset, then the token from before is refused", async () => {
    const user = { username: 'cache-op', password: 'cache-op-password-1' };
    const token = await s.userToken(user, 'user');
    const id = (await me({ token })).body.user_id as number;
    expect((await me({ token })).status).toBe(200);
    expect((await s.call('PATCH', `/api/users/${id}`, { token: admin, body: { password: 'cache-op-password-2' } })).status).toBe(200);
    expect((await me({ token })).status).toBe(401);
  });

  it('when the key behind a cached client_credentials token is revoked, then the token is refused', async () => {
    const key = await s.key('user');
    const id = keyId(key.slice(0, 12));
    const res = await fetch(`${s.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: String(id), client_secret: key }),
    });
    const token = ((await res.json()) as { access_token: string }).access_token;
    expect((await me({ token })).status).toBe(200);
    expect((await me({ key })).status).toBe(200);
    expect((await s.call('DELETE', `/api/keys/${id}`, { token: admin })).status).toBe(204);
    expect((await me({ token })).status).toBe(401);
    expect((await me({ key })).status).toBe(401);
  });

  it('when a wrong key or a forged token is sent after a good one, then each is refused (only what passed is cached)', async () => {
    const key = await s.key('device');
    expect((await post(key)).status).toBe(201);
    expect((await post(`${key.slice(0, -1)}x`)).status).toBe(401);
    expect((await me({ token: `${admin.slice(0, -2)}xx` })).status).toBe(401);
    expect((await me({ token: admin, key: 'sok_not-a-key' })).status).toBe(401);
  });
});
