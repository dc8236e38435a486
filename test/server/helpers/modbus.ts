import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { vi } from 'vitest';
import { reportMissingTool } from './missing-tool';
import { freePort } from './ports';

/**
 * Real Modbus peers for tests: Debian's pymodbus (3.0) as the server over TCP or RTU, Debian's
 * socat for a virtual serial pair, Debian's mbpoll as an independent client. Always Debian's
 * /usr/bin/python3: a python3 earlier on PATH may not see Debian's packages.
 */
export const PYTHON = '/usr/bin/python3';

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

/** One unit's tables: holding and input registers as 0-65535, coils and discrete inputs as 0/1. */
export interface UnitData {
  hr?: number[];
  ir?: number[];
  co?: number[];
  di?: number[];
}

// Each table holds exactly the values given, so any address past them answers exception 2.
const SERVER_PY = `
import json, sys, logging
logging.disable(logging.CRITICAL)
from pymodbus.server import StartTcpServer, StartSerialServer
from pymodbus.transaction import ModbusRtuFramer
from pymodbus.datastore import ModbusSequentialDataBlock, ModbusSlaveContext, ModbusServerContext
spec = json.loads(sys.argv[2])
def block(vals):
    return ModbusSequentialDataBlock(0, vals or [0])
slaves = {}
for unit, u in spec["units"].items():
    slaves[int(unit)] = ModbusSlaveContext(hr=block(u.get("hr")), ir=block(u.get("ir")), co=block(u.get("co")), di=block(u.get("di")), zero_mode=True)
ctx = ModbusServerContext(slaves=slaves, single=False)
print("ready", flush=True)
if sys.argv[1] == "tcp":
    # reuse: a restarted server must bind again while the killed one's connections sit in TIME_WAIT
    StartTcpServer(context=ctx, address=("127.0.0.1", int(spec["port"])), allow_reuse_address=True)
else:
    StartSerialServer(context=ctx, framer=ModbusRtuFramer, port=spec["path"], baudrate=spec.get("baud", 9600), timeout=0.005)
`;

/** What each spawned server printed, for the error when it does not come up. */
const outputs = new WeakMap<ChildProcess, () => string>();

async function spawnReady(cmd: string, args: string[], readyText: string): Promise<ChildProcess> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  outputs.set(child, () => output.slice(-1000));
  await new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      output += b.toString();
      if (output.includes(readyText)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${cmd} exited with ${code}: ${output.slice(0, 500)}`)));
  });
  return child;
}

async function killAndWait(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
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
    await vi.waitFor(async () => {
      if (!(await accepts(this.port))) throw new Error(`pymodbus is not listening on ${this.port} yet: ${outputs.get(this.child!)?.()}`);
    }, { timeout: 15_000, interval: 50 });
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
    await vi.waitFor(() => {
      if (!existsSync(this.a) || !existsSync(this.b)) throw new Error('socat has not made the pair yet');
    }, { timeout: 10_000, interval: 20 });
  }

  /** Removes the pair, as when a USB adapter is pulled out. */
  async kill(): Promise<void> {
    await killAndWait(this.child);
    await vi.waitFor(() => {
      if (existsSync(this.a)) throw new Error('socat has not removed its links yet');
    }, { timeout: 10_000, interval: 20 });
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

/**
 * Register words for a value as a device stores it in the given byte order, written out byte by
 * byte here (independently of the station's decoder): A is the most significant byte.
 */
export function words(type: 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64', value: number, order: 'ABCD' | 'CDAB' | 'BADC' | 'DCBA'): number[] {
  const size = type === 'float64' ? 8 : type.endsWith('16') ? 2 : 4;
  const be = Buffer.alloc(size);
  if (type === 'int16') be.writeInt16BE(value);
  else if (type === 'uint16') be.writeUInt16BE(value);
  else if (type === 'int32') be.writeInt32BE(value);
  else if (type === 'uint32') be.writeUInt32BE(value);
  else if (type === 'float32') be.writeFloatBE(value);
  else be.writeDoubleBE(value);
  const bytes = [...be];
  let wire: number[];
  if (order === 'ABCD') wire = bytes;
  else if (order === 'DCBA') wire = [...bytes].reverse();
  else {
    const pairs: number[][] = [];
    for (let i = 0; i < bytes.length; i += 2) pairs.push([bytes[i]!, bytes[i + 1]!]);
    wire = (order === 'CDAB' ? pairs.reverse() : pairs.map(([x, y]) => [y!, x!])).flat();
  }
  const out: number[] = [];
  for (let i = 0; i < wire.length; i += 2) out.push((wire[i]! << 8) | wire[i + 1]!);
  return out;
}
