import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, nav, openBrowser, signIn, type Browser } from './helpers/browser';
import { ADMIN, seedReadings, UiStation } from './helpers/station';

const LAPTOP = { width: 1366, height: 768 };
const PAGES = ['Overview', 'Telemetry', 'Ingest', 'Export', 'Anomalies', 'Batches', 'Reports', 'Field devices', 'Admin', 'Settings'] as const;

/** Outdoors on a 1366 x 768 laptop: big enough text, nothing clipped, a menu that folds, Esc, and questions before harm. */
describe.skipIf(!hasChromium)('the UI outdoors on a laptop', () => {
  let station: UiStation;
  let admin: string;
  let b: Browser | undefined;
  const open = async (options: Parameters<typeof openBrowser>[0] = {}) => {
    b = await openBrowser({ viewport: LAPTOP, ...options });
    await signIn(b.page, station.url, ADMIN);
    return b.page;
  };
  /** A batch at `transported`, with measurements, created through the API. */
  const transportedBatch = async (): Promise<string> => {
    const m = { gross_volume_bbl: 1000, temperature_f: 60, api_gravity: 30, bsw_pct: 0.5 };
    const res = await station.api('POST', '/api/oil/batches', admin, { well_id: 'layout-well-1', location: 'Pad 7', ...m });
    const id = ((await res.json()) as { batch_id: string }).batch_id;
    for (const e of [
      { to_stage: 'separated', location: 'Separator 1', ...m, gross_volume_bbl: 990 },
      { to_stage: 'stored', location: 'Tank 12', ...m, gross_volume_bbl: 985 },
      { to_stage: 'transported', carrier: 'truck', ticket: 'RT-5501', ...m, gross_volume_bbl: 980 },
    ]) {
      expect((await station.api('POST', `/api/oil/batches/${id}/events`, admin, { type: 'transition', ...e })).status).toBe(201);
    }
    return id;
  };

  beforeAll(async () => {
    station = await new UiStation().start();
    admin = await station.token();
    await seedReadings(station, admin, 'layout-well-1', 60);
    const start = await station.api('POST', '/api/telemetry/export/async?device_id=layout-well-1', admin);
    expect(start.status).toBeLessThan(300);
  });
  afterAll(async () => {
    await station?.stop();
  });
  afterEach(async () => {
    await b?.close();
    b = undefined;
  });

  /** Every visible text node's element, with its font size: nothing people read is under 15 px. */
  const smallText = (page: Page) =>
    page.evaluate(`(() => {
      const small = [];
      const walker = document.createTreeWalker(document.querySelector('#root'), NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!n.textContent.trim() || !el.offsetParent) continue;
        const size = parseFloat(getComputedStyle(el).fontSize);
        if (size < 15) small.push(el.tagName + '.' + el.className + ': ' + size + 'px "' + n.textContent.trim().slice(0, 30) + '"');
      }
      return small;
    })()`) as Promise<string[]>;

  it('when each page is read, then no text, button or badge is under 15 px', async () => {
    const page = await open();
    for (const name of ['Overview', 'Telemetry', 'Export', 'Batches', 'Admin'] as const) {
      await nav(page, name);
      await page.waitForTimeout(300);
      // uPlot's own tick labels are drawn on a canvas; the pills of the top bar are status, not body text (14 px)
      expect((await smallText(page)).filter((t) => !t.includes('pill'))).toEqual([]);
    }
    const sizes = (await page.evaluate(
      `['.btn', '.btn-small', '.badge', 'table.data td'].map((s) => getComputedStyle(document.querySelector(s) ?? document.body).fontSize)`,
    )) as string[];
    for (const s of sizes) expect(parseFloat(s)).toBeGreaterThanOrEqual(15);
  });

  it('when a batch is open beside the list and an export is listed at 1366 x 768, then the NSV column and the Remove button are on screen', async () => {
    const id = await transportedBatch();
    const page = await open();
    await nav(page, 'Batches');
    await page.getByRole('table', { name: 'Batches' }).getByRole('cell', { name: id }).click();
    await page.getByRole('complementary', { name: `Batch ${id}` }).waitFor();
    const inView = async (locator: ReturnType<Page['locator']>) => {
      const box = (await locator.boundingBox())!;
      const clip = await locator.evaluate((el) => {
        const wrap = el.closest('.table-wrap')!.getBoundingClientRect();
        return { right: wrap.right };
      });
      return box.x >= 0 && box.x + box.width <= Math.min(LAPTOP.width, clip.right) + 0.5;
    };
    expect(await inView(page.getByRole('table', { name: 'Batches' }).getByRole('columnheader', { name: 'Last NSV (bbl)' }))).toBe(true);
    expect(await inView(page.getByRole('table', { name: 'Volumes' }).getByRole('columnheader', { name: 'NSV (bbl)' }))).toBe(true);
    await b!.shot('layout-1366-batches');
    await nav(page, 'Export');
    const remove = page.getByRole('button', { name: /^Remove the export started/ }).first();
    await remove.waitFor();
    expect(await inView(remove)).toBe(true);
    await b!.shot('layout-1366-export');
  });

  it('when the window is under 1000 px wide, then the menu folds behind a Menu button that opens it and Esc folds it', async () => {
    b = await openBrowser({ viewport: { width: 900, height: 700 } });
    const page = b.page;
    await signIn(page, station.url, ADMIN);
    const menu = page.getByRole('navigation', { name: 'Main' });
    expect(await menu.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Menu' }).click();
    await menu.getByRole('link', { name: 'Telemetry' }).waitFor();
    await b.shot('layout-900-menu-open');
    await page.keyboard.press('Escape');
    await expect.poll(() => menu.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Menu' }).click();
    await menu.getByRole('link', { name: 'Telemetry' }).click();
    await page.getByRole('heading', { name: 'Telemetry' }).waitFor();
    await expect.poll(() => menu.isVisible()).toBe(false);
  });

  it('when Esc is pressed with a reading or a batch open, then the pane closes', async () => {
    const id = await transportedBatch();
    const page = await open();
    await page.goto(`${station.url}/telemetry?device=layout-well-1&last=21600`);
    await page.getByRole('table', { name: 'Readings' }).getByRole('cell', { name: 'layout-well-1' }).first().click();
    const reading = page.getByRole('complementary', { name: /Reading \d+/ });
    await reading.waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => reading.count()).toBe(0);
    await nav(page, 'Batches');
    await page.getByRole('table', { name: 'Batches' }).getByRole('cell', { name: id }).click();
    const pane = page.getByRole('complementary', { name: `Batch ${id}` });
    await pane.waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => pane.count()).toBe(0);
  });

  it('when a user is disabled, then it is asked first, Keep changes nothing, and Yes disables', async () => {
    expect((await station.api('POST', '/api/users', admin, { username: 'layout-eng', password: 'layout-eng-password', role: 'user' })).status).toBe(201);
    const page = await open();
    await nav(page, 'Admin');
    const row = page.getByRole('table', { name: 'Users' }).getByRole('row', { name: /layout-eng/ });
    await row.getByRole('button', { name: 'Disable layout-eng' }).click();
    await row.getByRole('button', { name: 'Keep' }).click();
    const users = async () =>
      ((await (await station.api('GET', '/api/users', admin)).json()) as { username: string; disabled: boolean }[]).find((u) => u.username === 'layout-eng');
    expect((await users())?.disabled).toBe(false);
    await row.getByRole('button', { name: 'Disable layout-eng' }).click();
    await row.getByRole('button', { name: 'Yes, disable' }).click();
    await row.getByText('disabled').waitFor();
    expect((await users())?.disabled).toBe(true);
  });

  it('when a batch is moved to delivered, then the form asks for the delivered measurement, then confirms the move before sending it', async () => {
    const id = await transportedBatch();
    const page = await open();
    await nav(page, 'Batches');
    await page.getByRole('table', { name: 'Batches' }).getByRole('cell', { name: id }).click();
    const pane = page.getByRole('complementary', { name: `Batch ${id}` });
    await pane.getByLabel('Location').fill('Cushing terminal');
    await pane.getByRole('button', { name: 'Move to delivered' }).click();
    await expect.poll(() => pane.locator('.field-error').allTextContents()).toContain('Required to move to delivered');
    const stage = async () => ((await (await station.api('GET', `/api/oil/batches/${id}`, admin)).json()) as { current_stage: string }).current_stage;
    expect(await stage()).toBe('transported');
    await pane.getByLabel('Gross volume (bbl)').fill('975');
    await pane.getByLabel('Oil temperature (°F)').fill('60');
    await pane.getByLabel('API gravity').fill('30');
    await pane.getByLabel('BS&W (%)').fill('0.5');
    await pane.getByRole('button', { name: 'Move to delivered' }).click();
    await pane.getByRole('group', { name: `Move ${id} to delivered?` }).waitFor();
    await b!.shot('batch-move-confirm');
    await pane.getByRole('button', { name: 'Not yet' }).click();
    expect(await stage()).toBe('transported');
    await pane.getByRole('button', { name: 'Move to delivered' }).click();
    await pane.getByRole('button', { name: 'Yes, move' }).click();
    await expect.poll(() => pane.getByTestId('batch-stage').textContent()).toBe('delivered');
    expect(await stage()).toBe('delivered');
  });

  it('when every page is opened at 1366 x 768 in light and in dark, then each is saved as a screenshot and none is blank', async () => {
    for (const dark of [false, true]) {
      const page = await open({ dark });
      for (const name of PAGES) {
        await nav(page, name);
        await page.waitForTimeout(400);
        expect((await page.locator('main').innerText()).length).toBeGreaterThan(20);
        await b!.shot(`page-${name.toLowerCase().replace(' ', '-')}-${dark ? 'dark' : 'light'}-1366`);
      }
      await b!.close();
      b = undefined;
    }
  });
});
