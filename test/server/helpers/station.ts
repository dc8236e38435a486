import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Env } from '../../../src/server/config';
import { createLogger } from '../../../src/server/logger';
import { startStation, type Station } from '../../../src/server/station';
import type { Db } from '../../../src/server/db/open';
import { callStation, type Call, type Reply } from './http';

export const ADMIN = { username: 'admin', password: 'admin-password-for-tests' };
export const ENGINEER = { username: 'engineer', password: 'engineer-password-1' };

export type { Call, Reply };

/**
 * A real station on 127.0.0.1, port 0, with its own temporary data dir and an admin created
 * from ADMIN_PASSWORD. Every test file gets a fresh one; `stop()` removes everything.
 */
export class TestStation {
  private constructor(
    readonly station: Station,
    readonly dataDir: string,
  ) {}

  static async start(env: Env = {}): Promise<TestStation> {
    const dataDir = mkdtempSync(join(tmpdir(), 'oilfield-test-'));
    const config = loadConfig(
      {},
      { DATA_DIR: dataDir, PORT: 0, HOST: '127.0.0.1', ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, SERVE_UI: 'false', ...env },
    );
    const station = await startStation(config, { logger: createLogger('silent') });
    return new TestStation(station, dataDir);
  }

  get url(): string {
    return this.station.url;
  }

  get db(): Db {
    return this.station.db;
  }

  async stop(): Promise<void> {
    await this.station.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  call<T = any>(method: string, path: string, c: Call = {}): Promise<Reply<T>> {
    return callStation<T>(this.url, method, path, c);
  }

  async token(user = ADMIN): Promise<string> {
    const res = await fetch(`${this.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: user.username, password: user.password }),
    });
    if (res.status !== 200) throw new Error(`sign-in as ${user.username} failed: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  /** Creates a user through the API (as admin) and returns its token. */
  async userToken(user = ENGINEER, role: 'admin' | 'user' = 'user'): Promise<string> {
    const admin = await this.token();
    const res = await this.call('POST', '/api/users', { token: admin, body: { ...user, role } });
    if (res.status !== 201 && res.status !== 409) throw new Error(`create user failed: ${res.status} ${res.text}`);
    return this.token(user);
  }

  /** Creates an API key through the API (as admin) and returns the secret. */
  async key(role: 'admin' | 'user' | 'device' = 'device', devices?: string[]): Promise<string> {
    const admin = await this.token();
    const res = await this.call('POST', '/api/keys', { token: admin, body: { name: `test ${role} key`, role, devices } });
    if (res.status !== 201) throw new Error(`create key failed: ${res.status} ${res.text}`);
    return res.body.key as string;
  }

  count(sql = 'SELECT COUNT(*) FROM telemetry'): number {
    return this.db.prepare(sql).pluck().get() as number;
  }
}

/** Unix seconds for "n minutes ago", a timestamp every validator accepts. */
export const minutesAgo = (n: number, base = Date.now()) => Math.floor(base / 1000) - n * 60;
