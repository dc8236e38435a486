import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { callStation } from './helpers/http';
import { canDropPrivileges, handOver, makeReadOnly, stationUser } from './helpers/unprivileged';
import { followStation } from './helpers/follow-station';

const ADMIN = { username: 'admin', password: 'readonly-admin-password' };
const cleanups: (() => void)[] = [];
afterEach(() =>
  cleanups
    .splice(0)
    .reverse()
    .forEach((c) => c()),
);

/**
 * The CLI from source as `nobody` when the tests run as root (root ignores file modes; see
 * helpers/unprivileged.ts), on a data dir that user owns.
 */
function serve(dataDir: string) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', 'serve'], {
    ...stationUser,
    env: {
      PATH: process.env.PATH,
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: '0',
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      SERVE_UI: 'false',
      LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => child.kill('SIGKILL'));
  return { child, ...followStation(child) };
}

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'oilfield-ro-'));
  handOver(dir);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function signIn(url: string): Promise<string> {
  const res = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(ADMIN),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

describe.skipIf(!canDropPrivileges)('a data directory the station may not write', () => {
  it('when saving settings is refused by the data directory, then PUT /api/settings answers 503 problem+json naming the cause, and the saved settings are unchanged', async () => {
    const dir = dataDir();
    const station = serve(dir);
    const url = await station.ready;
    const token = await signIn(url);
    const put = (temperature: string) => callStation(url, 'PUT', '/api/settings', { token, body: { units: { temperature, pressure: 'bar' } } });
    expect((await put('F')).status).toBe(200);

    const restore = makeReadOnly(dir);
    cleanups.push(restore);
    const refused = await put('K');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(refused.headers.get('retry-after')).toBe('10');
    expect(refused.body).toEqual({
      type: 'https://smart-oilfield.local/problems/storage-unavailable',
      title: 'Service Unavailable',
      status: 503,
      detail: 'the station has no permission to use a file in its data directory; nothing was changed, retry later',
      code: 'EACCES',
    });
    expect((await callStation(url, 'GET', '/api/settings', { token })).body.units.temperature).toBe('F');

    restore();
    expect((await put('K')).status).toBe(200);
    expect((await callStation(url, 'GET', '/api/settings', { token })).body.units.temperature).toBe('K');
  });

  it('when a background export cannot write its file, then the task fails with the cause in words and without the server path', async () => {
    const dir = dataDir();
    const station = serve(dir);
    const url = await station.ready;
    const token = await signIn(url);
    cleanups.push(makeReadOnly(dir));
    const started = await callStation(url, 'POST', '/api/telemetry/export/async', { token });
    expect(started.status).toBe(202);
    const task = () => callStation(url, 'GET', `/api/tasks/${started.body.task_id}`, { token });
    await expect.poll(async () => (await task()).body.status, { timeout: 30_000, interval: 200 }).toBe('failed');
    const { error } = (await task()).body as { error: string };
    expect(error).toContain('no permission to use a file in its data directory (EACCES)');
    expect(error).not.toContain(dir);
  });

  it('when the database cannot be written at start, then the station exits 1 with a message naming the file and the fix, not a read-only station', async () => {
    const dir = dataDir();
    const first = serve(dir);
    // One answered request first: the SIGTERM handler is installed just after the listening line.
    expect((await fetch(`${await first.ready}/health`)).status).toBe(200);
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);

    cleanups.push(makeReadOnly(dir));
    const second = serve(dir);
    await expect(second.ready).rejects.toThrow(/exited 1/);
    expect(second.output()).toContain(
      `error: the database ${join(dir, 'processed', 'oilfield.db')} cannot be written by this process (SQLITE_READONLY_DIRECTORY): make ${join(dir, 'processed')} and the files in it writable by the user the station runs as, then start it again`,
    );
  });
});
