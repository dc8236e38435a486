import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stopStationOnQuit } from '../../src/main/quit';
import { describeFailure, desktopStationSettings } from '../../src/main/station-settings';
import { restartDelay, StationStartError, StationSupervisor, type SupervisorEvent } from '../../src/main/station-supervisor';
import { ForkedStation } from './helpers/fork-station';

/** A child that does not behave (see helpers/stubborn-station.mjs), behind the same members as a station. */
function stubborn(mode: 'never-ready' | 'ignore-shutdown' | 'hang') {
  const child = fork(new URL('./helpers/stubborn-station.mjs', import.meta.url), [], { env: { ...process.env, STUBBORN: mode }, stdio: 'ignore' });
  cleanup.push(() => void child.kill('SIGKILL'));
  child.on('error', () => undefined); // a message sent as it dies (EPIPE) is lost, as with a real station
  return {
    child,
    station: {
      pid: child.pid,
      postMessage: (m: unknown) => void (child.connected && child.send(m as object)),
      on: (event: 'message' | 'exit', l: (arg: any) => void) => (event === 'exit' ? child.on('close', (code) => l(code)) : child.on('message', l)),
      kill: () => child.kill('SIGTERM'),
    },
  };
}

/**
 * The main process's side of the station protocol, against the real station entry module started
 * with child_process.fork (Electron's utilityProcess.fork cannot run here; the messages are the same).
 */
const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'oilfield-supervisor-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const BACKOFF = { initialMs: 50, maxMs: 400, stableMs: 60_000 };

function supervise(userDataDir: string, env: Record<string, string> = {}) {
  const events: SupervisorEvent[] = [];
  const children: ForkedStation[] = [];
  const supervisor = new StationSupervisor({
    fork: () => {
      const child = new ForkedStation({ ADMIN_PASSWORD: 'supervisor-admin-pw', LOG_LEVEL: 'warn', ...env });
      children.push(child);
      return child;
    },
    settings: desktopStationSettings({ userDataDir, env }),
    backoff: BACKOFF,
    onEvent: (e) => events.push(e),
  });
  cleanup.push(async () => {
    await supervisor.stop();
    for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  });
  return { supervisor, events, children };
}

const walSize = (db: string) => (existsSync(`${db}-wal`) ? statSync(`${db}-wal`).size : 0);

describe('restartDelay', () => {
  it('when failures repeat, then the wait doubles from the first delay up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => restartDelay(n, { initialMs: 1000, maxMs: 30_000, stableMs: 0 }))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
  });
});

describe('StationSupervisor limits', () => {
  it('when a station never says ready within readyTimeoutMs, then it is killed and the first start fails saying so', async () => {
    const s = stubborn('never-ready');
    const supervisor = new StationSupervisor({ fork: () => s.station, settings: { env: {} }, readyTimeoutMs: 200 });
    const err = (await supervisor.start().catch((e: unknown) => e)) as StationStartError;
    expect(err).toBeInstanceOf(StationStartError);
    expect(err.message).toMatch(/did not become ready/);
    expect(s.child.signalCode).toBe('SIGKILL');
  });

  it('when a running station stops answering, then the watchdog kills it and it is restarted like a crash, saying why', async () => {
    const hung = stubborn('hang');
    const events: SupervisorEvent[] = [];
    let forks = 0;
    const supervisor = new StationSupervisor({
      // the restart only has to happen: any second child will do
      fork: () => (forks++ === 0 ? hung.station : stubborn('ignore-shutdown').station),
      settings: { env: {} },
      watchdog: { intervalMs: 50, timeoutMs: 300 },
      backoff: BACKOFF,
      stopTimeoutMs: 200,
      onEvent: (e) => events.push(e),
    });
    cleanup.push(() => supervisor.stop());
    await supervisor.start();
    await expect
      .poll(() => events.find((e) => e.type === 'crashed'), { timeout: 30_000 })
      .toMatchObject({ fatal: { message: expect.stringMatching(/stopped answering/) }, failures: 1 });
    expect(hung.child.signalCode).toBe('SIGKILL');
    await expect.poll(() => forks, { timeout: 30_000 }).toBe(2);
  });

  it('when a station ignores shutdown beyond stopTimeoutMs, then it is killed and the stop is reported as not clean', async () => {
    const s = stubborn('ignore-shutdown');
    const supervisor = new StationSupervisor({ fork: () => s.station, settings: { env: {} }, stopTimeoutMs: 200 });
    await supervisor.start();
    expect(await supervisor.stop()).toEqual({ clean: false });
    expect(s.child.signalCode).toBe('SIGKILL');
  });
});

describe('StationSupervisor with the station entry forked', () => {
  it('when the station process is killed, then it is restarted with growing backoff, on the same port, with its data', async () => {
    const userData = tempDir();
    const { supervisor, events, children } = supervise(userData);
    const first = await supervisor.start();
    const dev = await fetch(`${first.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'supervisor-admin-pw' }),
    });
    expect(dev.status).toBe(200);

    children[0]!.child.kill('SIGKILL');
    await expect.poll(() => events.filter((e) => e.type === 'ready').length, { timeout: 60_000 }).toBe(2);
    children[1]!.child.kill('SIGKILL');
    await expect.poll(() => events.filter((e) => e.type === 'ready').length, { timeout: 60_000 }).toBe(3);

    const crashes = events.filter((e) => e.type === 'crashed');
    expect(crashes.map((e) => [e.failures, e.restartInMs])).toEqual([
      [1, restartDelay(1, BACKOFF)],
      [2, restartDelay(2, BACKOFF)],
    ]);
    expect(crashes[1]!.restartInMs).toBeGreaterThan(crashes[0]!.restartInMs);
    const readies = events.flatMap((e) => (e.type === 'ready' ? [e] : []));
    expect(readies.map((e) => e.restarts)).toEqual([0, 1, 2]);
    // the window's origin and the URL LAN devices use stay valid across restarts
    expect(new Set(readies.map((e) => e.ready.url))).toEqual(new Set([first.url]));
    expect(new Set(readies.map((e) => e.ready.pid)).size).toBe(3);
    expect(supervisor.current?.url).toBe(first.url);
    // the admin created on the first start is still there: same database
    const again = await fetch(`${first.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'supervisor-admin-pw' }),
    });
    expect(again.status).toBe(200);
  });

  it('when it stops, then the station confirms a clean close, its process exited and the database has no WAL left', async () => {
    const userData = tempDir();
    const { supervisor, events, children } = supervise(userData);
    const ready = await supervisor.start();
    expect(await supervisor.stop()).toEqual({ clean: true });
    expect(children[0]!.child.exitCode).toBe(0);
    expect(walSize(ready.databasePath)).toBe(0);
    expect(events.at(-1)).toEqual({ type: 'stopped', clean: true });
    expect(events.some((e) => e.type === 'crashed')).toBe(false);
  });

  it('when the environment names another DATA_DIR or turns the UI off, then the desktop station still uses userData, with its logs there', async () => {
    const userData = tempDir();
    const { supervisor } = supervise(userData, { DATA_DIR: '/nonexistent/elsewhere', SERVE_UI: 'false' });
    const ready = await supervisor.start();
    expect(ready.dataDir).toBe(userData);
    expect(ready.databasePath).toBe(join(userData, 'processed', 'oilfield.db'));
    expect(ready.logDir).toBe(join(userData, 'logs'));
    expect(desktopStationSettings({ userDataDir: userData, env: { SERVE_UI: 'false' } }).env.SERVE_UI).toBe('true');
  });

  it('when asked for status and diagnostics, then the station answers through the supervisor', async () => {
    const userData = tempDir();
    const { supervisor } = supervise(userData);
    await supervisor.start();
    expect((await supervisor.status()).state).toBe('running');
    const file = join(userData, 'diag.json');
    const saved = await supervisor.saveDiagnostics(file);
    expect(saved.file).toBe(file);
    expect(saved.bytes).toBe(statSync(file).size);
  });

  it('when the port is taken, then the first start fails with a message naming the port and settings.json, and nothing restarts', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => blocker.close(() => r())));
    const port = (blocker.address() as { port: number }).port;
    const userData = tempDir();
    const { supervisor, events, children } = supervise(userData, { PORT: String(port) });
    const err = await supervisor.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StationStartError);
    expect((err as StationStartError).fatal).toMatchObject({ kind: 'port-in-use', port });
    const message = describeFailure((err as StationStartError).fatal, userData);
    expect(message).toContain(`port ${port}`);
    expect(message).toContain(join(userData, 'settings.json'));
    expect(children).toHaveLength(1);
    expect(events).toEqual([]);
  });

  it('when settings.json in userData is invalid, then the first start fails naming the variable and the file to fix', async () => {
    const userData = tempDir();
    writeFileSync(join(userData, 'settings.json'), JSON.stringify({ BODY_LIMIT: 'huge' }));
    const { supervisor } = supervise(userData);
    const err = (await supervisor.start().catch((e: unknown) => e)) as StationStartError;
    expect(err.fatal.kind).toBe('config');
    expect(describeFailure(err.fatal, userData)).toMatch(/BODY_LIMIT[\s\S]*settings\.json/);
  });
});

/** Electron's `app` cannot run here; this stands in for the two calls the quit hook makes. */
function fakeApp() {
  const listeners: ((e: { preventDefault(): void }) => void)[] = [];
  const app = {
    quits: 0,
    on: (_event: 'before-quit', l: (e: { preventDefault(): void }) => void) => void listeners.push(l),
    quit: () => {
      app.quits++;
      emit();
    },
  };
  let prevented = 0;
  const emit = () => {
    let p = false;
    for (const l of listeners) l({ preventDefault: () => void (p = true) });
    if (p) prevented++;
    return p;
  };
  return { app, emit, prevented: () => prevented };
}

describe('stopStationOnQuit', () => {
  it('when the app quits, then quitting waits for the station process to close its database, and the second quit goes through', async () => {
    const userData = tempDir();
    const { supervisor, children } = supervise(userData);
    const ready = await supervisor.start();
    const { app, emit, prevented } = fakeApp();
    const errors: unknown[] = [];
    stopStationOnQuit(app, supervisor, (e) => errors.push(e));

    expect(emit()).toBe(true); // first quit postponed
    expect(emit()).toBe(true); // a second click while stopping is absorbed
    await expect.poll(() => app.quits, { timeout: 30_000 }).toBe(1);
    expect(prevented()).toBe(2); // the re-issued quit was not prevented
    expect(errors).toEqual([]);
    expect(children[0]!.child.exitCode).toBe(0);
    await expect(fetch(`${ready.url}/health`)).rejects.toThrow();
    expect(walSize(ready.databasePath)).toBe(0);
  });

  it('when stopping fails, then the error is reported and the app still quits', async () => {
    const { app, emit } = fakeApp();
    const errors: unknown[] = [];
    stopStationOnQuit(app, { stop: () => Promise.reject(new Error('disk gone')) }, (e) => errors.push(e));
    emit();
    await expect.poll(() => app.quits).toBe(1);
    expect((errors[0] as Error).message).toBe('disk gone');
  });
});
