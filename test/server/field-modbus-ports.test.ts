import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSerialPorts } from '../../src/server/field/modbus/serial-ports';

/** The serial-port list on Linux, against a /dev of our own making (udev's by-id links included). */
describe.skipIf(process.platform !== 'linux')('serial ports for the UI', () => {
  let dev: string;
  beforeAll(() => {
    dev = realpathSync(mkdtempSync(join(tmpdir(), 'oilfield-dev-')));
    for (const name of ['ttyUSB0', 'ttyUSB1', 'ttyACM0', 'ttyS0', 'ttyS1', 'null']) writeFileSync(join(dev, name), '');
    mkdirSync(join(dev, 'serial', 'by-id'), { recursive: true });
    symlinkSync('../../ttyUSB0', join(dev, 'serial', 'by-id', 'usb-FTDI_FT232R_USB_UART_A10K1234-if00-port0'));
    symlinkSync('../../ttyUSB9', join(dev, 'serial', 'by-id', 'usb-unplugged-if00-port0')); // dangling: just pulled out
  });
  afterAll(() => rmSync(dev, { recursive: true, force: true }));

  it('when an adapter has a by-id name, then that stable name comes first and its ttyUSB name is not listed twice; legacy ttyS ports are left out', async () => {
    expect(await listSerialPorts(dev)).toEqual([
      { path: join(dev, 'serial/by-id/usb-FTDI_FT232R_USB_UART_A10K1234-if00-port0'), device: join(dev, 'ttyUSB0'), stable: true },
      { path: join(dev, 'ttyACM0'), device: join(dev, 'ttyACM0'), stable: false },
      { path: join(dev, 'ttyUSB1'), device: join(dev, 'ttyUSB1'), stable: false },
    ]);
  });

  it('when there is no serial hardware at all, then the list is empty rather than an error', async () => {
    expect(await listSerialPorts(join(dev, 'nothing-here'))).toEqual([]);
  });
});
