import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { reportMissingTool } from './helpers/missing-tool';
import { hasMosquitto, TestMosquitto } from './helpers/mosquitto';
import { EdgeNode } from './helpers/sparkplug-node';
import { TestStation } from './helpers/station';

const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
if (!hasOpenssl) reportMissingTool('openssl', 'openssl');
const BASE_MS = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;

/** A throwaway CA and a server certificate for 127.0.0.1 (IP SAN), made with openssl. */
function makeCerts(): { ca: string; cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'oilfield-tls-'));
  const run = (...args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  try {
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=oilfield test CA');
    run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
    run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext');
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    return { ca: read('ca.crt'), cert: read('server.crt'), key: read('server.key') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!hasMosquitto || !hasOpenssl)('external broker over mqtts:// with a private CA and a password', () => {
  let broker: TestMosquitto;
  let station: TestStation;
  let admin: string;
  let certs: { ca: string; cert: string; key: string };
  const status = async () => (await station.call('GET', '/api/field/mqtt/status', { token: admin })).body;
  const put = (body: unknown) => station.call('PUT', '/api/field/mqtt', { token: admin, body });

  beforeAll(async () => {
    certs = makeCerts();
    broker = await TestMosquitto.start({ tls: { cert: certs.cert, key: certs.key }, users: { station: 'station-pw', edge: 'edge-pw' } });
    station = await TestStation.start();
    admin = await station.token();
  });
  afterAll(async () => {
    await station?.stop();
    await broker?.dispose();
  });
  const url = () => `mqtts://127.0.0.1:${broker.port}`;

  it('when the CA is not given, then the station does not connect and says why', async () => {
    expect((await put({ mode: 'external', url: url(), username: 'station', password: 'station-pw', host_id: 'tls-host' })).status).toBe(200);
    await vi.waitFor(async () => expect((await status()).last_error).toMatch(/certificate/i), { timeout: 10_000 });
    expect((await status()).connected).toBe(false);
    const test = await station.call('POST', '/api/field/mqtt/test', { token: admin, body: { url: url(), username: 'station', password: 'station-pw' } });
    expect(test.body).toMatchObject({ ok: false, detail: expect.stringMatching(/certificate/i) });
  });

  it('when the password is wrong, then the station does not connect and says why', async () => {
    expect((await put({ mode: 'external', url: url(), username: 'station', password: 'wrong-pw', ca: certs.ca, host_id: 'tls-host' })).status).toBe(200);
    await vi.waitFor(async () => expect((await status()).last_error).toMatch(/not authorized|bad user name or password/i), { timeout: 10_000 });
    expect((await status()).connected).toBe(false);
  });

  it('when the CA and the password are right, then Sparkplug data arrives over TLS', async () => {
    const test = await station.call('POST', '/api/field/mqtt/test', {
      token: admin,
      body: { url: url(), username: 'station', password: 'station-pw', ca: certs.ca },
    });
    expect(test.body).toMatchObject({ ok: true });
    expect((await put({ mode: 'external', url: url(), username: 'station', password: 'station-pw', ca: certs.ca, host_id: 'tls-host' })).status).toBe(200);
    await vi.waitFor(async () => expect((await status()).connected).toBe(true), { timeout: 10_000 });
    // the saved password is kept when the form sends none
    expect((await put({ mode: 'external', url: url(), username: 'station', ca: certs.ca, host_id: 'tls-host' })).body.password_set).toBe(true);
    await vi.waitFor(async () => expect((await status()).connected).toBe(true), { timeout: 10_000 });

    const tlsNode = await EdgeNode.connect(url(), { group: 'T', node: 'N', username: 'edge', password: 'edge-pw', ca: certs.ca });
    await tlsNode.birth(BASE_MS);
    await tlsNode.data(undefined, { Temperature: 42 }, BASE_MS + 1000);
    await expect.poll(() => station.count(`SELECT COUNT(*) FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE d.device_id = 'T:N'`)).toBe(2);
    await tlsNode.close();
  });
});
