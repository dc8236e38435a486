import type { NextFunction, Request, Response } from 'express';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostCheck } from '../../src/server/http/host-check';
import { rawRequest } from './helpers/raw-http';
import { TestStation } from './helpers/station';

/**
 * A page on a rebinding domain reaches the station through the browser with its own name in the
 * Host header. The station answers only to the names it is really reached by.
 */
describe('a fresh station (no admin yet) reached by a foreign host name', () => {
  let fresh: TestStation;
  let port: string;
  beforeAll(async () => {
    fresh = await TestStation.start({ ADMIN_PASSWORD: undefined, ALLOWED_HOSTS: 'station.wellsite.example' });
    port = new URL(fresh.url).port;
  });
  afterAll(() => fresh.stop());

  const setupAs = (host: string) =>
    rawRequest(fresh.url, {
      method: 'POST',
      path: '/api/setup',
      headers: { host, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'intruder', password: 'intruder-password-1' }),
    });

  it('when setup, sign-in or health come with an attacker host name, then 421 problem and no admin is created', async () => {
    const setup = await setupAs(`rebind.attacker.example:${port}`);
    expect(setup.status).toBe(421);
    expect(setup.headers['content-type']).toMatch(/problem\+json/);
    expect(setup.body.detail).toMatch(/does not answer to the host name .*rebind\.attacker\.example/);
    const token = await rawRequest(fresh.url, {
      method: 'POST',
      path: '/token',
      headers: { host: `rebind.attacker.example:${port}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=intruder&password=intruder-password-1',
    });
    expect(token.status).toBe(421);
    expect((await rawRequest(fresh.url, { path: '/health', headers: { host: 'evil.example' } })).status).toBe(421);
    expect(fresh.count('SELECT COUNT(*) FROM users')).toBe(0);
  });

  it.each(['127.0.0.1', 'localhost', '[::1]', '127.0.0.2', 'LOCALHOST', 'station.wellsite.example'])(
    'when the host name is %s (with the port), then the station answers',
    async (host) => {
      const res = await rawRequest(fresh.url, { path: '/api/setup', headers: { host: `${host}:${port}` } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ needs_admin: true });
    },
  );

  it.each(['localhost.attacker.example', '127.0.0.1.nip.io', 'a b', 'station.wellsite.example.evil'])(
    'when the host name is %j, then it is refused',
    async (host) => {
      expect((await rawRequest(fresh.url, { path: '/api/setup', headers: { host } })).status).toBe(421);
    },
  );

  it('when the admin is created through a loopback name, then it works as before', async () => {
    const res = await setupAs(`localhost:${port}`);
    expect(res.status).toBe(201);
    expect(fresh.count('SELECT COUNT(*) FROM users')).toBe(1);
  });
});

describe('host names with LAN access on', () => {
  /** Runs the middleware once and returns the status it refused with, or 0 when it let the request through. */
  const check = (lan: boolean, host: string): number => {
    let status = 0;
    hostCheck({ lan, extra: [] })(
      { headers: { host } } as Request,
      {} as Response,
      ((err?: { status: number }) => {
        status = err?.status ?? 0;
      }) as NextFunction,
    );
    return status;
  };

  it("when LAN access is on, then this machine's host name is accepted; with it off, only loopback", () => {
    expect(check(true, `${hostname()}:8000`)).toBe(0);
    expect(check(true, `${hostname()}.local`)).toBe(0);
    expect(check(false, `${hostname()}.local`)).toBe(421);
    expect(check(true, 'rebind.attacker.example')).toBe(421);
    expect(check(false, '127.0.0.1:8000')).toBe(0);
  });
});
