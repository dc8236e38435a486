import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { followStation } from './helpers/follow-station';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Runs the headless CLI from source, as `npm run serve` runs the bundle. */
function serve(env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'oilfield-cli-'));
  dirs.push(dataDir);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', 'serve'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { child, ...followStation(child), dataDir };
}

describe('npm run serve (cli serve)', () => {
  it('when started on a fresh data dir, then it prints a one-time admin password, serves /health, and stops cleanly on SIGTERM', async () => {
    const s = serve({});
    const url = await s.ready;
    expect(s.output()).toMatch(/password: \S{12,}/);
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    await fetch(`${url}/api/telemetry`);
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
    expect(s.output()).toMatch(/"msg":"GET \/api\/telemetry 401 \d+ms"/);
    expect(s.output()).toMatch(/station stopped/);
  });

  it('when the configuration is invalid, then it exits 1 naming the variable', async () => {
    const s = serve({ PORT: 'not-a-port' });
    await expect(s.ready).rejects.toThrow(/PORT/);
    expect(await s.exit).toBe(1);
  });
});

describe('npm run worker (cli worker) when Redis is not there', () => {
  /** A port nothing listens on: bound, then closed. */
  const closedPort = async () => {
    const { createServer } = await import('node:net');
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((r) => probe.close(() => r()));
    return port;
  };

  async function worker(env: Record<string, string>) {
    const dataDir = mkdtempSync(join(tmpdir(), 'oilfield-worker-'));
    dirs.push(dataDir);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', 'worker'], {
      env: { ...process.env, DATA_DIR: dataDir, REDIS_URL: `redis://127.0.0.1:${await closedPort()}`, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await vi.waitFor(() => expect(out).toMatch(/waiting for Redis/), { timeout: 20_000, interval: 100 });
    return { child, exit, output: () => out };
  }

  it('when it gets SIGTERM, then it says it never got ready and exits within its shutdown time plus a grace', async () => {
    const w = await worker({ WORKER_SHUTDOWN_TIMEOUT_MS: '1000' });
    await new Promise((r) => setTimeout(r, 500));
    expect(w.output()).not.toMatch(/ready \(/);
    w.child.kill('SIGTERM');
    expect([0, 1]).toContain(await w.exit);
    expect(w.output()).toMatch(/worker stopping/);
  });

  it('when a second signal comes while it waits for the running jobs, then it exits at once', async () => {
    const w = await worker({ WORKER_SHUTDOWN_TIMEOUT_MS: '600000' });
    w.child.kill('SIGTERM');
    await vi.waitFor(() => expect(w.output()).toMatch(/worker stopping/), { timeout: 10_000, interval: 50 });
    w.child.kill('SIGINT');
    expect(await w.exit).toBe(1);
    expect(w.output()).toMatch(/second signal: exiting now/);
  });
});

describe('help and usage errors', () => {
  /** Runs the CLI from source to its end; returns the exit code and what it printed. */
  const run = (args: string[]) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'oilfield-cli-help-'));
      dirs.push(dataDir);
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', ...args], {
        env: { ...process.env, DATA_DIR: dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.once('exit', (code) => resolve({ code, out, err }));
    });

  it.each([['--help'], ['help'], ['serve', '--help'], ['seed', '--help'], ['train', '--help'], ['worker', '-h'], ['migrate', '--help']])(
    'when asked for %s %s, then it prints usage and exits 0 without doing anything',
    async (...args) => {
      const { code, out, err } = await run(args);
      expect(code).toBe(0);
      expect(out).toMatch(/^usage: smart-oilfield/);
      expect(err).toBe('');
      expect(out).not.toMatch(/listening on|sample reading:|schema \d+ ->|waiting for Redis/);
    },
  );

  it('when an option is unknown or a command does not exist, then one line says so and the exit code is 2', async () => {
    const option = await run(['seed', '--bogus']);
    expect(option.code).toBe(2);
    expect(option.err).toBe("error: Unknown option '--bogus' (see smart-oilfield seed --help)\n");
    const command = await run(['bogus']);
    expect(command.code).toBe(2);
    expect(command.err).toMatch(/^error: unknown command "bogus"/);
    expect(command.err).not.toMatch(/\n\s+at /);
  });
});
