import type { Request, RequestHandler } from 'express';
import { AppError } from '../http/errors';
import type { KeysRepository, KeyRow } from './keys-repository';
import type { Principal } from './principal';
import type { RevokedTokens } from './revoked-tokens';
import type { TokenIssuer } from './tokens';
import type { UsersRepository } from './users-repository';

export interface AuthenticateDeps {
  tokens: TokenIssuer;
  users: UsersRepository;
  keys: KeysRepository;
  revoked: RevokedTokens;
  /** optional verifier for bearer tokens from an external identity provider */
  external?: (token: string) => Promise<Principal | undefined>;
}

const unauthorized = (detail: string) => new AppError(401, detail, { headers: { 'WWW-Authenticate': 'Bearer realm="smart-oilfield"' } });

/** Reads credentials from the headers API and line-protocol clients send. */
function credentials(req: Request): { bearer?: string; key?: string } {
  const out: { bearer?: string; key?: string } = {};
  const header = req.headers.authorization;
  if (header !== undefined) {
    const m = /^(Bearer|Token)\s+(\S{1,4096})$/i.exec(header.trim());
    if (!m) throw unauthorized('Authorization header must be "Bearer <token>" or "Token <api key>"');
    if (m[1]!.toLowerCase() === 'bearer') out.bearer = m[2];
    else out.key = m[2];
  }
  const apiKey = req.headers['x-api-key'];
  if (apiKey !== undefined) {
    if (typeof apiKey !== 'string' || !/^\S{1,256}$/.test(apiKey)) throw unauthorized('x-api-key header is malformed');
    if (out.key && out.key !== apiKey) throw unauthorized('two different API keys were sent');
    out.key = apiKey;
  }
  return out;
}

/**
 * Establishes `req.principal` from a bearer token and/or an API key. Presented credentials must
 * all be valid (a bad key next to a good token is refused, not ignored). No credentials at all
 * leaves the request anonymous; the guards decide whether that is enough.
 */
export function authenticate(deps: AuthenticateDeps): RequestHandler {
  return async (req, _res, next) => {
    const { bearer, key } = credentials(req);
    let keyRow: KeyRow | undefined;
    if (key !== undefined) {
      keyRow = deps.keys.findByKey(key);
      if (!keyRow || keyRow.revoked_at !== null) throw unauthorized(keyRow ? 'API key has been revoked' : 'invalid API key');
      deps.keys.markUsed(keyRow.id);
    }
    const keyPrincipal = keyRow && {
      keyId: keyRow.id,
      role: keyRow.role,
      devices: keyRow.devices ? (JSON.parse(keyRow.devices) as string[]) : undefined,
    };
    if (bearer !== undefined) {
      const principal = (await verifyBearer(deps, bearer)) ?? undefined;
      if (!principal) throw unauthorized('invalid or expired token');
      if (keyPrincipal) principal.withKey = keyPrincipal;
      req.principal = principal;
    } else if (keyRow && keyPrincipal) {
      req.principal = { kind: 'key', subject: keyRow.prefix, role: keyRow.role, keyId: keyRow.id, devices: keyPrincipal.devices };
    }
    next();
  };
}

async function verifyBearer(deps: AuthenticateDeps, token: string): Promise<Principal | undefined> {
  let claims;
  try {
    claims = deps.tokens.verify(token);
  } catch {
    // Not one of ours: maybe the external identity provider's. Its 403 (valid token, no station
    // role) passes through; every other failure is a plain "invalid token".
    return deps.external
      ? deps.external(token).catch((err: unknown) => {
          if (err instanceof AppError) throw err;
          return undefined;
        })
      : undefined;
  }
  if (claims.jti !== undefined && deps.revoked.isRevoked(claims.jti)) return undefined;
  const issued = claims.jti !== undefined ? { jti: claims.jti, expMs: claims.expMs } : undefined;
  if (claims.uid !== undefined) {
    // A disabled user's unexpired tokens stop working at once, and so do tokens issued before a
    // password reset (token_version); a role change applies at once too.
    const user = deps.users.findById(claims.uid);
    if (!user || user.disabled || (claims.tv ?? 0) !== user.token_version) return undefined;
    return { kind: 'user', subject: user.username, role: user.role, userId: user.id, token: issued };
  }
  if (claims.kid !== undefined) {
    const key = deps.keys.findById(claims.kid);
    if (!key || key.revoked_at !== null) return undefined;
    return {
      kind: 'key',
      subject: key.prefix,
      role: key.role,
      keyId: key.id,
      devices: key.devices ? (JSON.parse(key.devices) as string[]) : undefined,
      token: issued,
    };
  }
  return undefined;
}
