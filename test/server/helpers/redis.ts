import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './ports';
import { reportMissingTool } from './missing-tool';
import { stopChild } from './child';

/** Whether Debian's `redis-server` is installed; suites that need it skip with a notice otherwise. */
export const hasRedisServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasRedisServer) reportMissingTool('redis-server', 'redis-server');

export { freePort };

/**
 * A private redis-server on 127.0.0.1 and a free port, with no persistence and its own temp dir.
 * Never the machine's shared Redis: fault tests stop and cut this one freely.
 */
export class TestRedis {
  private constructor(
    readonly port: number,
    private proc: ChildProcess | undefined,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(port?: number): Promise<TestRedis> {
    const dir = mkdtempSync(join(tmpdir(), 'oilfield-redis-'));
    const r = new TestRedis(port ?? (await freePort()), undefined, dir);
    await r.launch();
    return r;
  }

  private async launch(): Promise<void> {
    const proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${out}`));
      });
    });
    proc.stdout!.resume();
    proc.removeAllListeners('exit');
  }

  /** Stops the server (the data is gone: no persistence), keeping the port for `restart()`. */
  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    await stopChild(proc, 'SIGKILL');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** A client of this server, for assertions and fault injection (CLIENT KILL). */
  client(): Redis {
    return new Redis(this.url, { maxRetriesPerRequest: 1, lazyConnect: false });
  }

  /** Drops every normal client connection except the one issuing the command. */
  async killClients(): Promise<number> {
    const c = this.client();
    try {
      return Number(await c.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes'));
    } finally {
      c.disconnect();
    }
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
