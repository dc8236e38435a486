import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportMissingTool } from './missing-tool';
import { freePort } from './ports';
import { stopChild } from './child';

/** Debian's mosquitto (/usr/sbin is not always on PATH). */
const BINARY = ['mosquitto', '/usr/sbin/mosquitto'].find((b) => spawnSync(b, ['-h'], { stdio: 'ignore' }).error === undefined);
export const hasMosquitto = BINARY !== undefined;
if (!hasMosquitto) reportMissingTool('mosquitto', 'mosquitto');

/**
 * A private mosquitto on 127.0.0.1 and a free port, with its own config file and temp dir; never
 * the machine's broker on 1883. `persistent` keeps sessions and queued messages across restart().
 */
export class TestMosquitto {
  private proc: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /**
   * `tls`: PEM files for an mqtts:// listener; `users`: a password file, and anonymous clients refused.
   */
  static async start(options: { persistent?: boolean; tls?: { cert: string; key: string }; users?: Record<string, string> } = {}): Promise<TestMosquitto> {
    const dir = mkdtempSync(join(tmpdir(), 'oilfield-mosquitto-'));
    const m = new TestMosquitto(await freePort(), dir);
    const lines = [
      `listener ${m.port} 127.0.0.1`,
      `allow_anonymous ${options.users ? 'false' : 'true'}`,
      `persistence ${options.persistent ? 'true' : 'false'}`,
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'max_queued_messages 100000',
    ];
    if (options.persistent) lines.push(`persistence_location ${dir}/`, 'autosave_interval 1');
    if (options.tls) {
      writeFileSync(join(dir, 'server.crt'), options.tls.cert);
      writeFileSync(join(dir, 'server.key'), options.tls.key);
      lines.push(`certfile ${join(dir, 'server.crt')}`, `keyfile ${join(dir, 'server.key')}`);
    }
    if (options.users) {
      const file = join(dir, 'passwd');
      writeFileSync(file, '');
      for (const [user, password] of Object.entries(options.users)) {
        const r = spawnSync('mosquitto_passwd', ['-b', file, user, password]);
        if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr}`);
      }
      lines.push(`password_file ${file}`);
    }
    writeFileSync(join(dir, 'mosquitto.conf'), `${lines.join('\n')}\n`);
    // started as root, mosquitto drops to its own user, which must read these test-only files
    chmodSync(dir, 0o755);
    if (options.tls) for (const f of ['server.crt', 'server.key']) chmodSync(join(dir, f), 0o644);
    if (options.users) chmodSync(join(dir, 'passwd'), 0o644);
    await m.launch();
    return m;
  }

  private async launch(): Promise<void> {
    const proc = spawn(BINARY!, ['-c', join(this.dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = proc;
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    // ready when the port accepts connections
    const { connect } = await import('node:net');
    for (let i = 0; i < 100; i++) {
      if (proc.exitCode !== null) throw new Error(`mosquitto exited with ${proc.exitCode}: ${err}`);
      const ok = await new Promise<boolean>((resolve) => {
        const s = connect(this.port, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      });
      if (ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`mosquitto did not start on ${this.port}: ${err}`);
  }

  /** Stops the broker (SIGTERM: a persistent one saves its sessions), keeping the port for restart(). */
  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    await stopChild(proc, 'SIGTERM');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
