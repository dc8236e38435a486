import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StationChild } from '../../../src/main/station-supervisor';
import { fromStationSchema, type FromStation, type ToStation } from '../../../src/shared/station-protocol';

/** The station entry module the desktop app starts with utilityProcess.fork, run from source. */
const STATION_ENTRY = fileURLToPath(new URL('../../../src/server/entry/station-process.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * The station's own process started with Node's child_process.fork: the same entry module and the
 * same messages as Electron's utilityProcess, another transport (process.send instead of parentPort).
 */
export class ForkedStation implements StationChild {
  readonly child: ChildProcess;
  /** every message it sent, parsed with the protocol's schema */
  readonly messages: FromStation[] = [];
  output = '';
  readonly exited: Promise<{ code: number | null; signal: string | null }>;

  constructor(env: Record<string, string> = {}) {
    this.child = fork(STATION_ENTRY, [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      env: { PATH: process.env.PATH, HOME: process.env.HOME, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const collect = (d: Buffer) => (this.output = (this.output + d.toString()).slice(-50_000));
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    this.child.on('message', (m) => this.messages.push(fromStationSchema.parse(m)));
    // a message sent just as it dies (EPIPE) is lost, as it would be with a utility process
    this.child.on('error', (err) => (this.output += `\n[parent] ${err.message}\n`));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  postMessage(message: ToStation | Record<string, unknown>): void {
    if (this.child.connected) this.child.send(message);
  }

  on(event: 'message' | 'exit', listener: (arg: any) => void): this {
    // Electron's UtilityProcess 'exit' gives the code only; a signal death has none. 'close' comes
    // after the IPC channel closed, so every message the station sent has been delivered by then.
    if (event === 'exit') this.child.on('close', (code) => listener(code));
    else this.child.on('message', listener);
    return this;
  }

  kill(): boolean {
    return this.child.kill('SIGTERM');
  }

  /** the first message of `type` (waits for it); fails with the output if the process exits first */
  async next<T extends FromStation['type']>(type: T): Promise<Extract<FromStation, { type: T }>> {
    const found = () => this.messages.find((m) => m.type === type) as Extract<FromStation, { type: T }> | undefined;
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = found();
        if (m) {
          cleanup();
          resolve(m);
        }
      };
      const onExit = () => setImmediate(() => (found() ? check() : reject(new Error(`exited before '${type}':\n${this.output}`))));
      const cleanup = () => {
        this.child.off('message', check);
        this.child.off('exit', onExit);
      };
      this.child.on('message', check);
      this.child.on('exit', onExit);
      check();
    });
  }
}
