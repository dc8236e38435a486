import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ForkedStation } from '../main/helpers/fork-station';
import { callStation } from './helpers/http';

/**
 * The station entry module (src/server/entry/station-process.ts) driven by Node's child_process.fork
 * with the protocol's messages, as the desktop app drives it with Electron's utilityProcess.
 */
const ADMIN = { username: 'admin', password: 'entry-admin-password' };
const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'oilfield-entry-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function forkStation(env: Record<string, string> = {}): ForkedStation {
  const station = new ForkedStation({ ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, SERVE_UI: 'false', ...env });
  cleanup.push(async () => {
    if (station.child.exitCode === null && station.child.signalCode === null) station.child.kill('SIGKILL');
    await station.exited;
  });
  return station;
}

async function signIn(url: string): Promise<string> {
  const res = await callStation(url, 'POST', '/token', { body: ADMIN });
  expect(res.status).toBe(200);
  return res.body.access_token as string;
}

async function deviceKey(url: string, token: string): Promise<string> {
  const res = await callStation(url, 'POST', '/api/keys', { token, body: { name: 'entry test rig', role: 'device' } });
  expect(res.status).toBe(201);
  return res.body.key as string;
}

describe('station entry module over child_process.fork', () => {
  it('when told to start, then it says ready with its URL, serves the API, writes its log file and answers status', async () => {
    const dataDir = tempDir();
    const logDir = join(dataDir, 'logs');
    const station = forkStation();
    station.postMessage({ type: 'start', settings: { dataDir, logDir, env: {} } });
    const ready = await station.next('ready');
    expect(ready).toMatchObject({
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      pid: station.pid,
      dataDir,
      databasePath: join(dataDir, 'processed', 'oilfield.db'),
      logDir,
    });
    expect((await fetch(`${ready.url}/health`)).status).toBe(200);

    station.postMessage({ type: 'status', id: 7 });
    const status = await station.next('status');
    expect(status).toMatchObject({ id: 7, state: 'running', url: ready.url });
    expect(status.rssBytes).toBeGreaterThan(0);

    await expect.poll(() => readdirSync(logDir).filter((f) => f.endsWith('.log'))).toEqual(['station.1.log']);
    await expect.poll(() => readFileSync(join(logDir, 'station.1.log'), 'utf8')).toMatch(/"msg":"station listening"/);

    station.postMessage({ type: 'shutdown' });
    await station.next('stopped');
    expect((await station.exited).code).toBe(0);
    expect(readFileSync(join(logDir, 'station.1.log'), 'utf8')).toMatch(/"msg":"station stopped"/);
  });

  it('when shut down with readings in flight, then those it was receiving are answered and stored, nothing acknowledged is lost, the database closes cleanly and it exits 0', async () => {
    const dataDir = tempDir();
    const station = forkStation({ LOG_LEVEL: 'warn' });
    station.postMessage({ type: 'start', settings: { dataDir, env: {} } });
    const { url, databasePath } = await station.next('ready');
    const key = await deviceKey(url, await signIn(url));
    const base = Math.floor(Date.now() / 1000) - 7200;
    type Reading = { device_id: string; ts: number; temperature: number; pressure: number };
    const payload = (i: number): Reading | Reading[] =>
      i % 5 === 0
        ? Array.from({ length: 500 }, (_, j) => ({ device_id: `rig-b${i}`, ts: base + j, temperature: j, pressure: i }))
        : { device_id: 'rig-single', ts: base + i, temperature: i, pressure: 100 };
    const pathOf = (body: Reading | Reading[]) => (Array.isArray(body) ? '/api/telemetry/batch' : '/api/telemetry');
    const acknowledgedStatus = (status: number) => status === 200 || status === 201 || status === 207;

    // In flight for sure: the station has read these requests' headers (it answered 100 Continue)
    // but not their bodies when it is told to stop; the bodies follow the shutdown message.
    const held = Array.from({ length: 30 }, (_, i) => {
      const body = payload(1000 + i);
      const text = JSON.stringify(body);
      const target = new URL(url);
      const req = request({
        host: target.hostname,
        port: target.port,
        path: pathOf(body),
        method: 'POST',
        agent: false,
        headers: { 'x-api-key': key, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), expect: '100-continue' },
      });
      const continued = new Promise<void>((resolve) => req.once('continue', () => resolve()));
      const done = new Promise<{ body: Reading | Reading[]; ok: boolean }>((resolve, reject) => {
        req.once('response', (res) => {
          res.resume();
          res.once('end', () => resolve({ body, ok: acknowledgedStatus(res.statusCode ?? 0) }));
        });
        req.once('error', reject);
      });
      req.flushHeaders();
      return { continued, done, release: () => req.end(text) };
    });
    await Promise.all(held.map((h) => h.continued));

    // ...and a burst racing the shutdown: some get in, some are refused; none may be acknowledged and lost
    const burst = Array.from({ length: 200 }, async (_, i) => {
      const body = payload(i);
      const res = await fetch(`${url}${pathOf(body)}`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      await res.arrayBuffer();
      return { body, ok: acknowledgedStatus(res.status) };
    });
    const burstSettled = Promise.allSettled(burst); // refused ones are expected, never unhandled
    station.postMessage({ type: 'shutdown' });
    held.forEach((h) => h.release());

    const heldResults = await Promise.all(held.map((h) => h.done));
    expect(heldResults.filter((r) => !r.ok)).toEqual([]);
    const burstResults = await burstSettled;
    await station.next('stopped');
    expect((await station.exited).code).toBe(0);

    const acknowledged = [...heldResults, ...burstResults.flatMap((r) => (r.status === 'fulfilled' && r.value.ok ? [r.value] : []))];
    // a clean close checkpoints the WAL into the database file and removes it
    expect(existsSync(`${databasePath}-wal`) ? statSync(`${databasePath}-wal`).size : 0).toBe(0);
    const db = new Database(databasePath, { readonly: true });
    cleanup.push(() => void db.close());
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const find = db.prepare('SELECT COUNT(*) FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE d.device_id = ? AND t.ts = ?').pluck();
    const missing = acknowledged.flatMap(({ body }) =>
      (Array.isArray(body) ? body : [body]).filter((r) => find.get(r.device_id, r.ts * 1000) !== 1).map((r) => `${r.device_id}@${r.ts}`),
    );
    expect(missing).toEqual([]);
  });

  it('when the settings are invalid, then it says fatal with the kind and the variable, and exits 1', async () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ BODY_LIMIT: 'huge' }));
    const station = forkStation();
    station.postMessage({ type: 'start', settings: { dataDir, env: {} } });
    const fatal = await station.next('fatal');
    expect(fatal).toMatchObject({ phase: 'start', kind: 'config', message: expect.stringContaining('BODY_LIMIT') });
    expect((await station.exited).code).toBe(1);
    expect(station.messages.some((m) => m.type === 'ready')).toBe(false);
  });

  it('when its log folder cannot be created, then it still starts, logging to stdout and saying why', async () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'not-a-folder'), '');
    const station = forkStation();
    station.postMessage({ type: 'start', settings: { dataDir, logDir: join(dataDir, 'not-a-folder', 'logs'), env: {} } });
    const ready = await station.next('ready');
    expect(ready.logDir).toBeUndefined();
    expect((await fetch(`${ready.url}/health`)).status).toBe(200);
    expect(station.output).toMatch(/"msg":"log files unavailable; logging to stdout only"/);
  });

  it('when a message is not one of the protocol, then it is ignored and the station keeps serving', async () => {
    const station = forkStation();
    station.postMessage({ type: 'start', settings: { dataDir: tempDir(), env: {} } });
    const { url } = await station.next('ready');
    for (const bad of [
      { type: 'eval', code: 'process.exit(3)' },
      { type: 'start', settings: { dataDir: '/elsewhere', env: { 'lower case': 'x' } } },
      { type: 'status' },
      'shutdown',
      null,
    ]) {
      station.postMessage(bad as Record<string, unknown>);
    }
    station.postMessage({ type: 'status', id: 1 });
    expect((await station.next('status')).state).toBe('running');
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(station.messages.map((m) => m.type)).toEqual(['ready', 'status']);
  });

  it('when the parent goes away, then the station closes its database and exits 0', async () => {
    const station = forkStation();
    station.postMessage({ type: 'start', settings: { dataDir: tempDir(), env: {} } });
    const { databasePath } = await station.next('ready');
    station.child.disconnect();
    expect((await station.exited).code).toBe(0);
    expect(existsSync(`${databasePath}-wal`) ? statSync(`${databasePath}-wal`).size : 0).toBe(0);
  });
});
