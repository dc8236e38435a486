import { spawn, type ChildProcess } from 'node:child_process';

/**
 * pymodbus servers for tests and the bench (no vitest here, so the bench can use it too). Always
 * Debian's /usr/bin/python3: a python3 earlier on PATH may not see Debian's packages.
 */
export const PYTHON = '/usr/bin/python3';

/** One unit's tables: holding and input registers as 0-65535, coils and discrete inputs as 0/1. */
export interface UnitData {
  hr?: number[];
  ir?: number[];
  co?: number[];
  di?: number[];
}

// Each table holds exactly the values given, so any address past them answers exception 2.
export const SERVER_PY = `
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

export async function spawnReady(cmd: string, args: string[], readyText: string): Promise<ChildProcess> {
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

export async function killAndWait(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

export const outputOf = (child: ChildProcess) => outputs.get(child)?.() ?? '';

/**
 * Register words for a value as a device stores it in the given byte order, written out byte by
 * byte here (independently of the station's decoder): A is the most significant byte.
 */
export function words(
  type: 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64',
  value: number,
  order: 'ABCD' | 'CDAB' | 'BADC' | 'DCBA',
): number[] {
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
