import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDatabase } from '../../src/server/seed/seed';
import { TestStation } from './helpers/station';

/** docs/SECURITY.md "Walk-through", request by request, against a station seeded with --demo. */
describe('walk-through: demo seed, seed-style sign-in, ingest, device key, revocation', () => {
  let s: TestStation;
  let token: string;
  let device: { id: number; key: string };

  beforeAll(async () => {
    s = await TestStation.start({ ADMIN_PASSWORD: undefined });
    await seedDatabase(s.db, { demo: true, days: 1 });
  });
  afterAll(() => s.stop());

  it('when the seed form request is sent for admin/adminpass, then a bearer token comes back', async () => {
    // curl -X POST http://127.0.0.1:8000/token -d 'username=admin&password=adminpass'
    const res = await fetch(`${s.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=admin&password=adminpass',
    });
    expect(res.status).toBe(200);
    token = ((await res.json()) as { access_token: string }).access_token;
  });

  it('when a reading is posted with the bearer token and x-api-key demo-key-123, then it is stored', async () => {
    const res = await s.call('POST', '/api/telemetry', {
      token,
      key: 'demo-key-123',
      body: { device_id: 'device-001', ts: '2024-01-01T00:00:00Z', temperature: 72.5, pressure: 1013.2, status: 'ok' },
    });
    expect(res.status).toBe(201);
  });

  it('when the same post has no API key, then 403 and nothing is stored', async () => {
    const before = s.count();
    const res = await s.call('POST', '/api/telemetry', {
      token,
      body: { device_id: 'device-001', ts: '2024-01-01T00:01:00Z', temperature: 72.5, pressure: 1013.2, status: 'ok' },
    });
    expect(res.status).toBe(403);
    expect(s.count()).toBe(before);
  });

  it('when the admin creates a device key for well-0*, then that key alone may post for its wells only', async () => {
    const created = await s.call('POST', '/api/keys', { token, body: { name: 'rtu-7', role: 'device', devices: ['well-0*'] } });
    expect(created.status).toBe(201);
    device = created.body;
    const ok = await s.call('POST', '/api/telemetry', {
      key: device.key,
      body: { device_id: 'well-007', ts: '2024-01-01T00:00:00Z', temperature: 65, pressure: 980, status: 'ok' },
    });
    expect(ok.status).toBe(201);
    const other = await s.call('POST', '/api/telemetry', {
      key: device.key,
      body: { device_id: 'pump-1', ts: '2024-01-01T00:00:00Z', temperature: 65, pressure: 980, status: 'ok' },
    });
    expect(other.status).toBe(403);
    expect((await s.call('GET', '/api/telemetry', { key: device.key })).status).toBe(403);
  });

  it('when the key is revoked, then its next post is 401 and stores nothing', async () => {
    expect((await s.call('DELETE', `/api/keys/${device.id}`, { token })).status).toBe(204);
    const before = s.count();
    const res = await s.call('POST', '/api/telemetry', {
      key: device.key,
      body: { device_id: 'well-007', ts: '2024-01-01T00:02:00Z', temperature: 65, pressure: 980, status: 'ok' },
    });
    expect(res.status).toBe(401);
    expect(res.body.detail).toBe('API key has been revoked');
    expect(s.count()).toBe(before);
  });

  it('when the demo user signs in, then it may read but not administer', async () => {
    const res = await fetch(`${s.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=user&password=userpass',
    });
    const user = ((await res.json()) as { access_token: string }).access_token;
    expect((await s.call('GET', '/api/telemetry?limit=1', { token: user })).status).toBe(200);
    expect((await s.call('GET', '/api/keys', { token: user })).status).toBe(403);
  });
});
