import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasChromium, nav as navTo, openBrowser, signIn as signInAs, type Browser } from './helpers/browser';
import { ADMIN, UiStation } from './helpers/station';

const ENGINEER = { username: 'field-engineer', password: 'field-engineer-pw-1' };

/**
 * The UI as an engineer (role user) meets it: what the menu offers, what a refused ingest key says,
 * a time range that cannot be, and removing an export. Each test signs in on a fresh browser.
 */
describe.skipIf(!hasChromium)('the UI for a field engineer', () => {
  let station: UiStation;
  let admin: string;
  let b: Browser;

  beforeAll(async () => {
    station = await new UiStation().start();
    admin = await station.token();
    const res = await station.api('POST', '/api/users', admin, { ...ENGINEER, role: 'user' });
    expect(res.status).toBe(201);
    const now = Math.floor(Date.now() / 1000);
    const key = await station.key('device');
    const readings = Array.from({ length: 50 }, (_, i) => ({ device_id: 'eng-well-1', ts: now - 3600 + i * 60, temperature: 60 + i / 10, pressure: 2000 }));
    expect((await station.api('POST', '/api/telemetry/batch', admin, readings, { 'x-api-key': key })).status).toBe(200);
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

  const signIn = (user: { username: string; password: string }) => signInAs(b.page, station.url, user);
  const nav = (name: string) => navTo(b.page, name);
  const menu = () => b.page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();

  it('when an engineer signs in, then the menu has no Admin or Settings; an admin sees both', async () => {
    await signIn(ENGINEER);
    await expect.poll(menu).toContain('Export');
    expect(await menu()).not.toEqual(expect.arrayContaining(['Admin']));
    expect(await menu()).not.toEqual(expect.arrayContaining(['Settings']));
    await b.shot('engineer-menu');
    await b.page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(ADMIN);
    await expect.poll(menu).toEqual(expect.arrayContaining(['Admin', 'Settings']));
  });

  it('when an engineer posts with a mistyped or a read-only key, then the session stays, the reason is in words and the form keeps its values', async () => {
    await signIn(ENGINEER);
    await nav('Ingest');
    await b.page.getByTestId('engineer-ingest-hint').waitFor();
    await b.page.getByLabel('API key for ingest').fill('sok_this-key-does-not-exist');
    await b.page.getByRole('button', { name: 'Use this key' }).click();
    // field errors in plain words, not zod's or the API's
    await b.page.getByLabel(/^Temperature/).fill('hot');
    await b.page.getByLabel('Device id').fill('');
    await expect.poll(() => b.page.locator('.field-error').allTextContents()).toContain('Must be a number');
    for (const text of await b.page.locator('.field-error').allTextContents())
      expect(text).not.toMatch(/Invalid input|expected \w+, received|temperature must/);
    await b.page.getByLabel('Device id').fill('eng-well-2');
    await b.page.getByLabel(/^Temperature/).fill('71.5');
    await b.page.getByRole('button', { name: 'Post reading' }).click();
    await b.page.getByText(/did not accept this ingest key/).waitFor();
    await b.shot('engineer-ingest-bad-key');
    expect(await b.page.getByLabel('Device id').inputValue()).toBe('eng-well-2');
    expect(await b.page.getByLabel(/^Temperature/).inputValue()).toBe('71.5');
    await expect.poll(() => b.page.locator('.user').textContent()).toContain(`Signed in as ${ENGINEER.username}`);

    const readOnly = await station.key('user');
    await b.page.getByRole('button', { name: 'Forget key' }).click();
    await b.page.getByLabel('API key for ingest').fill(readOnly);
    await b.page.getByRole('button', { name: 'Use this key' }).click();
    await b.page.getByRole('button', { name: 'Post reading' }).click();
    await b.page.getByText(/may read but not post readings/).waitFor();
    expect(await b.page.getByText(/HTTP 403/).count()).toBe(0);
    await expect.poll(() => b.page.locator('.user').textContent()).toContain(`Signed in as ${ENGINEER.username}`);
  });

  it('when From is set later than To, then it is not applied and the page says why', async () => {
    await signIn(ENGINEER);
    await nav('Export');
    const from = b.page.getByLabel('From', { exact: true });
    const to = await b.page.getByLabel('To', { exact: true }).inputValue();
    const later = new Date(Date.parse(`${to}:00Z`) + 2 * 86_400_000).toISOString().slice(0, 16);
    await from.fill(later);
    await b.page.getByText(/From must be before To/).waitFor();
    expect(await from.getAttribute('aria-invalid')).toBe('true');
    await b.shot('range-from-after-to');
  });

  it('when the engineer picks the shift or today presets and zooms the chart, then the range follows and a Reset zoom button undoes the zoom', async () => {
    await signIn(ENGINEER);
    await b.page.goto(`${station.url}/telemetry?device=eng-well-1`);
    await b.page.getByTestId('series-chart').waitFor();
    const quick = b.page.getByRole('group', { name: 'Quick time range' });
    await quick.getByRole('button', { name: 'Shift' }).click();
    await expect.poll(() => b.page.url()).toContain('last=43200');
    expect(await quick.getByRole('button', { name: 'Shift' }).getAttribute('aria-pressed')).toBe('true');
    await quick.getByRole('button', { name: 'Today' }).click();
    await expect.poll(() => b.page.url()).toContain('last=today');
    await quick.getByRole('button', { name: '30 d' }).click();
    await expect.poll(() => b.page.url()).toContain(`last=${30 * 86400}`);
    await quick.getByRole('button', { name: '24 h' }).click();
    await expect.poll(() => b.page.getByTestId('series-chart').getAttribute('data-points')).not.toBe('0');
    const over = b.page.locator('.u-over');
    const box = (await over.boundingBox())!;
    await b.page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2);
    await b.page.mouse.down();
    await b.page.mouse.move(box.x + box.width * 0.95, box.y + box.height / 2, { steps: 5 });
    await b.page.mouse.up();
    const reset = b.page.getByRole('button', { name: 'Reset zoom' });
    await reset.waitFor();
    await expect.poll(() => b.page.url()).toMatch(/from=\d+&to=\d+/);
    await b.shot('telemetry-zoomed');
    await reset.click();
    await expect.poll(() => b.page.url()).toContain('last=86400');
    expect(await reset.count()).toBe(0);
  });

  it('when the engineer picks a theme, then the page takes it at once and keeps it after a reload', async () => {
    await signIn(ENGINEER);
    const theme = b.page.getByLabel('Theme');
    await theme.selectOption('contrast');
    expect(await b.page.evaluate('document.documentElement.dataset.theme')).toBe('contrast');
    const bg = () => b.page.evaluate('getComputedStyle(document.body).backgroundColor');
    expect(await bg()).toBe('rgb(255, 255, 255)');
    await b.shot('theme-contrast');
    await b.page.reload();
    await b.page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(await b.page.evaluate('document.documentElement.dataset.theme')).toBe('contrast');
    await b.page.getByLabel('Theme').selectOption('dark');
    expect(await bg()).toBe('rgb(18, 20, 23)');
    await b.shot('theme-dark');
    // System follows the OS: this browser runs in light mode
    await b.page.getByLabel('Theme').selectOption('system');
    expect(await b.page.evaluate('document.documentElement.dataset.theme')).toBe('light');
    expect(await b.page.evaluate("localStorage.getItem('oilfield.theme')")).toBeNull();
  });

  it('when an alarm opens that nobody has acknowledged, then the top bar says so and leads to it', async () => {
    const limits = await station.api('PUT', '/api/ml/limits/eng-well-3', admin, { temperature_max: 100, alarm_open_after_s: 0 });
    expect(limits.status).toBeLessThan(300);
    const key = await station.key('device');
    const now = Math.floor(Date.now() / 1000);
    for (const [i, t] of [150, 151, 152].entries()) {
      const res = await station.api(
        'POST',
        '/api/telemetry',
        admin,
        { device_id: 'eng-well-3', ts: now - 120 + i * 30, temperature: t, pressure: 2000 },
        { 'x-api-key': key },
      );
      expect(res.status).toBe(201);
    }
    await signIn(ENGINEER);
    const banner = b.page.getByRole('link', { name: /unacknowledged alarm/ });
    await banner.waitFor({ timeout: 60_000 });
    await b.shot('alarm-banner');
    await banner.click();
    await b.page.getByRole('heading', { name: 'Anomalies', level: 1 }).waitFor();
  });

  it('when an admin imports a semicolon file in Pa and kelvin with day-first local times, then values are converted and an impossible one is reported with its line', async () => {
    await signIn(ADMIN);
    await nav('Ingest');
    await b.page.getByRole('button', { name: 'Create a device key for this session' }).click();
    await b.page.getByText('ingest key set').waitFor();
    const day = new Date(Date.now() - 86_400_000);
    const dmy = `${String(day.getUTCDate()).padStart(2, '0')}/${String(day.getUTCMonth() + 1).padStart(2, '0')}/${day.getUTCFullYear()}`;
    const lines = [
      'well;when;T (K);P (Pa)',
      `csv-units;${dmy} 10:00;350.15;17000000`,
      `csv-units;${dmy} 10:01;-5;17000100`,
      `csv-units;${dmy} 10:02;351.15;17000200`,
    ];
    await b.page
      .getByLabel('CSV file', { exact: true })
      .setInputFiles({ name: 'logger-pa.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\r\n')) });
    await b.page.getByText('logger-pa.csv: 3 rows').waitFor();
    await b.page.getByLabel('Column for device_id').selectOption('well');
    await b.page.getByLabel('Column for ts').selectOption('when');
    await b.page.getByLabel('Column for temperature').selectOption('T (K)');
    await b.page.getByLabel('Column for pressure').selectOption('P (Pa)');
    await b.page.getByLabel('Temperature unit in the file').selectOption('K');
    await b.page.getByLabel('Pressure unit in the file').selectOption('Pa');
    await b.page.getByLabel('Time zone of times without one').selectOption('Z');
    await b.page.getByLabel(/day first/).check();
    await b.shot('ingest-csv-units');
    await b.page.getByRole('button', { name: 'Import 3 rows' }).click();
    await expect.poll(() => b.page.getByTestId('import-summary').textContent()).toMatch(/2 rows imported.*1 rejected/);
    const report = b.page.getByRole('table', { name: 'Rejected rows' });
    await expect.poll(() => report.getByRole('row').nth(1).textContent()).toMatch(/^3.*-5 K is below absolute zero/);
    const stored = (await (await station.api('GET', '/api/telemetry?device_id=csv-units&order=asc', admin)).json()) as {
      items: { temperature: number; pressure: number; time: string }[];
    };
    expect(stored.items.map((r) => [r.temperature, r.pressure, r.time.slice(11, 16)])).toEqual([
      [77, 17000, '10:00'],
      [78, 17000.2, '10:02'],
    ]);
  });

  it('when a finished export is removed, then removing asks first and its Download button goes away', async () => {
    await signIn(ENGINEER);
    await nav('Export');
    await b.page.getByRole('button', { name: 'Start background export' }).click();
    await b.page.getByTestId('export-done').waitFor();
    const download = b.page.getByRole('button', { name: /^Download .*\.csv$/ });
    await download.waitFor();
    const remove = b.page.getByRole('button', { name: /^Remove the export started/ }).first();
    await remove.click();
    await b.page.getByRole('button', { name: 'Keep' }).click();
    await remove.click();
    await b.page.getByRole('button', { name: 'Yes, remove' }).click();
    await expect.poll(() => download.count()).toBe(0);
    await expect.poll(() => b.page.getByText(/No background exports yet/).count()).toBe(1);
  });
});
