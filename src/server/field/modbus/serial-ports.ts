import { readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { SerialPortInfo } from '../../../shared/field-modbus';

/** USB and on-board UART names worth offering; the 4-32 legacy ttyS ports every PC has are left out. */
const LINUX_TTY = /^tty(USB|ACM|AMA|XRUSB|CH343USB)\d+$/;

function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/**
 * Serial ports for the UI. On Linux the stable /dev/serial/by-id names come first (they survive a
 * replug into another USB socket, where ttyUSB0 may become ttyUSB1), then adapters without one.
 * Read straight from /dev: serialport's own list shells out to udevadm, which minimal systems and
 * containers lack (its spawn error would take the station down).
 */
export async function listSerialPorts(dev = '/dev'): Promise<SerialPortInfo[]> {
  if (process.platform !== 'linux') {
    const { SerialPort } = await import('serialport');
    return (await SerialPort.list()).map((p) => ({ path: p.path, device: p.path, stable: false }));
  }
  const ports: SerialPortInfo[] = [];
  const covered = new Set<string>();
  const byId = join(dev, 'serial', 'by-id');
  for (const name of list(byId)) {
    const path = join(byId, name);
    try {
      const device = realpathSync(path);
      covered.add(device);
      ports.push({ path, device, stable: true });
    } catch {
      // a dangling link: the adapter was just unplugged
    }
  }
  for (const name of list(dev)) {
    const device = join(dev, name);
    if (LINUX_TTY.test(name) && !covered.has(device)) ports.push({ path: device, device, stable: false });
  }
  return ports;
}
