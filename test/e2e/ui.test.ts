import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasChromium, nav as navIn, openBrowser, signIn, type Browser } from './helpers/browser';
import { ADMIN, seedReadings, UiStation } from './helpers/station';

const NOW = Math.floor(Date.now() / 1000);

/**
 * The admin's walk through the station. Each test opens its own browser and signs in itself (the
 * first one through the form with a wrong password first); the data they read (e2e-well-2's 40
 * readings) is posted through the API before them, so any test runs alone.
 */
describe.skipIf(!hasChromium)('the station UI in Chromium', () => {
  let station: UiStation;
  let b: Browser;
  let token: string;

  beforeAll(async () => {
    station = await new UiStation().start();
    token = await station.token();
    await seedReadings(station, token, 'e2e-well-2', 40, (i) => ({
      temperature: i >= 30 && i < 34 ? 140 : 60 + (i % 5) * 0.1,
      pressure: i >= 30 && i < 34 ? 9000 : 2300 + i,
    }));
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

  /** A signed-in admin on the Overview. */
  const admin = () => signIn(b.page, station.url, ADMIN);
  const nav = (name: string) => navIn(b.page, name);

  it('when the admin signs in, then the overview and the station status show', async () => {
    const { page } = b;
    await page.goto(station.url);
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await b.shot('00-sign-in-error');
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    // Both fill in from their own requests after the heading renders, so wait for the text rather than read it once.
    await page.getByLabel('Station status').getByText('Database').first().waitFor();
    await expect.poll(() => page.locator('.user').textContent()).toContain(`Signed in as ${ADMIN.username}`);
  });

  it('when a reading is posted through the form, then it appears in the table and the chart', async () => {
    const { page } = b;
    await admin();
    await nav('Ingest');
    // Field validation as the user types, with the shared schema.
    await page.getByLabel('Device id').fill('bad id');
    await page.getByLabel('Temperature (°C)').fill('hot');
    await expect
      .poll(() => page.locator('.field-error').allTextContents())
      .toEqual(expect.arrayContaining([expect.stringContaining('letters, digits'), expect.stringContaining('Must be a number')]));
    await b.shot('03-ingest-errors');
    await page.getByRole('button', { name: 'Create a device key for this session' }).click();
    await page.getByText('ingest key set').waitFor();
    await page.getByLabel('Device id').fill('e2e-well-1');
    await page.getByLabel('Temperature (°C)').fill('71.5');
    await page.getByLabel('Pressure (kPa)').fill('2380');
    await page.getByRole('button', { name: 'Post reading' }).click();
    await page.getByText(/Stored reading \d+ of e2e-well-1/).waitFor();
    await page.getByRole('link', { name: 'Show in Telemetry' }).click();
    await page.getByRole('heading', { name: 'Telemetry' }).waitFor();
    const table = page.getByRole('table', { name: 'Readings' });
    await table.getByRole('cell', { name: 'e2e-well-1' }).first().waitFor();
    await expect.poll(() => table.textContent()).toContain('71.50');
    const chart = page.getByTestId('series-chart');
    await expect.poll(async () => Number(await chart.getAttribute('data-readings'))).toBeGreaterThanOrEqual(1);
    // The reading's detail pane.
    await table.getByRole('cell', { name: 'e2e-well-1' }).first().click();
    await page
      .getByRole('complementary', { name: /Reading \d+/ })
      .getByText('2380')
      .waitFor();
  });

  it('when a CSV with one bad row is imported, then the good rows are stored and the bad one is reported by line', async () => {
    const { page } = b;
    await admin();
    await nav('Ingest');
    await page.getByRole('button', { name: 'Create a device key for this session' }).click();
    await page.getByText('ingest key set').waitFor();
    const rows = ['when,well,temp_c,press_kpa,state'];
    for (let i = 0; i < 40; i++) {
      const spike = i >= 30 && i < 34;
      rows.push(`${NOW - 3600 + i * 60},e2e-csv-well,${spike ? 140 : 60 + (i % 5) * 0.1},${spike ? 9000 : 2300 + i},ok`);
    }
    rows.splice(6, 0, `${NOW - 3000},e2e-csv-well,hot,2300,ok`); // line 7 of the file
    await page.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'logger.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
    await page.getByText('logger.csv: 41 rows').waitFor();
    // The mapping step guessed nothing for these headers: map them by hand.
    await page.getByLabel('Column for device_id').selectOption('well');
    await page.getByLabel('Column for ts').selectOption('when');
    await page.getByLabel('Column for temperature').selectOption('temp_c');
    await page.getByLabel('Column for pressure').selectOption('press_kpa');
    await page.getByLabel('Column for status').selectOption('state');
    await b.shot('03-ingest-csv-mapping');
    await page.getByRole('button', { name: 'Import 41 rows' }).click();
    const summary = page.getByTestId('import-summary');
    await summary.waitFor();
    await expect.poll(() => summary.textContent()).toMatch(/40 rows imported.*1 rejected/);
    const report = page.getByRole('table', { name: 'Rejected rows' });
    await expect.poll(() => report.getByRole('row').nth(1).textContent()).toMatch(/^7.*temperature/);
    await expect.poll(() => page.getByRole('progressbar', { name: /rows sent/ }).getAttribute('aria-valuenow')).toBe('100');
    await b.shot('03-ingest');
    const stats = (await (await station.api('GET', '/api/telemetry/stats?device_id=e2e-csv-well', token)).json()) as { count: number };
    expect(stats.count).toBe(40);
  });

  it('when a CSV is downloaded, then it equals what the API exports for the same filters', async () => {
    const { page } = b;
    await admin();
    await nav('Export');
    await page.getByLabel('Device', { exact: true }).selectOption('e2e-well-2');
    const request = page.waitForRequest((r) => r.url().includes('/api/telemetry/export?'));
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download CSV' }).click();
    const file = readFileSync((await (await download).path())!, 'utf8');
    const url = new URL((await request).url());
    const api = await (await station.api('GET', url.pathname + url.search, token)).text();
    expect(file).toBe(api);
    expect(file.trim().split('\n')).toHaveLength(41);
    await page.getByText(/Saved telemetry-e2e-well-2/).waitFor();
  });

  it('when a background export runs, then the progress bar completes, the file downloads, and Recent exports lists it, downloads it and removes it', async () => {
    const { page } = b;
    await admin();
    await nav('Export');
    await page.getByLabel('Device', { exact: true }).selectOption('e2e-well-2');
    await page.getByRole('button', { name: 'Start background export' }).click();
    await page.getByTestId('export-done').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('export-done').textContent()).toContain('40 rows');
    await expect.poll(() => page.getByRole('progressbar', { name: /completed/ }).getAttribute('aria-valuenow')).toBe('100');
    await b.shot('04-export');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: /^Download .*\.csv$/ }).click();
    const file = readFileSync((await (await download).path())!, 'utf8');
    expect(file.trim().split('\n')).toHaveLength(41);
    // The list refreshed by itself when the export finished: no reload, no navigation.
    const panel = page.getByRole('region', { name: 'Recent exports' });
    const row = panel.getByRole('table', { name: 'Recent exports' }).getByRole('row').nth(1);
    await expect.poll(() => row.textContent()).toMatch(/e2e-well-2.*completed.*40/);
    await b.shot('04-export-recent');
    const again = page.waitForEvent('download');
    await row.getByRole('button', { name: /^Download the export started/ }).click();
    const listed = readFileSync((await (await again).path())!, 'utf8');
    expect(listed.trim().split('\n')).toHaveLength(41);
    await panel.getByText(/^Saved telemetry-e2e-well-2-.*\.csv/).waitFor();
    await row.getByRole('button', { name: /^Remove the export started/ }).click();
    await row.getByRole('button', { name: 'Yes, remove' }).click();
    await panel.getByText(/^No background exports yet/).waitFor();
    const tasks = (await (await station.api('GET', '/api/tasks?name=telemetry.export', token)).json()) as { items: unknown[] };
    expect(tasks.items).toEqual([]);
  });

  it('when a reading and a device range are checked, then the verdict and the anomalous spans show', async () => {
    const { page } = b;
    await admin();
    // Without history only the rule limits judge a reading, and a fresh station has none: set the
    // default limits (device `*`) as an admin would in Settings, then check a reading beyond them.
    const limits = await station.api('PUT', '/api/ml/limits/*', token, { temperature_max: 200 });
    expect(limits.status).toBe(200);
    await nav('Anomalies');
    await page.getByLabel('Temperature (°C)').fill('250');
    await page.getByLabel('Pressure (kPa)').fill('99000');
    await page.getByRole('button', { name: 'Check reading' }).click();
    const verdict = page.getByTestId('predict-result').or(page.getByRole('form', { name: 'Check one reading' }).getByRole('alert'));
    await verdict.first().waitFor();
    await b.shot('05-anomalies-predict');
    await expect.poll(() => verdict.first().textContent()).toMatch(/^Anomalous · score/);
    await page.getByLabel('Device to score').selectOption('e2e-well-2');
    await page.getByRole('group', { name: 'Quick time range' }).getByRole('button', { name: '6 h' }).first().click();
    await page.getByRole('button', { name: 'Score range' }).click();
    await expect.poll(() => page.getByTestId('score-summary').textContent()).toMatch(/40 readings scored/);
    await expect.poll(async () => Number(await page.getByTestId('series-chart').getAttribute('data-readings'))).toBe(40);
    await b.shot('05-anomalies');
  });

  it('when an admin adds, edits and removes the rule limits of a device, then the table follows and mistakes are named next to the field', async () => {
    const { page } = b;
    expect((await station.api('PUT', '/api/ml/limits/*', token, { temperature_max: 200 })).status).toBe(200);
    await admin();
    await nav('Anomalies');
    const table = page.getByRole('table', { name: 'Rule limits' });
    // The default, set through the API above.
    await expect.poll(() => table.getByRole('row', { name: /Default \(\*\)/ }).textContent()).toContain('200');
    await page.getByRole('button', { name: 'Add limits' }).click();
    const form = page.getByRole('form', { name: 'New rule limits' });
    await form.getByLabel('Device id (* for the default)').fill('e2e-well-2');
    await form.getByLabel('Temperature min (°C)').fill('20');
    await form.getByLabel('Temperature max (°C)').fill('10');
    await form.getByLabel('Open alarm after (s)').fill('-5');
    await expect
      .poll(() => form.locator('.field-error').allTextContents())
      .toEqual(expect.arrayContaining(['Must be below temperature max', 'Must be 0 or more seconds']));
    await b.shot('05-anomalies-limits-errors');
    await form.getByLabel('Temperature min (°C)').fill('5');
    await form.getByLabel('Open alarm after (s)').fill('120');
    await form.getByRole('button', { name: 'Save limits' }).click();
    await page.getByText('Saved the limits of e2e-well-2.').waitFor();
    const row = table.getByRole('row', { name: /e2e-well-2/ });
    await expect.poll(() => row.getByRole('cell').allTextContents()).toEqual(expect.arrayContaining(['e2e-well-2', '5', '10', '120']));

    await row.getByRole('button', { name: 'Edit the limits of e2e-well-2' }).click();
    const edit = page.getByRole('form', { name: 'Rule limits of e2e-well-2' });
    await expect.poll(() => edit.getByLabel('Temperature max (°C)').inputValue()).toBe('10');
    await edit.getByLabel('Pressure max (kPa)').fill('9000');
    await edit.getByRole('button', { name: 'Save limits' }).click();
    await expect.poll(() => row.textContent()).toMatch(/9\D?000/);
    const stored = (await (await station.api('GET', '/api/ml/limits/e2e-well-2', token)).json()) as Record<string, unknown>;
    expect(stored).toMatchObject({ temperature_min: 5, temperature_max: 10, pressure_max: 9000, alarm_open_after_s: 120, updated_by: 'admin' });
    await b.shot('05-anomalies-limits');

    await row.getByRole('button', { name: 'Remove the limits of e2e-well-2' }).click();
    await row.getByRole('button', { name: 'Yes, remove' }).click();
    await page.getByText('Removed the limits of e2e-well-2.').waitFor();
    await expect.poll(() => table.getByRole('row').count()).toBe(2);
    expect((await station.api('GET', '/api/ml/limits/e2e-well-2', token)).status).toBe(404);
  });

  it('when a batch is created and moved to the next stage, then the move is confirmed and its timeline shows the stage', async () => {
    const { page } = b;
    await admin();
    await nav('Batches');
    await page.getByLabel('Well id').fill('e2e-well-1');
    await page.getByLabel('Gross volume (bbl)').first().fill('500');
    await page.getByLabel('Oil temperature (°F)').first().fill('90');
    await page.getByLabel('API gravity').first().fill('35');
    await page.getByLabel('BS&W (%)').first().fill('0.5');
    await page.getByRole('button', { name: 'Create batch' }).click();
    const detail = page.getByRole('complementary', { name: /Batch B-/ });
    await expect.poll(() => detail.getByTestId('batch-stage').textContent()).toBe('produced');
    await detail.getByLabel('Location').fill('Separator 2');
    await detail.getByRole('button', { name: 'Move to separated' }).click();
    await detail.getByRole('button', { name: 'Yes, move' }).click();
    await expect.poll(() => detail.getByTestId('batch-stage').textContent()).toBe('separated');
    await detail.getByText(/transition.*produced → separated/).waitFor();
    await b.shot('06-batches');
  });

  it('when an API key is created and revoked, then it works once shown and stops after revoking', async () => {
    const { page } = b;
    await admin();
    await nav('Admin');
    await page.getByLabel('Key name').fill('RTU e2e');
    await page.getByLabel('Key role').selectOption('device');
    await page.getByLabel('Device scope (optional)').fill('e2e-*');
    await page.getByRole('button', { name: 'Create key' }).click();
    const newKey = page.getByTestId('new-key');
    await expect.poll(async () => (await newKey.textContent())?.trim() ?? '').not.toBe('');
    const key = (await newKey.textContent())!.trim();
    const post = () =>
      fetch(`${station.url}/api/telemetry`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify({ device_id: 'e2e-well-3', ts: NOW - 5, temperature: 50 }),
      });
    expect((await post()).status).toBe(201);
    await b.shot('07-admin');
    await page.getByRole('button', { name: 'Revoke RTU e2e' }).click();
    await page.getByRole('button', { name: 'Yes, revoke' }).click();
    await page
      .getByRole('table', { name: 'API keys' })
      .getByRole('row', { name: /RTU e2e/ })
      .getByText('revoked')
      .waitFor();
    expect((await post()).status).toBe(401);
  });

  it('when every page is visited, then none is blank and each is saved as a screenshot', async () => {
    const { page } = b;
    await admin();
    const pages = [
      ['Overview', '01-overview'],
      ['Telemetry', '02-telemetry'],
      ['Settings', '08-settings'],
    ] as const;
    for (const [name, file] of pages) {
      await nav(name);
      if (name === 'Telemetry') {
        await page.getByLabel('Device', { exact: true }).selectOption('e2e-well-2');
        await expect.poll(async () => Number(await page.getByTestId('series-chart').getAttribute('data-points'))).toBeGreaterThan(0);
      }
      if (name === 'Settings') await page.getByText('Now listening on').waitFor();
      if (name === 'Overview') await page.getByRole('cell', { name: 'e2e-well-2', exact: true }).waitFor();
      await b.shot(file);
      expect((await page.locator('main').innerText()).length).toBeGreaterThan(20);
    }
  });

  it('when the Time header is clicked, then the readings table sorts oldest first, says so, and keeps it in the URL', async () => {
    const { page } = b;
    await admin();
    await nav('Telemetry');
    await page.getByLabel('Device', { exact: true }).selectOption('e2e-well-2');
    const table = page.getByRole('table', { name: 'Readings' });
    const time = table.getByRole('columnheader', { name: /Time/ });
    const firstId = () => table.getByRole('row').nth(1).getByRole('cell').last().textContent();
    const idAt = async (order: string) => {
      const res = await station.api('GET', `/api/telemetry?device_id=e2e-well-2&order=${order}&limit=1`, token);
      return String(((await res.json()) as { items: { id: number }[] }).items[0]!.id);
    };
    await expect.poll(() => time.getAttribute('aria-sort')).toBe('descending');
    await expect.poll(firstId).toBe(await idAt('desc'));
    await time.getByRole('button', { name: /Time/ }).click();
    await expect.poll(() => time.getAttribute('aria-sort')).toBe('ascending');
    await expect.poll(firstId).toBe(await idAt('asc'));
    expect(page.url()).toContain('order=asc');
    await b.shot('02-telemetry-oldest-first');
  });

  it('when an engineer opens Anomalies, then the rule limits show without editing and say who sets them', async () => {
    const engineer = { username: 'e2e-engineer', password: 'e2e-engineer-password' };
    expect((await station.api('POST', '/api/users', token, { ...engineer, role: 'user' })).status).toBe(201);
    expect((await station.api('PUT', '/api/ml/limits/e2e-eng-well', token, { temperature_max: 99 })).status).toBe(200);
    const eng = await openBrowser();
    try {
      await eng.page.goto(station.url);
      await eng.page.getByLabel('Username').fill(engineer.username);
      await eng.page.getByLabel('Password').fill(engineer.password);
      await eng.page.getByRole('button', { name: 'Sign in' }).click();
      await eng.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Anomalies' }).click();
      const panel = eng.page.getByRole('region', { name: 'Rule limits' });
      await panel.getByText(/Only administrators change them/).waitFor();
      const row = panel.getByRole('table', { name: 'Rule limits' }).getByRole('row', { name: /e2e-eng-well/ });
      await expect.poll(() => row.textContent()).toContain('99');
      expect(await panel.getByRole('button').count()).toBe(0);
    } finally {
      await eng.close();
    }
  });

  it('when the OS prefers dark, then the UI follows', async () => {
    const dark = await openBrowser({ dark: true });
    try {
      await dark.page.goto(station.url);
      await dark.page.getByLabel('Username').fill(ADMIN.username);
      await dark.page.getByLabel('Password').fill(ADMIN.password);
      await dark.page.getByRole('button', { name: 'Sign in' }).click();
      await dark.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Telemetry' }).click();
      await dark.page.getByLabel('Device', { exact: true }).selectOption('e2e-well-2');
      await expect.poll(async () => Number(await dark.page.getByTestId('series-chart').getAttribute('data-points'))).toBeGreaterThan(0);
      const bg = await dark.page
        .locator('body')
        .evaluate(
          (el) =>
            (el.ownerDocument.defaultView as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor,
        );
      expect(bg).toBe('rgb(18, 20, 23)');
      await dark.shot('09-telemetry-dark');
    } finally {
      await dark.close();
    }
  });
});
