import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TestStation } from './helpers/station';

let s: TestStation;
let admin: string;
const file = () => join(s.dataDir, 'settings.json');

beforeAll(async () => {
  s = await TestStation.start();
  admin = await s.token();
});
afterAll(() => s.stop());

describe('GET /api/settings', () => {
  it('when an admin asks, then LAN access is off by default and the running listener is loopback', async () => {
    const res = await s.call('GET', '/api/settings', { token: admin });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ lan_access: false, running: { host: '127.0.0.1', lan_access: false }, restart_required: [], device_urls: [] });
    expect(res.body.running.port).toBe(s.station.port);
    expect(Array.isArray(res.body.addresses)).toBe(true);
    expect(res.body.units).toEqual({ temperature: 'C', pressure: 'kPa' });
  });

  it('when an engineer or nobody asks, then 403 and 401', async () => {
    const engineer = await s.userToken();
    expect((await s.call('GET', '/api/settings', { token: engineer })).status).toBe(403);
    expect((await s.call('GET', '/api/settings')).status).toBe(401);
  });
});

describe('PUT /api/settings', () => {
  it('when LAN access is turned on, then HOST 0.0.0.0 is saved (mode 0600), a restart is required, and it is audited', async () => {
    const res = await s.call('PUT', '/api/settings', { token: admin, body: { lan_access: true, units: { temperature: 'F', pressure: 'psi' } } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ lan_access: true, host: '0.0.0.0', restart_required: ['HOST'], units: { temperature: 'F', pressure: 'psi' } });
    const saved = JSON.parse(readFileSync(file(), 'utf8'));
    expect(saved).toMatchObject({ HOST: '0.0.0.0', UI_TEMPERATURE_UNIT: 'F', UI_PRESSURE_UNIT: 'psi' });
    expect(statSync(file()).mode & 0o777).toBe(0o600);
    const audit = await s.call('GET', '/api/audit?action=settings.update', { token: admin });
    expect(audit.body.items[0].detail.changed).toEqual(expect.arrayContaining(['HOST', 'UI_TEMPERATURE_UNIT']));
  });

  it('when LAN access is turned off again, then nothing needs a restart: the saved listener is the running one', async () => {
    const res = await s.call('PUT', '/api/settings', { token: admin, body: { lan_access: false } });
    expect(res.body).toMatchObject({ lan_access: false, host: '127.0.0.1', restart_required: [] });
    expect(JSON.parse(readFileSync(file(), 'utf8')).HOST).toBe('127.0.0.1');
  });

  it('when a Redis URL with a password is saved, then it is returned masked and the masked form does not overwrite it', async () => {
    await s.call('PUT', '/api/settings', { token: admin, body: { redis_url: 'redis://:s3cret@127.0.0.1:6390/0' } });
    const res = await s.call('GET', '/api/settings', { token: admin });
    expect(res.body.redis_url).toBe('redis://:****@127.0.0.1:6390/0');
    await s.call('PUT', '/api/settings', { token: admin, body: { redis_url: res.body.redis_url } });
    expect(JSON.parse(readFileSync(file(), 'utf8')).REDIS_URL).toBe('redis://:s3cret@127.0.0.1:6390/0');
    expect(res.text).not.toContain('s3cret');
  });

  it('when values are invalid, then 422 names the fields and nothing is saved', async () => {
    const before = readFileSync(file(), 'utf8');
    for (const body of [
      { port: 70000 },
      { redis_url: 'http://x' },
      { lan_access: 'yes' },
      { influx_url: 'ftp://x' },
      { nope: 1 },
      { units: { temperature: 'X', pressure: 'psi' } },
    ]) {
      const res = await s.call('PUT', '/api/settings', { token: admin, body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.errors.length).toBeGreaterThan(0);
    }
    expect((await s.call('PUT', '/api/settings', { token: admin, raw: 'lan_access=1', type: 'text/plain' })).status).toBe(415);
    expect((await s.call('PUT', '/api/settings', { token: admin, raw: '{bad', type: 'application/json' })).status).toBe(400);
    expect(readFileSync(file(), 'utf8')).toBe(before);
  });

  it('when an engineer tries to change settings, then 403 and nothing is saved', async () => {
    const before = existsSync(file()) ? readFileSync(file(), 'utf8') : '';
    const engineer = await s.userToken();
    expect((await s.call('PUT', '/api/settings', { token: engineer, body: { lan_access: false } })).status).toBe(403);
    expect(readFileSync(file(), 'utf8')).toBe(before);
  });
});

describe('POST /api/settings/test', () => {
  const closedPort = async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    return port;
  };

  it('when nothing listens at the InfluxDB URL, then the test answers ok false with the reason', async () => {
    const res = await s.call('POST', '/api/settings/test', { token: admin, body: { kind: 'influx', url: `http://127.0.0.1:${await closedPort()}` } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: false });
    expect(res.body.detail).toMatch(/^no InfluxDB answered at 127\.0\.0\.1:\d+$/);
  });

  /** A listener that accepts connections and never says a word; it records when each is closed. */
  const silentListener = async () => {
    const sockets: { closed: boolean }[] = [];
    const server = createNetServer((socket) => {
      const entry = { closed: false };
      sockets.push(entry);
      socket.on('close', () => (entry.closed = true));
      socket.on('error', () => undefined);
      socket.resume(); // read and drop what the client sends, so its close is seen
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    return { port, sockets, close: () => new Promise<void>((r) => server.close(() => r())) };
  };

  it('when a Redis or InfluxDB listener never answers, then the test gives up, closes its connection, and says the same as for a closed port', async () => {
    const silent = await silentListener();
    try {
      const redis = await s.call('POST', '/api/settings/test', { token: admin, body: { kind: 'redis', url: `redis://127.0.0.1:${silent.port}` } });
      expect(redis.body).toEqual({ ok: false, detail: `no Redis answered at 127.0.0.1:${silent.port}` });
      const influx = await s.call('POST', '/api/settings/test', { token: admin, body: { kind: 'influx', url: `http://127.0.0.1:${silent.port}` } });
      expect(influx.body).toEqual({ ok: false, detail: `no InfluxDB answered at 127.0.0.1:${silent.port}` });
      await vi.waitFor(
        () => {
          expect(silent.sockets.length).toBeGreaterThanOrEqual(2);
          expect(silent.sockets.every((c) => c.closed)).toBe(true);
        },
        { timeout: 10_000, interval: 100 },
      );
    } finally {
      await silent.close();
    }
  });

  it('when an HTTP server that is not InfluxDB answers with a body, then the body is not passed on', async () => {
    const web = createServer((_req, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('internal secret: db password is hunter2'));
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    try {
      const { port } = web.address() as AddressInfo;
      const res = await s.call('POST', '/api/settings/test', { token: admin, body: { kind: 'influx', url: `http://127.0.0.1:${port}` } });
      expect(res.body).toEqual({ ok: false, detail: `the server at 127.0.0.1:${port} answered HTTP 500, not like InfluxDB` });
    } finally {
      await new Promise<void>((r) => web.close(() => r()));
    }
  });

  it.each([
    ['redis', 'redis://127.0.0.1:6379/?path=/var/run/redis.sock'],
    ['redis', 'redis:///var/run/redis.sock'],
    ['redis', 'redis://127.0.0.1:6379/0#x'],
    ['redis', 'unix:///var/run/redis.sock'],
    ['influx', 'file:///etc/passwd'],
    ['influx', 'http://127.0.0.1:8086/?q=drop'],
    ['influx', 'gopher://127.0.0.1:70'],
  ])('when a %s test names %s, then 422 and nothing is contacted', async (kind, url) => {
    const res = await s.call('POST', '/api/settings/test', { token: admin, body: { kind, url } });
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(/url/);
  });

  it('when nothing listens at the Redis URL, then the test says so without failing the request', async () => {
    const res = await s.call('POST', '/api/settings/test', { token: admin, body: { kind: 'redis', url: `redis://127.0.0.1:${await closedPort()}` } });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(false);
  });

  it('when the kind or URL is wrong, then 422', async () => {
    expect((await s.call('POST', '/api/settings/test', { token: admin, body: { kind: 'mysql', url: 'x' } })).status).toBe(422);
    expect((await s.call('POST', '/api/settings/test', { token: admin, body: { kind: 'redis', url: 'javascript:alert(1)' } })).status).toBe(422);
  });
});
