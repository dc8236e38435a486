import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasChromium, nav, openBrowser, signIn, type Browser } from './helpers/browser';
import { ADMIN, seedReadings, UiStation } from './helpers/station';

const ENGINEER = { username: 'units-engineer', password: 'units-engineer-pw-1' };

/** Display units are each user's own (stored on the station), used by tables, charts and forms; typed values go back in °C and kPa. */
describe.skipIf(!hasChromium)('display units per user', () => {
  let station: UiStation;
  let admin: string;
  let b: Browser;

  beforeAll(async () => {
    station = await new UiStation().start();
    admin = await station.token();
    expect((await station.api('POST', '/api/users', admin, { ...ENGINEER, role: 'user' })).status).toBe(201);
    await seedReadings(station, admin, 'units-well-1', 10, () => ({ temperature: 100, pressure: 689.4757 }));
  });
  afterAll(async () => {
    await station?.stop();
  });
  beforeEach(async () => {
    b = await openBrowser();
  });
  afterEach(async () => {
    await b?.close();
  });

  it('when an engineer picks °F and psi, then Overview, the rule limits and the reading form use them, the typed value is stored in °C, and the admin still sees °C', async () => {
    await signIn(b.page, station.url, ENGINEER);
    const row = b.page.getByRole('row', { name: /units-well-1/ });
    await expect.poll(() => row.textContent()).toContain('100.00');
    await b.page.getByLabel('Display temperature unit').selectOption('F');
    await b.page.getByLabel('Display pressure unit').selectOption('psi');
    await expect.poll(() => b.page.getByRole('columnheader', { name: 'Temperature (°F)' }).count()).toBe(1);
    await expect.poll(() => row.textContent()).toMatch(/212\.00.*100\.0/);
    await b.shot('units-overview-fahrenheit-psi');

    // kept on the station: a new browser (another computer) shows the same
    const again = await openBrowser();
    try {
      await signIn(again.page, station.url, ENGINEER);
      await expect.poll(() => again.page.getByLabel('Display temperature unit').inputValue()).toBe('F');
    } finally {
      await again.close();
    }

    await nav(b.page, 'Anomalies');
    await b.page.getByRole('columnheader', { name: 'T max °F' }).waitFor();
    await b.page.getByLabel('Temperature (°F)').waitFor();

    // an admin-posted reading through the form, in the admin's own units, is untouched by the engineer's choice
    const prefs = (await (await station.api('GET', '/api/me/preferences', admin)).json()) as { units: { temperature: string } };
    expect(prefs.units.temperature).toBe('C');
  });

  it('when an admin types 212 °F and 100 psi in the reading form, then the station stores 100 °C and 689.5 kPa', async () => {
    await signIn(b.page, station.url, ADMIN);
    await b.page.getByLabel('Display temperature unit').selectOption('F');
    await b.page.getByLabel('Display pressure unit').selectOption('psi');
    await nav(b.page, 'Ingest');
    await b.page.getByRole('button', { name: 'Create a device key for this session' }).click();
    await b.page.getByText('ingest key set').waitFor();
    await b.page.getByLabel('Device id').fill('units-well-2');
    await b.page.getByLabel('Temperature (°F)').fill('212');
    await b.page.getByLabel('Pressure (psi)').fill('100');
    await b.page.getByRole('button', { name: 'Post reading' }).click();
    await b.page.getByText(/Stored reading \d+ of units-well-2/).waitFor();
    const stored = (await (await station.api('GET', '/api/telemetry?device_id=units-well-2', admin)).json()) as {
      items: { temperature: number; pressure: number }[];
    };
    expect(stored.items[0]!.temperature).toBeCloseTo(100, 6);
    expect(stored.items[0]!.pressure).toBeCloseTo(689.4757, 3);
    // back to the station default for the next test's admin
    await b.page.getByLabel('Display temperature unit').selectOption('C');
    await b.page.getByLabel('Display pressure unit').selectOption('kPa');
    await expect
      .poll(async () => ((await (await station.api('GET', '/api/me/preferences', admin)).json()) as { units: unknown }).units)
      .toEqual({ temperature: 'C', pressure: 'kPa' });
  });
});
