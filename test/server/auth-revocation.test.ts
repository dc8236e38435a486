import jwt from 'jsonwebtoken';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, ENGINEER, TestStation } from './helpers/station';

/** Tokens end when the user signs out, when their password is reset and when they are disabled. */
let s: TestStation;
let admin: string;

beforeAll(async () => {
  s = await TestStation.start();
  admin = await s.token();
});
afterAll(() => s.stop());

const me = (token: string) => s.call('GET', '/api/me', { token });
const signIn = (username: string, password: string) =>
  fetch(`${s.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password }),
  });

describe('token revocation', () => {
  it('when a user signs out, then that token is refused at once and their other sessions go on', async () => {
    const first = await s.token();
    const second = await s.token();
    expect((await me(first)).status).toBe(200);
    const out = await s.call('POST', '/api/sign-out', { token: first });
    expect(out.status).toBe(204);
    const after = await me(first);
    expect(after.status).toBe(401);
    expect(after.body.detail).toMatch(/invalid or expired token/);
    expect((await me(second)).status).toBe(200);
    expect(s.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'auth.logout'`)).toBe(1);
  });

  it("when an admin resets a user's password, then the tokens issued before stop working and the new password signs in", async () => {
    const before = await s.userToken(ENGINEER);
    const id = (await me(before)).body.user_id as number;
    expect((await s.call('PATCH', `/api/users/${id}`, { token: admin, body: { password: 'a-brand-new-password' } })).status).toBe(200);
    expect((await me(before)).status).toBe(401);
    const again = await signIn(ENGINEER.username, 'a-brand-new-password');
    expect(again.status).toBe(200);
    const fresh = ((await again.json()) as { access_token: string }).access_token;
    expect((await me(fresh)).status).toBe(200);
  });

  it('when a user is disabled and enabled again, then tokens from before the disable stay dead', async () => {
    const user = { username: 'field-tech', password: 'field-tech-password-1' };
    const before = await s.userToken(user);
    const id = (await me(before)).body.user_id as number;
    await s.call('PATCH', `/api/users/${id}`, { token: admin, body: { disabled: true } });
    await s.call('PATCH', `/api/users/${id}`, { token: admin, body: { disabled: false } });
    expect((await me(before)).status).toBe(401);
    expect((await me(await s.token(user))).status).toBe(200);
  });

  it('when a token signed with the station secret has no expiry, then it is refused', async () => {
    const secret = readFileSync(join(s.dataDir, 'secrets', 'jwt.key'));
    const forever = jwt.sign({ sub: ADMIN.username, uid: 1, role: 'admin' }, secret, {
      algorithm: 'HS256',
      issuer: 'smart-oilfield-station',
      audience: 'smart-oilfield-station',
    });
    expect((await me(forever)).status).toBe(401);
    const withExpiry = jwt.sign({ sub: ADMIN.username, uid: 1, role: 'admin' }, secret, {
      algorithm: 'HS256',
      issuer: 'smart-oilfield-station',
      audience: 'smart-oilfield-station',
      expiresIn: 60,
    });
    expect((await me(withExpiry)).status).toBe(200);
  });

  it('when sign-out is called with an API key, then it is a 400 that says keys are revoked by an admin', async () => {
    const key = await s.key('user');
    const res = await s.call('POST', '/api/sign-out', { key });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/API keys are revoked/);
  });
});

describe('client credentials in a Basic header', () => {
  it.each(['%', '%zz', 'a%E0%A4%A', '%C0%AF'])('when the client id is the broken escape %j, then 400 invalid_request, never 500', async (id) => {
    const res = await fetch(`${s.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${id}:secret`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/not valid/) });
  });

  it('when the Basic credentials are a real key, percent-encoded, then the grant works', async () => {
    const created = await s.call('POST', '/api/keys', { token: admin, body: { name: 'basic', role: 'user' } });
    const basic = Buffer.from(`${encodeURIComponent(String(created.body.id))}:${encodeURIComponent(created.body.key)}`).toString('base64');
    const res = await fetch(`${s.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(200);
  });
});

describe('sign-in limits and a neighbour behind the same address', () => {
  let small: TestStation;
  beforeAll(async () => {
    small = await TestStation.start({ TOKEN_RATE_LIMIT_PER_IP: 20 });
  });
  afterAll(() => small.stop());

  const at = (username: string, password: string) =>
    fetch(`${small.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, password }),
    });

  it('when someone sprays bad user names from the address, then an engineer who signed in there before still can, and guessing stays blocked', async () => {
    expect((await at(ADMIN.username, ADMIN.password)).status).toBe(200);
    for (let i = 0; i < 25; i++) await at(`nobody-${i}`, 'wrong-password');
    // the sprayer's next name, and a name never seen here, are refused for the window
    expect((await at('nobody-x', 'wrong-password')).status).toBe(429);
    // the admin signed in from here before: the per-address count does not lock them out
    expect((await at(ADMIN.username, ADMIN.password)).status).toBe(200);
    // but their own password still cannot be guessed: 10 failures lock the (address, name) pair
    for (let i = 0; i < 10; i++) expect((await at(ADMIN.username, `guess-${i}`)).status).toBe(400);
    expect((await at(ADMIN.username, ADMIN.password)).status).toBe(429);
  });
});
