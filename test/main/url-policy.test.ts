import { describe, expect, it } from 'vitest';
import { decideNavigation } from '../../src/main/navigation';
import { externalUrl, isTrustedOrigin, originOf, parseUrl } from '../../src/main/url-policy';

const STATION = 'http://127.0.0.1:8000';

describe('externalUrl (links opened in the user browser)', () => {
  it('when the link is http or https, then it is allowed and normalised', () => {
    expect(externalUrl('https://example.com/a b')).toBe('https://example.com/a%20b');
    expect(externalUrl('http://127.0.0.1:8000/docs')).toBe('http://127.0.0.1:8000/docs');
    expect(externalUrl('HTTPS://Example.COM')).toBe('https://example.com/');
  });

  it.each([
    ['javascript:alert(1)'],
    ['JaVaScRiPt:alert(1)'],
    ['file:///etc/passwd'],
    ['file://server/share/x.exe'],
    ['data:text/html,<script>alert(1)</script>'],
    ['vbscript:msgbox'],
    ['smb://host/share'],
    ['ms-settings:'],
    ['mailto:a@b.c'],
    ['ftp://example.com/x'],
    ['about:blank'],
    ['chrome://settings'],
  ])('when the scheme is %s, then it is refused', (url) => {
    expect(externalUrl(url)).toBeUndefined();
  });

  it.each([[''], ['not a url'], ['//example.com/x'], ['/docs'], ['http://'], ['https://exa mple.com'], ['http://[::1']])(
    'when the link is malformed or relative (%s), then it is refused',
    (url) => {
      expect(externalUrl(url)).toBeUndefined();
    },
  );

  it('when the link carries credentials that disguise its host, then it is refused', () => {
    expect(externalUrl('http://127.0.0.1:8000@evil.example/')).toBeUndefined();
    expect(externalUrl('https://user:pass@example.com/')).toBeUndefined();
  });

  it('when the value is not a string or is huge, then it is refused', () => {
    expect(externalUrl(undefined)).toBeUndefined();
    expect(externalUrl(42)).toBeUndefined();
    expect(externalUrl({ href: 'https://example.com' })).toBeUndefined();
    expect(externalUrl(`https://example.com/${'a'.repeat(5000)}`)).toBeUndefined();
  });
});

describe('isTrustedOrigin and decideNavigation (the window itself)', () => {
  it('when the URL is on the station origin, then the window may navigate there', () => {
    expect(isTrustedOrigin(`${STATION}/telemetry?x=1#top`, [STATION])).toBe(true);
    expect(decideNavigation(`${STATION}/`, [STATION])).toEqual({ action: 'allow' });
  });

  it('when only the port, scheme or host differs, then it is another origin', () => {
    for (const url of ['http://127.0.0.1:8001/', 'https://127.0.0.1:8000/', 'http://localhost:8000/', 'http://127.0.0.1/']) {
      expect(isTrustedOrigin(url, [STATION])).toBe(false);
    }
  });

  it('when a look-alike hides the station in user info or a subdomain, then it is another origin', () => {
    expect(isTrustedOrigin('http://127.0.0.1:8000@evil.example/', [STATION])).toBe(false);
    expect(isTrustedOrigin('http://127.0.0.1.evil.example:8000/', [STATION])).toBe(false);
    expect(decideNavigation('http://127.0.0.1:8000@evil.example/', [STATION])).toEqual({ action: 'deny' });
  });

  it('when the target is an outside http link, then it goes to the browser instead of the window', () => {
    expect(decideNavigation('https://example.com/manual', [STATION])).toEqual({ action: 'external', url: 'https://example.com/manual' });
  });

  it('when the target is file:, javascript:, data: or malformed, then nothing happens at all', () => {
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,x', 'garbage', '']) {
      expect(decideNavigation(url, [STATION])).toEqual({ action: 'deny' });
    }
  });
});

describe('parseUrl and originOf', () => {
  it('when a base is given, then relative paths resolve against it', () => {
    expect(parseUrl('/api/x', STATION)?.href).toBe(`${STATION}/api/x`);
  });

  it('when the station URL is not http(s), then originOf throws', () => {
    expect(originOf(`${STATION}/`)).toBe(STATION);
    expect(() => originOf('file:///tmp')).toThrow(/not an http/);
  });
});
