import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diagnosticsFileName, openDesktopLog } from '../../src/main/desktop-log';
import { describeFailure, logsDir } from '../../src/main/station-settings';
import { crashedView, STARTING_VIEW, statusPageHtml, statusPageUrl } from '../../src/main/status-page';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the status page the window shows while the station is down', () => {
  it('when the station said something hostile before it died, then the page shows it as text, with no script allowed', () => {
    const view = crashedView({ failures: 2, restartInMs: 2000, exitCode: 1, fatal: { message: '<img src=x onerror=alert(1)> & "quotes"' } }, '/data/logs');
    const html = statusPageHtml(view);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;');
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(html).not.toMatch(/<script/i);
  });

  it('when it crashed, then the page says it restarts by itself, when, which attempt, and where the logs are', () => {
    const { title, detail } = crashedView({ failures: 3, restartInMs: 4000, exitCode: null }, '/data/logs');
    expect(title).toBe('The station stopped unexpectedly');
    expect(detail).toContain('restarts by itself in 4 s (attempt 3)');
    expect(detail).toContain('/data/logs');
  });

  it('when turned into a URL, then it is a self-contained data: page that decodes back to the same HTML', () => {
    const url = statusPageUrl(STARTING_VIEW);
    expect(url.startsWith('data:text/html;charset=utf-8,')).toBe(true);
    expect(decodeURIComponent(url.slice('data:text/html;charset=utf-8,'.length))).toBe(statusPageHtml(STARTING_VIEW));
  });
});

describe('describeFailure', () => {
  const userData = '/home/engineer/.config/SMART Oilfield';
  it('when the failure is a permission or an internal error, then it does not send the engineer to settings.json', () => {
    expect(describeFailure({ kind: 'database-not-writable', message: 'x' }, userData)).not.toContain('settings.json');
    const internal = describeFailure({ kind: 'internal', message: 'boom' }, userData);
    expect(internal).not.toContain('settings.json');
    expect(internal).toContain(logsDir(userData));
  });

  it('when the port is refused, then it says to choose a port above 1024 in settings.json', () => {
    expect(describeFailure({ kind: 'port-denied', message: 'x', port: 80 }, userData)).toMatch(/port 80[\s\S]*above 1024[\s\S]*settings\.json/);
  });
});

describe('the desktop shell log', () => {
  it('when the shell logs, then the line lands in desktop.N.log in the logs folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oilfield-desktop-log-'));
    dirs.push(dir);
    const log = await openDesktopLog(join(dir, 'logs'));
    log.error({ failures: 1 }, 'the station stopped unexpectedly; restarting');
    await expect.poll(() => readdirSync(join(dir, 'logs'))).toEqual(['desktop.1.log']);
    await expect
      .poll(() => readFileSync(join(dir, 'logs', 'desktop.1.log'), 'utf8'))
      .toMatch(/"process":"desktop".*"msg":"the station stopped unexpectedly; restarting"/);
  });

  it('when diagnostics are saved, then the suggested name sorts by time and has no character a file system refuses', () => {
    expect(diagnosticsFileName(new Date('2026-12-06T04:12:33Z'))).toBe('smart-oilfield-diagnostics-2026-12-06T0412.json');
  });
});
