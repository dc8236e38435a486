import { parseUrl } from './url-policy';

/**
 * The Content-Security-Policy the desktop window enforces on the station's pages. It matches what
 * the station already sends through helmet (src/server/app.ts), so the UI behaves the same in a
 * browser and in the app, and adds the directives that only matter here. Set from the session as
 * well, so the window stays protected even if a settings change ever turned helmet's header off.
 * `'unsafe-inline'` for styles only: React and uPlot set inline styles; scripts stay 'self'.
 */
const DESKTOP_CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'worker-src': ["'self'", 'blob:'],
  'object-src': ["'none'"],
  'frame-src': ["'none'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
};

export function buildCsp(directives: Readonly<Record<string, readonly string[]>> = DESKTOP_CSP_DIRECTIVES): string {
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

/**
 * Response headers for `session.webRequest.onHeadersReceived`: responses from the station get our
 * CSP (replacing any spelling of the header the server sent, so exactly one policy applies);
 * anything else passes through untouched.
 */
export function withCsp(
  url: string,
  headers: Record<string, string[]> | undefined,
  stationOrigin: string,
  csp: string = buildCsp(),
): Record<string, string[]> | undefined {
  if (parseUrl(url)?.origin !== stationOrigin) return headers;
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') out[name] = value;
  }
  out['Content-Security-Policy'] = [csp];
  return out;
}
