import { describe, expect, it } from 'vitest';
import { guardContents, onWillNavigate, onWillRedirect, windowOpenHandler, type GuardedContents } from '../../src/main/navigation';

const STATION = 'http://127.0.0.1:8000';

function event(url: string) {
  const e = { url, prevented: false, preventDefault: () => void (e.prevented = true) };
  return e;
}

function setup() {
  const opened: string[] = [];
  return { opened, options: { trustedOrigins: [STATION], openExternal: (u: string) => void opened.push(u) } };
}

describe('will-navigate', () => {
  it('when the page navigates within the station, then it proceeds and nothing opens outside', () => {
    const { opened, options } = setup();
    const e = event(`${STATION}/telemetry`);
    onWillNavigate(options)(e);
    expect(e.prevented).toBe(false);
    expect(opened).toEqual([]);
  });

  it('when the page navigates to another site, then the window stays and the browser opens the link', () => {
    const { opened, options } = setup();
    const e = event('https://example.com/');
    onWillNavigate(options)(e);
    expect(e.prevented).toBe(true);
    expect(opened).toEqual(['https://example.com/']);
  });

  it('when the page navigates to file: or javascript:, then it is blocked and nothing opens', () => {
    const { opened, options } = setup();
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,hi']) {
      const e = event(url);
      onWillNavigate(options)(e);
      expect(e.prevented).toBe(true);
    }
    expect(opened).toEqual([]);
  });
});

describe('will-redirect', () => {
  it('when a station response redirects off the station, then the redirect is stopped and not opened', () => {
    const { opened, options } = setup();
    const off = event('https://example.com/');
    onWillRedirect(options)(off);
    const on = event(`${STATION}/signin`);
    onWillRedirect(options)(on);
    expect([off.prevented, on.prevented]).toEqual([true, false]);
    expect(opened).toEqual([]);
  });
});

describe('window.open', () => {
  it('when the page opens any window, then Electron creates none', () => {
    const { options } = setup();
    for (const url of ['https://example.com/', `${STATION}/docs`, 'javascript:alert(1)', 'about:blank', '']) {
      expect(windowOpenHandler(options)({ url })).toEqual({ action: 'deny' });
    }
  });

  it('when the link is http(s), then it opens in the browser; otherwise nowhere', () => {
    const { opened, options } = setup();
    const handler = windowOpenHandler(options);
    for (const url of [`${STATION}/docs`, 'https://example.com/x', 'file:///etc/passwd', 'javascript:alert(1)', 'https://a:b@example.com/']) handler({ url });
    expect(opened).toEqual([`${STATION}/docs`, 'https://example.com/x']);
  });
});

describe('guardContents', () => {
  it('when a web contents is created, then navigation, redirects, webviews and window.open are all guarded', () => {
    const listeners = new Map<string, (e: any) => void>();
    let openHandler: ((d: { url: string }) => { action: 'deny' }) | undefined;
    const contents: GuardedContents = {
      on: (name: string, listener: (e: any) => void) => void listeners.set(name, listener),
      setWindowOpenHandler: (h) => void (openHandler = h),
    };
    const { options } = setup();
    guardContents(contents, options);
    expect([...listeners.keys()].sort()).toEqual(['will-attach-webview', 'will-navigate', 'will-redirect']);
    const webview = event('');
    listeners.get('will-attach-webview')!(webview);
    expect(webview.prevented).toBe(true);
    expect(openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });
});
