import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claimSingleInstance, focusWindow } from '../../src/main/single-instance';
import { closeStationOnQuit, describeStartError, startDesktopStation, waitForHealth } from '../../src/main/station-lifecycle';
import { ConfigError } from '../../src/server/config';
import { DatabaseNotWritableError } from '../../src/server/db/open';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'oilfield-desktop-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const env = { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent' };

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

describe('startDesktopStation', () => {
  it('when started on a fresh userData folder, then the station answers /health, keeps its data there and creates no admin', async () => {
    const userData = tempDir();
    const station = await startDesktopStation({ userDataDir: userData, env });
    cleanup.push(() => station.close());
    expect((await fetch(`${station.url}/health`)).status).toBe(200);
    expect(station.config.databasePath).toBe(join(userData, 'processed', 'oilfield.db'));
    expect(station.db.prepare('SELECT COUNT(*) FROM users').pluck().get()).toBe(0);
  });

  it('when the environment names another DATA_DIR or turns the UI off, then the desktop app still uses its userData folder and serves the UI', async () => {
    const userData = tempDir();
    const station = await startDesktopStation({ userDataDir: userData, env: { ...env, DATA_DIR: '/nonexistent/elsewhere', SERVE_UI: 'false' } });
    cleanup.push(() => station.close());
    expect(station.config.dataDir).toBe(userData);
    expect(station.config.serveUi).toBe(true);
  });

  it('when a dev renderer origin is given, then it joins the configured CORS origins', async () => {
    const station = await startDesktopStation({ userDataDir: tempDir(), env: { ...env, CORS_ORIGINS: 'http://a.example' }, extraCorsOrigins: ['http://localhost:5173'] });
    cleanup.push(() => station.close());
    expect(station.config.corsOrigins).toEqual(['http://a.example', 'http://localhost:5173']);
  });

  it('when settings.json in userData is invalid, then start fails with a ConfigError naming the variable', async () => {
    const userData = tempDir();
    writeFileSync(join(userData, 'settings.json'), JSON.stringify({ BODY_LIMIT: 'huge' }));
    const err = await startDesktopStation({ userDataDir: userData, env }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(describeStartError(err, userData)).toMatch(/BODY_LIMIT[\s\S]*settings\.json/);
  });

  it('when the database cannot be written, then the message names the file and the permission fix, not settings.json', () => {
    const userData = tempDir();
    const file = join(userData, 'processed', 'oilfield.db');
    const err = new DatabaseNotWritableError(`the database ${file} cannot be written by this process (SQLITE_READONLY): make it writable, then start it again`);
    const message = describeStartError(err, userData);
    expect(message).toContain(file);
    expect(message).toContain('writable');
    expect(message).not.toContain('settings.json');
  });

  it('when the port is taken, then start fails and the message says which port and how to change it', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => blocker.close(() => r())));
    const port = (blocker.address() as { port: number }).port;
    const userData = tempDir();
    const err = await startDesktopStation({ userDataDir: userData, env: { ...env, PORT: String(port) } }).catch((e: unknown) => e);
    expect((err as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
    const message = describeStartError(err, userData);
    expect(message).toContain(String(port));
    expect(message).toContain(join(userData, 'settings.json'));
  });
});

describe('closeStationOnQuit', () => {
  it('when the app quits, then quitting waits for the station to close, and the second quit goes through', async () => {
    const station = await startDesktopStation({ userDataDir: tempDir(), env });
    const { app, emit, prevented } = fakeApp();
    const errors: unknown[] = [];
    closeStationOnQuit(app, station, (e) => errors.push(e));

    expect(emit()).toBe(true); // first quit postponed
    expect(emit()).toBe(true); // a second click while closing is absorbed, not a second close
    await vi_waitFor(() => app.quits === 1);
    expect(prevented()).toBe(2); // the re-issued quit was not prevented
    expect(errors).toEqual([]);
    await expect(fetch(`${station.url}/health`)).rejects.toThrow();
    expect(station.db.open).toBe(false);
  });

  it('when closing fails, then the error is reported and the app still quits', async () => {
    const { app, emit } = fakeApp();
    const errors: unknown[] = [];
    closeStationOnQuit(app, { close: () => Promise.reject(new Error('disk gone')) }, (e) => errors.push(e));
    emit();
    await vi_waitFor(() => app.quits === 1);
    expect((errors[0] as Error).message).toBe('disk gone');
  });
});

describe('waitForHealth', () => {
  it('when nothing listens, then it gives up with a message naming the URL', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    await new Promise<void>((r) => blocker.close(() => r()));
    await expect(waitForHealth(`http://127.0.0.1:${port}`, 300, 50)).rejects.toThrow(`http://127.0.0.1:${port}`);
  });
});

describe('single instance', () => {
  it('when another instance holds the lock, then this one quits and registers nothing', () => {
    const calls: string[] = [];
    const app = { requestSingleInstanceLock: () => false, on: () => calls.push('on'), quit: () => calls.push('quit') };
    expect(claimSingleInstance(app, () => {})).toBe(false);
    expect(calls).toEqual(['quit']);
  });

  it('when this is the first instance, then a second launch brings its window forward', () => {
    let onSecond: (() => void) | undefined;
    const app = { requestSingleInstanceLock: () => true, on: (_e: 'second-instance', l: () => void) => void (onSecond = l), quit: () => {} };
    const win = { minimized: true, calls: [] as string[], isDestroyed: () => false, isMinimized: () => win.minimized, restore: () => win.calls.push('restore'), show: () => win.calls.push('show'), focus: () => win.calls.push('focus') };
    expect(claimSingleInstance(app, () => focusWindow(win))).toBe(true);
    onSecond?.();
    expect(win.calls).toEqual(['restore', 'show', 'focus']);
  });

  it('when there is no window yet or it was closed, then focusing does nothing', () => {
    expect(() => focusWindow(null)).not.toThrow();
    const closed = { isDestroyed: () => true, isMinimized: () => { throw new Error('touched a destroyed window'); }, restore() {}, show() {}, focus() {} };
    expect(() => focusWindow(closed)).not.toThrow();
  });
});

async function vi_waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(cond()).toBe(true);
}
