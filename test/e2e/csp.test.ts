import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, openBrowser, type Browser } from './helpers/browser';
import { ADMIN, UiStation } from './helpers/station';

/**
 * The page's policy comes in the response header (all directives, frame-ancestors included); the
 * <meta> copy in index.html, which guards the page when it is opened some other way, holds only
 * what a meta policy can express. Chromium reports anything else as a console error on every page.
 */
describe.skipIf(!hasChromium)('Content-Security-Policy in Chromium', () => {
  let station: UiStation;
  let b: Browser;
  const console: string[] = [];

  beforeAll(async () => {
    station = await new UiStation().start();
    b = await openBrowser();
    b.page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') console.push(m.text());
    });
  });
  afterAll(async () => {
    await b?.close();
    await station?.stop();
  });

  it('when the UI loads and the engineer signs in, then the header policy forbids framing and the console has no policy complaints', async () => {
    const res = await b.page.goto(station.url);
    expect(res?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await b.page.getByLabel('Username').fill(ADMIN.username);
    await b.page.getByLabel('Password').fill(ADMIN.password);
    await b.page.getByRole('button', { name: 'Sign in' }).click();
    await b.page.getByRole('heading', { name: 'Overview' }).waitFor();
    const meta = await b.page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(meta).toContain("default-src 'self'");
    expect(meta).not.toMatch(/frame-ancestors|report-uri|sandbox/);
    expect(console.filter((text) => /Content Security Policy|frame-ancestors/i.test(text))).toEqual([]);
  });

  it('when a page is opened or reloaded at a deep address, then the app loads and every asset is found (they are addressed from the root)', async () => {
    await b.page.goto(`${station.url}/reports/nowhere/deeper`);
    await expect.poll(async () => (await b.page.locator('#root').innerText()).trim().length, { timeout: 15_000 }).toBeGreaterThan(0);
    // every script and style the page asks for must come back as itself, not as the index page
    const assets: string[] = [];
    b.page.on('response', (r) => {
      if (/\.(js|css)$/.test(new URL(r.url()).pathname)) assets.push(`${r.status()} ${r.headers()['content-type'] ?? ''} ${new URL(r.url()).pathname}`);
    });
    await b.page.reload();
    await expect.poll(async () => (await b.page.locator('#root').innerText()).trim().length, { timeout: 15_000 }).toBeGreaterThan(0);
    expect(assets.length).toBeGreaterThan(0);
    expect(assets.filter((line) => !/^200 (text\/javascript|application\/javascript|text\/css)/.test(line) || !line.includes(' /assets/'))).toEqual([]);
  });
});
