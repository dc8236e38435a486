/**
 * Every URL that leaves the app (a link opened in the user's browser) or that the window may load
 * is parsed with `new URL` and checked here. String prefix checks are not enough:
 * `http://127.0.0.1:8000@evil.example` starts with the station's address.
 */

/** Schemes we hand to the operating system; never file:, javascript:, data:, smb: or custom handlers. */
const EXTERNAL_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:']);

const MAX_URL_LENGTH = 2048;

/** Parses `raw` as an absolute URL, or returns undefined for anything malformed or oversized. */
export function parseUrl(raw: unknown, base?: string): URL | undefined {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_URL_LENGTH) return undefined;
  try {
    return base === undefined ? new URL(raw) : new URL(raw, base);
  } catch {
    return undefined;
  }
}

/**
 * The URL to open in the external browser, normalised, or undefined when it is not allowed:
 * only http/https, with a host, and without embedded credentials (a classic way to disguise a host).
 */
export function externalUrl(raw: unknown, protocols: ReadonlySet<string> = EXTERNAL_PROTOCOLS): string | undefined {
  const url = parseUrl(raw);
  if (!url || !protocols.has(url.protocol)) return undefined;
  if (!url.hostname || url.username || url.password) return undefined;
  return url.href;
}

/** True when `raw` belongs to one of `origins` (exact scheme, host and port match). */
export function isTrustedOrigin(raw: unknown, origins: readonly string[]): boolean {
  const url = parseUrl(raw);
  if (!url || !EXTERNAL_PROTOCOLS.has(url.protocol) || url.username || url.password) return false;
  return origins.includes(url.origin);
}

/** `http://127.0.0.1:8000/` -> `http://127.0.0.1:8000`; throws on anything that is not an http(s) URL. */
export function originOf(raw: string): string {
  const url = parseUrl(raw);
  if (!url || !EXTERNAL_PROTOCOLS.has(url.protocol)) throw new Error(`not an http(s) URL: ${raw}`);
  return url.origin;
}
