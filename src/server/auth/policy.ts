import type { Request, RequestHandler } from 'express';
import type { Role } from '../../shared/auth';
import { AppError } from '../http/errors';
import type { Guards } from './guards';
import type { Principal } from './principal';
import { scopeMatcher } from './scope';

const needSignIn = () =>
  new AppError(401, 'sign in first: send "Authorization: Bearer <token>" (POST /token) or an API key', {
    headers: { 'WWW-Authenticate': 'Bearer realm="smart-oilfield"' },
  });

function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    const p = req.principal;
    if (!p) throw needSignIn();
    if (!roles.includes(p.role)) throw new AppError(403, `this needs the ${roles.join(' or ')} role; you are ${p.role}`);
    next();
  };
}

/** Which credential authorises ingest, and with what device scope. */
function ingestGrant(p: Principal): { devices?: string[] } | undefined {
  if (p.kind === 'key') return p.role === 'device' || p.role === 'admin' ? { devices: p.devices } : undefined;
  // The seed's way: an admin bearer token together with an API key.
  if (p.role === 'admin' && p.withKey) return { devices: p.withKey.devices };
  // A device key keeps its (scoped) right to ingest when a non-admin token rides along with it.
  if (p.withKey?.role === 'device') return { devices: p.withKey.devices };
  return undefined;
}

/** Runs `a`, then `b`: a guard and its rate limit as one middleware. */
const both =
  (a: RequestHandler, b: RequestHandler): RequestHandler =>
  (req, res, next) =>
    a(req, res, (err?: unknown) => (err ? next(err) : b(req, res, next)));

export interface GuardOptions {
  /** applied after the role check, so anonymous floods are refused before they count */
  limits?: { read: RequestHandler; ingest: RequestHandler };
}

/**
 * The access policy in one place (README has it as a table):
 * - read: any signed-in user, or a user/admin key; device keys only ingest.
 * - ingest: a device or admin key, or an admin token with an API key; device scope enforced.
 * - user: engineers and admins; admin: admins.
 */
export function createGuards(options: GuardOptions = {}): Guards {
  const read = requireRole('admin', 'user');
  const ingest: RequestHandler = (req, _res, next) => {
    const p = req.principal;
    if (!p) throw needSignIn();
    if (!ingestGrant(p)) {
      throw new AppError(
        403,
        p.kind === 'key'
          ? `a ${p.role} key may not ingest; use a device key`
          : 'ingest needs a device key, or an admin token together with an API key (x-api-key)',
      );
    }
    next();
  };
  return {
    read: options.limits ? both(read, options.limits.read) : read,
    user: options.limits ? both(read, options.limits.read) : read,
    admin: requireRole('admin'),
    ingest: options.limits ? both(ingest, options.limits.ingest) : ingest,
    assertCanWrite(req: Request, deviceIds: Iterable<string>) {
      const grant = req.principal && ingestGrant(req.principal);
      if (!grant) throw new AppError(403, 'not allowed to ingest');
      const allowed = scopeMatcher(grant.devices);
      const refused = [...deviceIds].filter((id) => !allowed(id));
      if (refused.length) {
        throw new AppError(403, `this key may not write device${refused.length > 1 ? 's' : ''} ${refused.slice(0, 10).join(', ')}`);
      }
    },
  };
}
