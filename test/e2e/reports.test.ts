import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasChromium, openBrowser, signIn, type Browser } from './helpers/browser';
import { reportMissingTool } from '../server/helpers/missing-tool';
import { ADMIN, ROOT, seedReadings, UiStation } from './helpers/station';

const PDFTOTEXT = '/usr/bin/pdftotext';
let hasPdftotext = true;
try {
  execFileSync(PDFTOTEXT, ['-v'], { stdio: 'ignore' });
} catch {
  hasPdftotext = false;
  reportMissingTool(PDFTOTEXT, 'poppler-utils');
}
const OUT = join(ROOT, 'test-results', 'e2e');
const today = new Date();
const YESTERDAY_10H = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - 1, 10) / 1000;
const YESTERDAY = new Date(YESTERDAY_10H * 1000).toISOString().slice(0, 10);

/** Prints the page as the browser's Print does (print CSS, A4) and reads the PDF's text back with poppler's pdftotext. */
async function printedText(b: Browser, name: string): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, `${name}.pdf`);
  await b.page.emulateMedia({ media: 'print' });
  await b.page.pdf({ path: file, format: 'A4', printBackground: true });
  return execFileSync(PDFTOTEXT, ['-layout', file, '-'], { encoding: 'utf8' });
}

/** Reports on paper: the batch run ticket and the daily well report, printed to PDF in Chromium and read back. */
describe.skipIf(!hasChromium || !hasPdftotext)('printable reports', () => {
  let station: UiStation;
  let admin: string;
  let b: Browser;

  beforeAll(async () => {
    station = await new UiStation().start();
    admin = await station.token();
    // yesterday 08:00-10:00 UTC (the browser runs in UTC): a whole day to report on, whatever the time now
    await seedReadings(station, admin, 'report-well-1', 120, (i) => ({ temperature: 60 + (i % 10), pressure: 2000 + i }), YESTERDAY_10H);
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

  it('when a batch run ticket is printed, then the PDF has its stages, volumes, CTL, net standard volume and losses, and no menu', async () => {
    const m = { temperature_f: 60, api_gravity: 30, bsw_pct: 0.5 };
    const res = await station.api('POST', '/api/oil/batches', admin, { well_id: 'report-well-1', batch_id: 'RT-PRINT-1', gross_volume_bbl: 1000, ...m });
    expect(res.status).toBe(201);
    const move = { type: 'transition', to_stage: 'separated', location: 'Separator 2', gross_volume_bbl: 990, ...m };
    expect((await station.api('POST', '/api/oil/batches/RT-PRINT-1/events', admin, move)).status).toBe(201);
    await b.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Batches' }).click();
    await b.page.getByRole('table', { name: 'Batches' }).getByRole('cell', { name: 'RT-PRINT-1' }).click();
    await b.page.getByRole('link', { name: 'Run ticket' }).click();
    await b.page.getByRole('heading', { name: 'Run ticket · RT-PRINT-1' }).waitFor();
    await b.page
      .getByTestId('ticket-nsv')
      .getByText(/bbl at separated/)
      .waitFor();
    const text = await printedText(b, 'run-ticket-RT-PRINT-1');
    expect(text).toContain('Run ticket · RT-PRINT-1');
    for (const word of [
      'produced',
      'separated',
      'Gross (bbl)',
      'CTL',
      'NSV (bbl)',
      'Net standard volume',
      'Losses',
      'produced → separated',
      'Separator 2',
      'report-well-1',
    ])
      expect(text).toContain(word);
    // 1000 bbl at 60 °F: CTL 1, NSV = 1000 x 0.995
    expect(text).toMatch(/995\.00/);
    expect(text).toMatch(/985\.05/);
    expect(text).not.toContain('Sign out');
    expect(text).not.toContain('Post a stage event');
  });

  it('when a daily well report is printed, then the PDF has the day’s min/max/average, the hourly table, the alarms section and the typed notes', async () => {
    const day = YESTERDAY;
    await b.page.goto(`${station.url}/well-report?device=report-well-1&day=${day}`);
    await b.page.getByRole('heading', { name: `Daily well report · report-well-1 · ${day}` }).waitFor();
    await expect.poll(() => b.page.getByRole('table', { name: 'Day summary' }).textContent()).toMatch(/Temperature \(°C\)60\.00[\d.]+69\.00/);
    await b.page.getByLabel('Notes for the report').fill('Choke changed at 09:00; flowline pigged.');
    await expect.poll(async () => Number(await b.page.getByTestId('series-chart').getAttribute('data-points'))).toBeGreaterThan(0);
    const text = await printedText(b, `well-report-report-well-1-${day}`);
    expect(text).toContain(`Daily well report · report-well-1 · ${day}`);
    for (const word of ['Summary', 'Min', 'Average', 'Max', 'Temperature (°C)', 'Pressure (kPa)', 'Alarms of the day', 'Hourly', 'Notes'])
      expect(text).toContain(word);
    expect(text).toMatch(/60\.00\s+6\d\.\d\d\s+69\.00/);
    expect(text).toContain('Choke changed at 09:00; flowline pigged.');
    expect(text).not.toContain('Sign out');
  });
});
