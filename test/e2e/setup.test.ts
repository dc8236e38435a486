import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config';
import { createLogger } from '../../src/server/logger';
import { startStation, type Station } from '../../src/server/station';
import { hasChromium, openBrowser, type Browser } from './helpers/browser';

// The desktop app's first run: no ADMIN_PASSWORD and nobody to print a generated one to, so the
// station starts with no users and the UI must offer to create the administrator.
describe.skipIf(!hasChromium)('first run in Chromium', () => {
  let station: Station;
  let dataDir: string;
  let b: Browser;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'oilfield-e2e-setup-'));
    station = await startStation(loadConfig({}, { DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: 0, SERVE_UI: 'true' }), { logger: createLogger('silent') });
    b = await openBrowser();
  });
  afterAll(async () => {
    await b?.close();
    await station?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('when no user exists, then the create-admin screen validates as you type and signs the new admin in', async () => {
    const { page } = b;
    await page.goto(station.url);
    await page.getByRole('heading', { name: 'Create the administrator' }).waitFor();
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByText('must be at least 8 characters').waitFor();
    await page.getByLabel('Password', { exact: true }).fill('first-admin-password');
    await page.getByLabel('Repeat password').fill('first-admin-passwurd');
    await page.getByText('the passwords differ').waitFor();
    await b.shot('00-create-admin');
    await page.getByLabel('Repeat password').fill('first-admin-password');
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByText(/No devices yet/).waitFor();
    await b.shot('01-overview-empty');
    const res = await fetch(`${station.url}/api/setup`);
    expect(await res.json()).toEqual({ needs_admin: false });
  });

  it('when signed out after setup, then the sign-in screen shows instead', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await b.shot('00-sign-in');
  });
});
