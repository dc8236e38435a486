import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CLI = join(ROOT, 'out/main/cli.js');
export const ADMIN = { username: 'admin', password: 'e2e-admin-password' };

/**
 * The built headless station (`node out/main/cli.js serve`) with SERVE_UI on, a temp data dir and
 * PORT=0; the URL is read from its first line of output. `npm run test:e2e` builds first.
 */
export class UiStation {
  private child?: ChildProcess;
  url = '';
  output = '';
  readonly dataDir = mkdtempSync(join(tmpdir(), 'oilfield-e2e-'));

  async start(env: Record<string, string> = {}): Promise<this> {
    if (!existsSync(CLI) || !existsSync(join(ROOT, 'out/renderer/index.html'))) {
      throw new Error('out/main/cli.js or out/renderer is missing: run npm run build (npm run test:e2e does it)');
    }
    const child = spawn(process.execPath, [CLI, 'serve'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DATA_DIR: this.dataDir,
        HOST: '127.0.0.1',
        PORT: '0',
        ADMIN_USERNAME: ADMIN.username,
        ADMIN_PASSWORD: ADMIN.password,
        SERVE_UI: 'true',
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const collect = (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000));
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    this.url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`station did not start:\n${this.output}`)), 60_000);
      const check = () => {
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(this.output);
        if (m) {
          clearTimeout(timer);
          child.stdout!.off('data', check);
          resolve(m[1]!);
        }
      };
      child.stdout!.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`station exited (${code}) before listening:\n${this.output}`));
      });
    });
    return this;
  }

  async token(user = ADMIN): Promise<string> {
    const res = await fetch(`${this.url}/token`, { method: 'POST', body: new URLSearchParams(user) });
    if (!res.ok) throw new Error(`sign-in failed: ${res.status}`);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  async api(method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(this.url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      });
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
