import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasChromium, nav, openBrowser, signIn, type Browser } from './helpers/browser';
import { ADMIN, UiStation } from './helpers/station';

/** Alarms as a shift engineer works them: filter by device, time and acknowledgement; acknowledge with a note; acknowledged rows step back. */
describe.skipIf(!hasChromium)('alarms', () => {
  let station: UiStation;
  let admin: string;
  let b: Browser;

  const alarmsOf = async (device: string) =>
    (await (await station.api('GET', `/api/alarms?device_id=${device}`, admin)).json()) as {
      id: number;
      note: string | null;
      acknowledged_by: string | null;
    }[];

  beforeAll(async () => {
    station = await new UiStation().start();
    admin = await station.token();
    const key = await station.key('device');
    const now = Math.floor(Date.now() / 1000);
    for (const device of ['alarm-well-1', 'alarm-well-2']) {
      expect((await station.api('PUT', `/api/ml/limits/${device}`, admin, { temperature_max: 100, alarm_open_after_s: 0 })).status).toBe(200);
      for (const [i, t] of [150, 151, 152].entries()) {
        const res = await station.api(
          'POST',
          '/api/telemetry',
          admin,
          { device_id: device, ts: now - 120 + i * 30, temperature: t, pressure: 2000 },
          { 'x-api-key': key },
        );
        expect(res.status).toBe(201);
      }
    }
    // the alarm scheduler runs after the write: wait until both alarms are open
    const deadline = Date.now() + 60_000;
    while ((await alarmsOf('alarm-well-1')).length === 0 || (await alarmsOf('alarm-well-2')).length === 0) {
      if (Date.now() > deadline) throw new Error('no alarms opened');
      await new Promise((r) => setTimeout(r, 500));
    }
  });
  afterAll(async () => {
    await station?.stop();
  });
  beforeEach(async () => {
    b = await openBrowser();
    await signIn(b.page, station.url, ADMIN);
    await nav(b.page, 'Anomalies');
  });
  afterEach(async () => {
    await b?.close();
  });

  it('when the alarms are filtered by device and time, then only that device’s alarms show', async () => {
    const table = b.page.getByRole('table', { name: 'Alarms' });
    await expect.poll(() => table.getByRole('row').count()).toBe(3);
    await b.page.getByLabel('Alarm device').selectOption('alarm-well-2');
    await expect.poll(() => table.getByRole('row').count()).toBe(2);
    expect(await table.getByRole('row').nth(1).textContent()).toContain('alarm-well-2');
    await b.page.getByLabel('Opened').selectOption({ label: 'Last 24 h' });
    await expect.poll(() => table.getByRole('row').count()).toBe(2);
    await b.shot('alarms-filtered');
  });

  it('when an alarm is acknowledged with a note, then the note is stored, the row turns grey with a tick, and "Not acknowledged" hides it', async () => {
    const table = b.page.getByRole('table', { name: 'Alarms' });
    const row = table.getByRole('row', { name: /alarm-well-1/ });
    await row.getByRole('button', { name: 'Acknowledge the alarm of alarm-well-1' }).click();
    await row.getByLabel('Note (optional)').fill('Called the pumper; choke being checked');
    await row.getByRole('button', { name: 'Acknowledge', exact: true }).click();
    await expect.poll(() => row.textContent()).toContain('✓ acknowledged');
    expect(await row.textContent()).toContain('Called the pumper; choke being checked');
    expect(await row.getAttribute('class')).toContain('row-acked');
    expect((await alarmsOf('alarm-well-1'))[0]).toMatchObject({ note: 'Called the pumper; choke being checked', acknowledged_by: ADMIN.username });
    await b.shot('alarms-acknowledged');
    await b.page.getByLabel('Acknowledged', { exact: true }).selectOption('false');
    // the list reloads for the new filter (empty while it loads): wait for this alarm gone and the other shown together
    const rows = async () => [await table.getByRole('row', { name: /alarm-well-1/ }).count(), await table.getByRole('row', { name: /alarm-well-2/ }).count()];
    await expect.poll(rows).toEqual([0, 1]);
    // Overview's open alarms say the same
    await nav(b.page, 'Overview');
    const open = b.page.getByRole('region', { name: 'Open alarms' }).getByRole('listitem');
    await expect.poll(() => open.filter({ hasText: 'alarm-well-1' }).textContent()).toContain('✓ acknowledged');
    expect(await open.filter({ hasText: 'alarm-well-2' }).textContent()).not.toContain('acknowledged');
  });
});
