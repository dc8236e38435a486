import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { vi } from 'vitest';
import { reportMissingTool } from './missing-tool';
import { freePort } from './ports';
import { killAndWait, outputOf, PYTHON, SERVER_PY, spawnReady, type UnitData } from './modbus-server';

export { words, type UnitData } from './modbus-server';

/**
 * Real Modbus peers for tests: Debian's pymodbus (3.0) as the server over TCP or RTU, Debian's
 * socat for a virtual serial pair, Debian's mbpoll as an independent client.
 */

/** True when every tool is here; otherwise skips with a notice (or, under CI, throws). */
export function modbusToolsAvailable(): boolean {
  const py = spawnSync(PYTHON, ['-c', 'import pymodbus.server, serial'], { stdio: 'ignore' });
  if (py.status !== 0) {
    reportMissingTool('pymodbus (with pyserial)', 'python3-pymodbus python3-serial python3-serial-asyncio');
    return false;
  }
  for (const [bin, pkg] of [
    ['mbpoll', 'mbpoll'],
    ['socat', 'socat'],
  ] as const) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status !== 0) {
      reportMissingTool(bin, pkg);
      return false;
    }
  }
  return true;
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

/** A pymodbus TCP server on a free loopback port; `kill()` and `start()` again for fault tests. */
export class ModbusTcpServer {
  private child: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    private readonly units: Record<number, UnitData>,
  ) {}

  static async start(units: Record<number, UnitData>): Promise<ModbusTcpServer> {
    const server = new ModbusTcpServer(await freePort(), units);
    await server.start();
    return server;
  }

  async start(): Promise<void> {
    this.child = await spawnReady(PYTHON, ['-c', SERVER_PY, 'tcp', JSON.stringify({ port: this.port, units: this.units })], 'ready');
    await vi.waitFor(
      async () => {
        if (!(await accepts(this.port))) throw new Error(`pymodbus is not listening on ${this.port} yet: ${outputOf(this.child!)}`);
      },
      { timeout: 15_000, interval: 50 },
    );
  }

  kill(): Promise<void> {
    return killAndWait(this.child);
  }
}

/** A virtual serial pair (socat): the station opens `a`, the RTU server `b`. */
export class SerialPair {
  private child: ChildProcess | undefined;
  readonly a: string;
  readonly b: string;

  constructor(dir: string) {
    this.a = join(dir, 'ttyA');
    this.b = join(dir, 'ttyB');
  }

  async start(): Promise<void> {
    this.child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`], { stdio: 'ignore' });
    await vi.waitFor(
      () => {
        if (!existsSync(this.a) || !existsSync(this.b)) throw new Error('socat has not made the pair yet');
      },
      { timeout: 10_000, interval: 20 },
    );
  }

  /** Removes the pair, as when a USB adapter is pulled out. */
  async kill(): Promise<void> {
    await killAndWait(this.child);
    await vi.waitFor(
      () => {
        if (existsSync(this.a)) throw new Error('socat has not removed its links yet');
      },
      { timeout: 10_000, interval: 20 },
    );
  }
}

/** A pymodbus RTU server on one end of a serial pair. */
export class ModbusRtuServer {
  private child: ChildProcess | undefined;
  constructor(
    private readonly path: string,
    private readonly units: Record<number, UnitData>,
    private readonly baud = 9600,
  ) {}

  async start(): Promise<void> {
    this.child = await spawnReady(PYTHON, ['-c', SERVER_PY, 'rtu', JSON.stringify({ path: this.path, baud: this.baud, units: this.units })], 'ready');
  }

  kill(): Promise<void> {
    return killAndWait(this.child);
  }
}

/** Runs mbpoll once against a loopback TCP server and returns the values it printed, by reference. */
export function mbpoll(port: number, args: string[]): Map<number, number> {
  const out = spawnSync('mbpoll', ['-m', 'tcp', '-p', String(port), ...args, '-1', '-q', '127.0.0.1'], { encoding: 'utf8', timeout: 10_000 });
  if (out.status !== 0) throw new Error(`mbpoll failed (${out.status}): ${out.stderr || out.stdout}`);
  const values = new Map<number, number>();
  for (const m of out.stdout.matchAll(/^\[(\d+)\]:\s+(-?[\d.eE+-]+)/gm)) values.set(Number(m[1]), Number(m[2]));
  return values;
}
