import { hostname, networkInterfaces } from 'node:os';
import type { RequestHandler } from 'express';
import { AppError } from './errors';

/**
 * Names every station answers to: this machine over loopback. 0.0.0.0 is what a client sends after
 * connecting to "0.0.0.0" (Linux routes it to this machine); an address literal cannot be rebound.
 */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1', '0.0.0.0'];
const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
/** The machine's own addresses are read again at most this often (DHCP, a new adapter). */
const REFRESH_MS = 5_000;

export interface HostCheckOptions {
  /** LAN access on: this machine's own addresses and names are accepted too */
  lan: boolean;
  /** ALLOWED_HOSTS: further names the station is reached by (a site DNS name, a reverse proxy) */
  extra: readonly string[];
}

/**
 * DNS rebinding defence. A web page the engineer visits can point its own domain at 127.0.0.1
 * and then call the station from the browser as "same origin"; the only trace is the Host header,
 * which still names the attacker's domain. So every request must name the station by a name it
 * is really reached by: loopback, and with LAN access on this machine's addresses and host name,
 * plus ALLOWED_HOSTS. Anything else is refused before any route (setup and /token included).
 */
export function hostCheck(options: HostCheckOptions): RequestHandler {
  const fixed = new Set([...LOOPBACK_NAMES, ...options.extra.map((h) => h.toLowerCase())]);
  let own = new Set<string>();
  let readAt = 0;
  const ownNames = (): Set<string> => {
    if (Date.now() - readAt > REFRESH_MS) {
      readAt = Date.now();
      own = machineNames();
    }
    return own;
  };
  return (req, _res, next) => {
    const raw = req.headers.host;
    // HTTP/1.0 clients may send no Host; a browser always sends one, so there is nothing to rebind
    if (raw === undefined) return next();
    const name = hostName(raw);
    if (name !== undefined && (fixed.has(name) || LOOPBACK_V4.test(name) || (options.lan && ownNames().has(name)))) return next();
    next(
      new AppError(
        421,
        `this station does not answer to the host name ${JSON.stringify(raw.slice(0, 100))}; use its address, or add the name to ALLOWED_HOSTS`,
        {
          type: 'https://smart-oilfield.local/problems/unknown-host',
        },
      ),
    );
  };
}

/** Whether the station listens on loopback only (LAN access off). */
export const isLoopbackHost = (host: string): boolean => host === 'localhost' || host === '::1' || LOOPBACK_V4.test(host);

/** The host of a Host header, lower case, without port or IPv6 brackets; undefined if malformed. */
function hostName(header: string): string | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/i.exec(header.trim());
  if (!m) return undefined;
  const host = m[1]!.toLowerCase().replace(/\.$/, '');
  return host.startsWith('[') ? host.slice(1, -1) : host;
}

function machineNames(): Set<string> {
  const names = new Set<string>();
  const name = hostname().toLowerCase();
  names.add(name);
  names.add(`${name}.local`);
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) names.add(a.address.toLowerCase().replace(/%.*$/, ''));
  }
  return names;
}
