import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { killAndWait, PYTHON, SERVER_PY, spawnReady, words } from '../server/helpers/modbus-server';
import { hasMosquitto, TestMosquitto } from '../server/helpers/mosquitto';
import { freePort } from '../server/helpers/ports';
import { EdgeNode } from '../server/helpers/sparkplug-node';
import { hasChromium, openBrowser, type Browser } from './helpers/browser';
import { ADMIN, UiStation } from './helpers/station';

/**
 * The Field devices page against real field devices: a pymodbus TCP server and a mosquitto broker
 * the test starts on free loopback ports. Each test signs in on a fresh browser.
 */
describe.skipIf(!hasChromium || !hasMosquitto)('the Field devices page', () => {
  let station: UiStation;
  let admin: string;
  let modbus: ChildProcess;
  let modbusPort: number;
  let broker: TestMosquitto;
  let b: Browser;

  beforeAll(async () => {
    modbusPort = await freePort();
    // unit 1: a CDAB float (71.5) then a uint16 (1234); unit 3 answers too; the rest of 1-8 stay silent
    const hr = [...words('float32', 71.5, 'CDAB'), 1234];
    modbus = await spawnReady(PYTHON, ['-c', SERVER_PY, 'tcp', JSON.stringify({ port: modbusPort, units: { 1: { hr }, 3: { hr } } })], 'ready');
    broker = await TestMosquitto.start();
    station = await new UiStation().start({ MQTT_URL: broker.url, MQTT_HOST_ID: `e2e-field-${process.pid}` });
    admin = await station.token();
  });
  afterAll(async () => {
    await station?.stop();
    await killAndWait(modbus);
    await broker?.dispose();
  });
  beforeEach(async () => {
    b = await openBrowser();
  });
  afterEach(async () => {
    await b?.close();
  });

  const signIn = async () => {
    await b.page.goto(station.url);
    await b.page.getByLabel('Username').fill(ADMIN.username);
    await b.page.getByLabel('Password').fill(ADMIN.password);
    await b.page.getByRole('button', { name: 'Sign in' }).click();
    await b.page.getByRole('heading', { name: 'Overview' }).waitFor();
  };
  const nav = async (name: string) => {
    await b.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
    await b.page.getByRole('heading', { level: 1, name }).waitFor();
  };
  const deviceRow = (name: string) => b.page.getByRole('row').filter({ has: b.page.getByRole('cell', { name, exact: true }) });

  it('when an admin adds a TCP device from the page, then Read now shows raw registers, the value and all four orders, and the status goes live', async () => {
    await signIn();
    await nav('Field devices');
    await b.page.getByRole('button', { name: 'Add Modbus device' }).click();
    await b.page.getByLabel('Name').fill('Wellhead e2e');
    await b.page.getByLabel('Telemetry device id').fill('e2e-mb-1');
    await b.page.getByLabel('Host').first().fill('127.0.0.1');
    await b.page.getByLabel('Port').first().fill(String(modbusPort));
    await b.page.getByLabel('Interval (s)').fill('1');
    await b.page.getByRole('button', { name: 'Add tag' }).click();
    await b.page.getByLabel('tag 1 name').fill('tubing temp');
    await b.page.getByLabel('tag 1 type').selectOption('float32');
    await b.page.getByLabel('tag 1 byte order').selectOption('CDAB');
    await b.page.getByLabel('tag 1 field').fill('temperature');
    await b.page.getByRole('button', { name: 'Add tag' }).click();
    await b.page.getByLabel('tag 2 name').fill('arrivals');
    await b.page.getByLabel('tag 2 address').fill('2');
    await b.page.getByLabel('tag 2 field').fill('arrivals');
    await b.page.getByRole('button', { name: 'Add device' }).click();

    const row = deviceRow('Wellhead e2e');
    await row.waitFor();
    // live status: the page follows the poller without a reload
    await expect.poll(async () => (await row.getByRole('cell').nth(3).textContent())?.trim()).toBe('ok');
    await expect.poll(async () => Number((await row.getByRole('cell').nth(5).textContent())?.split('/')[0])).toBeGreaterThanOrEqual(2);

    await row.getByRole('button', { name: 'Read now' }).click();
    const result = b.page.getByRole('region', { name: 'Read now: Wellhead e2e' });
    const temp = result.getByRole('row').filter({ has: b.page.getByRole('cell', { name: 'tubing temp', exact: true }) });
    await temp.waitFor();
    const cells = await temp.getByRole('cell').allTextContents();
    // Tag, Address, Type, Raw (hex), Value, ABCD, CDAB, BADC, DCBA
    const cdab = words('float32', 71.5, 'CDAB').map((w) => w.toString(16).toUpperCase().padStart(4, '0'));
    expect(cells[3]).toBe(cdab.join(' '));
    expect(cells[4]).toBe('71.5');
    expect(cells[6]).toBe('71.5');
    expect(cells.slice(5)).toHaveLength(4);
    expect(cells[5]).not.toBe('71.5');
    const arrivals = await result
      .getByRole('row')
      .filter({ has: b.page.getByRole('cell', { name: 'arrivals', exact: true }) })
      .getByRole('cell')
      .allTextContents();
    expect(arrivals[3]).toBe('04D2');
    expect(arrivals[4]).toBe('1234');
    await b.shot('field-read-now');
  });

  it('when a gateway is scanned from the page, then a progress bar runs and the units that answer are listed', async () => {
    await signIn();
    await nav('Field devices');
    const scan = b.page.getByRole('region', { name: 'Scan a bus for unit ids' });
    await scan.getByLabel('Connection').selectOption('tcp');
    await scan.getByLabel('Host').fill('127.0.0.1');
    await scan.getByLabel('Port').fill(String(modbusPort));
    await scan.getByLabel('Units from').fill('1');
    await scan.getByLabel('to', { exact: true }).fill('8');
    await scan.getByLabel('Timeout per unit (ms)').fill('400');
    await scan.getByRole('button', { name: 'Scan' }).click();
    await scan.getByRole('progressbar').waitFor();
    await b.shot('field-scan-progress');
    await expect.poll(() => scan.getByRole('status').textContent()).toMatch(/Probed 8 .*unit 1 .*unit 3 /);
    expect(await scan.getByRole('status').textContent()).not.toMatch(/unit [245678]\b/);
  });

  it('when a device cannot be reached, then the Overview lists it with its state and error', async () => {
    const dead = await freePort(); // nothing listens there
    const res = await station.api('POST', '/api/field/modbus/devices', admin, {
      name: 'Dead gateway e2e',
      device_id: 'e2e-mb-dead',
      interval_s: 1,
      transport: { kind: 'tcp', host: '127.0.0.1', port: dead },
      unit_id: 1,
      timeout_ms: 200,
      tags: [{ name: 't', function: 'holding', address: 0, type: 'uint16', field: 'temperature' }],
    });
    expect(res.status).toBe(201);
    await signIn();
    const panel = b.page.getByRole('region', { name: 'Field devices whose polling fails' });
    const row = panel.getByRole('row').filter({ hasText: 'Dead gateway e2e' });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.getByRole('cell').nth(1).textContent()).toMatch(/disconnected|backoff/);
    expect(await row.getByRole('cell').nth(3).textContent()).not.toBe('');
    await b.shot('field-overview-failing');
  });

  it('when a Sparkplug node is born and then dies, then the page shows it online, then offline', async () => {
    const node = await EdgeNode.connect(broker.url, { group: 'E2E', node: 'RTU9', devices: ['Well1'] });
    try {
      await signIn();
      await nav('Field devices');
      await node.birth();
      const section = b.page.getByRole('region', { name: 'MQTT and Sparkplug B' });
      const nodeRow = section.getByRole('row').filter({ hasText: 'E2E/RTU9' });
      await expect.poll(() => nodeRow.getByRole('cell').nth(2).textContent(), { timeout: 20_000 }).toBe('online');
      await b.shot('field-sparkplug-online');
      node.kill(); // the broker publishes its NDEATH will
      await expect.poll(() => nodeRow.getByRole('cell').nth(2).textContent(), { timeout: 30_000 }).toBe('offline');
    } finally {
      await node.close();
    }
  });
});
