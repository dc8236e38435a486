import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config';
import { hmacToken, TestIdp, unsignedToken } from './helpers/jwks';
import { minutesAgo, TestStation } from './helpers/station';

let idp: TestIdp;
let s: TestStation;

beforeAll(async () => {
  idp = await TestIdp.start();
  s = await TestStation.start(idp.env({ OIDC_ROLE_CLAIM: 'realm_access.roles', OIDC_ADMIN_VALUES: 'station-admin', OIDC_USER_VALUES: 'engineer,viewer' }));
});
afterAll(async () => {
  await s?.stop();
  await idp?.stop();
});

const me = (token: string) => s.call('GET', '/api/me', { token });
const roles = (...r: string[]) => ({ realm_access: { roles: r } });

describe('external OIDC bearer tokens (JWKS on loopback)', () => {
  it('when an RS256 token from the issuer carries the admin value, then it signs in as an oidc admin', async () => {
    const res = await me(await idp.sign({ sub: 'alice', ...roles('offline_access', 'station-admin') }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'oidc', subject: 'alice', role: 'admin' });
    expect(idp.jwksHits).toBeGreaterThan(0);
  });

  it('when an ES256 token maps to the user role, then it may read but not administer', async () => {
    const token = await idp.sign({ sub: 'bob', ...roles('viewer') }, { alg: 'ES256' });
    expect((await me(token)).body).toMatchObject({ kind: 'oidc', role: 'user' });
    expect((await s.call('GET', '/api/telemetry', { token })).status).toBe(200);
    expect((await s.call('GET', '/api/users', { token })).status).toBe(403);
  });

  it('when a valid token carries no mapped role, then 403 (known identity, no station role)', async () => {
    const res = await me(await idp.sign({ sub: 'carol', ...roles('billing') }));
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/no station role/);
  });

  it('when the token is a device role claim, then it is refused: OIDC only grants admin or user', async () => {
    expect((await me(await idp.sign({ sub: 'dev', ...roles('device') }))).status).toBe(403);
  });

  it.each([
    ['wrong issuer', { issuer: 'https://evil.example/realm' }],
    ['wrong audience', { audience: 'someone-else' }],
    ['expired', { expiresIn: -120 }],
    ['not yet valid', { notBefore: 600 }],
    ['signed by a key the JWKS does not publish', { foreignKey: true }],
    ['unknown kid', { kid: 'rs-404' }],
  ])('when the token is %s, then 401', async (_name, o) => {
    const res = await me(await idp.sign({ sub: 'mallory', ...roles('station-admin') }, o));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('when a token is HS256-signed with the provider public key (algorithm confusion), then 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await hmacToken({ sub: 'mallory', iss: idp.issuer, aud: idp.audience, iat: now, exp: now + 300, ...roles('station-admin') }, idp.rsPublicPem);
    expect((await me(token)).status).toBe(401);
  });

  it('when a token has alg none, then 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await me(unsignedToken({ sub: 'mallory', iss: idp.issuer, aud: idp.audience, exp: now + 300, ...roles('station-admin') }))).status).toBe(401);
  });

  it('when an OIDC admin ingests with no API key, then 403; with a device key, then the reading is stored', async () => {
    const token = await idp.sign({ sub: 'alice', ...roles('station-admin') });
    const reading = { device_id: 'well-oidc', ts: minutesAgo(1), temperature: 60, pressure: 990, status: 'ok' };
    const before = s.count();
    expect((await s.call('POST', '/api/telemetry', { token, body: reading })).status).toBe(403);
    expect(s.count()).toBe(before);
    const key = await s.key('device', ['well-oidc']);
    expect((await s.call('POST', '/api/telemetry', { token, key, body: reading })).status).toBe(201);
  });
});

describe('external OIDC with a PEM public key', () => {
  let pem: TestStation;
  beforeAll(async () => {
    pem = await TestStation.start({ OIDC_ISSUER: idp.issuer, OIDC_AUDIENCE: idp.audience, OIDC_PUBLIC_KEY: idp.rsPublicPem });
  });
  afterAll(() => pem?.stop());

  it('when a token is signed by the matching private key, then it is accepted with the default role claim', async () => {
    const res = await pem.call('GET', '/api/me', { token: await idp.sign({ sub: 'erin', role: 'admin' }) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'oidc', role: 'admin' });
  });

  it('when the same token is HS256-signed with that PEM, then 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await hmacToken({ sub: 'erin', iss: idp.issuer, aud: idp.audience, exp: now + 300, role: 'admin' }, idp.rsPublicPem);
    expect((await pem.call('GET', '/api/me', { token })).status).toBe(401);
  });
});

describe('OIDC configuration', () => {
  const base = { DATA_DIR: '/tmp/oilfield-config-test' };
  it.each([
    ['an issuer without audience', { OIDC_ISSUER: 'https://idp.example', OIDC_JWKS_URL: 'https://idp.example/jwks' }],
    ['an issuer without a key source', { OIDC_ISSUER: 'https://idp.example', OIDC_AUDIENCE: 'x' }],
    [
      'both JWKS and PEM',
      { OIDC_ISSUER: 'https://idp.example', OIDC_AUDIENCE: 'x', OIDC_JWKS_URL: 'https://idp.example/jwks', OIDC_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----' },
    ],
    ['a plain-http JWKS on the LAN', { OIDC_ISSUER: 'https://idp.example', OIDC_AUDIENCE: 'x', OIDC_JWKS_URL: 'http://10.0.0.5/jwks' }],
  ])('when it has %s, then the station refuses to start', (_name, env) => {
    expect(() => loadConfig({}, { ...base, ...env })).toThrow(/OIDC/);
  });
});
