import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';
import { reportMissingTool } from './missing-tool';

/**
 * Real time-series servers for the InfluxDB tests, each on free loopback ports with a temp dir of
 * its own, so a test may stop and restart it freely. Missing binaries make the suites skip with a
 * notice naming the Debian package.
 */

export function hasBinary(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

/** Logs why a suite is skipped; returns true when it must be. */
export function skipWithoutBinary(binary: string, debianPackage: string): boolean {
  if (hasBinary(binary)) return false;
  reportMissingTool(binary, debianPackage);
  return true;
}

export { freePort };

async function waitFor(url: string, ok: (status: number) => boolean, child: ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      if (ok(res.status)) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not start at ${url}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** A server we can stop and start again on the same port and data. */
abstract class TsdbServer {
  protected child: ChildProcess | undefined;
  readonly dir: string;

  protected constructor(
    readonly port: number,
    prefix: string,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  abstract start(): Promise<void>;

  /** Stops the process (the data stays, so start() brings the same server back). */
  async stop(): Promise<void> {
    await stopChild(this.child);
    this.child = undefined;
  }

  /** Stops and deletes the data. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** VictoriaMetrics: speaks /api/v2/write; read back with /api/v1/export. */
export class VictoriaMetrics extends TsdbServer {
  static async create(): Promise<VictoriaMetrics> {
    const vm = new VictoriaMetrics(await freePort(), 'oilfield-vm-');
    await vm.start();
    return vm;
  }

  async start(): Promise<void> {
    this.child = spawn(
      'victoria-metrics',
      [
        `-httpListenAddr=127.0.0.1:${this.port}`,
        `-storageDataPath=${join(this.dir, 'data')}`,
        '-search.latencyOffset=0s',
        '-search.disableCache',
        '-retentionPeriod=100y',
        '-loggerLevel=ERROR',
      ],
      { stdio: 'ignore' },
    );
    await waitFor(`${this.url}/health`, (s) => s === 200, this.child, 'victoria-metrics');
  }

  /** Every sample of a series selector (e.g. `{__name__=~"telemetry_.*"}`), as JSON lines. */
  async export(match: string): Promise<{ metric: Record<string, string>; values: number[]; timestamps: number[] }[]> {
    await fetch(`${this.url}/internal/force_flush`).then((r) => r.body?.cancel());
    const params = new URLSearchParams({ 'match[]': match, start: '0' });
    const res = await fetch(`${this.url}/api/v1/export?${params}`);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`export failed: ${res.status} ${text}`);
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  }
}

/** InfluxDB 1.6: /write and InfluxQL /query. */
export class InfluxDb1 extends TsdbServer {
  private constructor(
    port: number,
    readonly rpcPort: number,
  ) {
    super(port, 'oilfield-influxd-');
  }

  static async create(): Promise<InfluxDb1> {
    const db = new InfluxDb1(await freePort(), await freePort());
    writeFileSync(
      join(db.dir, 'influxdb.conf'),
      `reporting-disabled = true
bind-address = "127.0.0.1:${db.rpcPort}"
[meta]
  dir = "${join(db.dir, 'meta')}"
[data]
  dir = "${join(db.dir, 'data')}"
  wal-dir = "${join(db.dir, 'wal')}"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:${db.port}"
  log-enabled = false
[logging]
  level = "error"
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
`,
    );
    await db.start();
    return db;
  }

  async start(): Promise<void> {
    this.child = spawn('influxd', ['-config', join(this.dir, 'influxdb.conf')], { stdio: 'ignore' });
    await waitFor(`${this.url}/ping`, (s) => s === 204, this.child, 'influxd');
  }

  async query(db: string, q: string): Promise<any> {
    const res = await fetch(`${this.url}/query?${new URLSearchParams({ db, q, epoch: 'ms' })}`, { method: 'POST' });
    return res.json();
  }
}
