import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasChromium, openBrowser, signIn, type Browser } from './helpers/browser';
import { ADMIN, seedReadings, UiStation } from './helpers/station';

/** What Grafana users expect of trends: several wells on one chart, sparklines on Overview, limit lines, a table with page count, a jump and a refresh age. */
describe.skipIf(!hasChromium)('trends and the readings table', () => {
  let station: UiStation;
  let admin: string;
  let b: Browser;

  beforeAll(async () => {
    station = await new UiStation().start();
    admin = await station.token();
    for (const [i, id] of ['trend-well-1', 'trend-well-2', 'trend-well-3'].entries()) {
      await seedReadings(station, admin, id, 180, (n) => ({ temperature: 60 + i * 5 + (n % 20) / 4, pressure: 2000 + i * 100 + n }));
    }
    expect((await station.api('PUT', '/api/ml/limits/trend-well-1', admin, { temperature_max: 72, temperature_min: 55 })).status).toBe(200);
  });
  afterAll(async () => {
    await station?.stop();
  });
  beforeEach(async () => {
    b = await openBrowser();
    await signIn(b.page, station.url, ADMIN);
  });
  afterEach(async () => {
    await b?.close();
  });

  it('when three wells are ticked under Compare wells, then one chart draws three traces of the chosen channel and the URL keeps them', async () => {
    await b.page.goto(`${station.url}/telemetry?last=21600`);
    const picker = b.page.getByRole('group', { name: /Wells to compare/ });
    for (const id of ['trend-well-1', 'trend-well-2', 'trend-well-3']) await picker.getByLabel(id).check();
    await b.page.getByLabel('Channel to compare').selectOption('pressure');
    const chart = b.page.getByTestId('compare-chart');
    await expect.poll(() => chart.getAttribute('data-traces')).toBe('3');
    await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBeGreaterThan(100);
    expect(b.page.url()).toMatch(/compare=trend-well-1%2Ctrend-well-2%2Ctrend-well-3|compare=trend-well-1,trend-well-2,trend-well-3/);
    expect(b.page.url()).toContain('channel=pressure');
    await expect.poll(() => chart.textContent()).toContain('trend-well-3');
    await b.shot('telemetry-compare-wells');
  });

  it('when the Overview opens, then each device has a temperature and a pressure sparkline of its last 24 h', async () => {
    const row = b.page.getByRole('row', { name: /trend-well-2/ });
    await expect.poll(() => row.locator('svg.sparkline polyline').count()).toBe(2);
    await b.shot('overview-sparklines');
  });

  it('when a device with rule limits is charted, then its limits are drawn as lines', async () => {
    await b.page.goto(`${station.url}/telemetry?device=trend-well-1&last=21600`);
    const chart = b.page.getByTestId('series-chart');
    await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBeGreaterThan(0);
    await expect.poll(() => chart.getAttribute('data-limit-lines')).toBe('2');
    await b.page.getByText(/Dashed lines: rule limits/).waitFor();
    await b.shot('telemetry-limit-lines');
  });

  it('when the readings table shows a range, then it says the page count, jumps to a time, and says how long ago it refreshed', async () => {
    await b.page.goto(`${station.url}/telemetry?device=trend-well-1&last=21600`);
    const pages = b.page.getByTestId('readings-pages');
    // 180 readings, 50 a page
    await expect.poll(() => pages.textContent()).toMatch(/180 readings in range · page 1 of 4/);
    await expect.poll(() => b.page.getByTestId('updated-ago').textContent()).toMatch(/updated \d+ s ago/);
    // jump to a time one hour ago: the first row is at or before it
    const target = Math.floor(Date.now() / 1000) - 3600;
    const local = new Date(target * 1000).toISOString().slice(0, 19);
    await b.page.getByLabel('Go to time').fill(local);
    await b.page.getByRole('button', { name: 'Go', exact: true }).click();
    await expect.poll(() => pages.textContent()).toMatch(/1[23]\d readings up to .* · page 1 of 3/);
    const expected = (await (await station.api('GET', `/api/telemetry?device_id=trend-well-1&ts_to=${target}&limit=1`, admin)).json()) as {
      items: { id: number }[];
    };
    const firstId = () => b.page.getByRole('table', { name: 'Readings' }).getByRole('row').nth(1).getByRole('cell').last().textContent();
    await expect.poll(firstId).toBe(String(expected.items[0]!.id));
    await b.shot('telemetry-jump-to-time');
    await b.page.getByRole('button', { name: 'Back to newest' }).click();
    await expect.poll(() => pages.textContent()).toMatch(/180 readings in range/);
  });
});
