import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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
