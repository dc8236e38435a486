import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { seededRandom } from '../../../src/shared/random';
import { callStation, type Call, type Reply } from '../../server/helpers/http';
import type { SpawnUser } from '../../server/helpers/unprivileged';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const CLI = join(ROOT, 'out/main/cli.js');
export const ADMIN = { username: 'admin', password: 'reliability-admin-pw' };

export type { Reply };

/**
 * The built station as a real child process (`node out/main/cli.js serve`) on 127.0.0.1 with
 * PORT=0: it prints its URL, which we read. The data dir outlives restarts, so a test can kill
 * the process with SIGKILL and start it again on the same database.
 */
export class StationProcess {
  child?: ChildProcess;
  url = '';
  output = '';

  constructor(
    readonly dataDir = mkdtempSync(join(tmpdir(), 'oilfield-rel-')),
    readonly env: Record<string, string> = {},
    /** run the station as this user (the test runner must be root); see test/server/helpers/unprivileged.ts */
    readonly user?: SpawnUser,
  ) {}

  get dbPath(): string {
    return join(this.dataDir, 'processed', 'oilfield.db');
  }

  get pid(): number {
    return this.child!.pid!;
  }

  /** `nodeArgs` go before the script (the benchmarks preload an event-loop probe with --import). */
  async start(extraEnv: Record<string, string> = {}, nodeArgs: string[] = []): Promise<this> {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build (npm run test:reliability does it)`);
    this.output = '';
    const child = spawn(process.execPath, [...nodeArgs, CLI, 'serve'], {
      cwd: ROOT,
      ...this.user,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DATA_DIR: this.dataDir,
        HOST: '127.0.0.1',
        PORT: '0',
        ADMIN_USERNAME: ADMIN.username,
        ADMIN_PASSWORD: ADMIN.password,
        SERVE_UI: 'false',
        LOG_LEVEL: 'error',
        ...this.env,
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000)));
    child.stderr!.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000)));
    this.url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`station did not start:\n${this.output}`)), 30_000);
      const onData = () => {
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(this.output);
        if (m) {
          clearTimeout(timer);
          child.stdout!.off('data', onData);
          resolveUrl(m[1]!);
        }
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`station exited (${code ?? signal}) before listening:\n${this.output}`));
      });
    });
    return this;
  }

  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves once the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    await gone;
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
  }

  async remove(): Promise<void> {
    await this.kill('SIGKILL');
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Resident set size of the station process in bytes, from /proc. */
  rss(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return kb * 1024;
  }

  call<T = any>(method: string, path: string, c: Call = {}): Promise<Reply<T>> {
    return callStation<T>(this.url, method, path, c);
  }

  async token(): Promise<string> {
    const res = await fetch(`${this.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(ADMIN),
    });
    if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  async key(role: 'admin' | 'user' | 'device' = 'device', devices?: string[]): Promise<string> {
    const res = await this.call('POST', '/api/keys', { token: await this.token(), body: { name: `reliability ${role}`, role, devices } });
    if (res.status !== 201) throw new Error(`create key failed: ${res.status} ${res.text}`);
    return res.body.key as string;
  }

  /** Opens the station's database from the test (WAL lets it read beside the running station). */
  openDb(readonly = true): Database.Database {
    const db = new Database(this.dbPath, { readonly, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    return db;
  }
}

/** A small deterministic PRNG (mulberry32), so a failing run can be replayed from its seed. */
export const prng = seededRandom;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
