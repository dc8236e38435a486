import type { RequestHandler } from 'express';
import { AppError } from '../http/errors';
import { CredentialCache } from './credential-cache';
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

const AUTHORIZATION = /^(Bearer|Token)\s+(\S{1,4096})$/i;
const API_KEY = /^\S{1,256}$/;

/**
 * Establishes `req.principal` from a bearer token and/or an API key. Presented credentials must
 * all be valid (a bad key next to a good token is refused, not ignored). No credentials at all
 * leaves the request anonymous; the guards decide whether that is enough.
 *
 * Verified credentials are cached (credential-cache.ts) and their principals shared between
 * requests; a device key's request with a cached key allocates nothing here and stays synchronous.
 */
export function authenticate(deps: AuthenticateDeps): RequestHandler {
  const cache = new CredentialCache();
  return (req, _res, next) => {
    cache.sync(deps.revoked.generation);
    let bearer: string | undefined;
    let key: string | undefined;
    const header = req.headers.authorization;
    if (header !== undefined) {
      const m = AUTHORIZATION.exec(header.trim());
      if (!m) throw unauthorized('Authorization header must be "Bearer <token>" or "Token <api key>"');
      if (m[1]!.toLowerCase() === 'bearer') bearer = m[2];
      else key = m[2];
    }
    const apiKey = req.headers['x-api-key'];
    if (apiKey !== undefined) {
      if (typeof apiKey !== 'string' || !API_KEY.test(apiKey)) throw unauthorized('x-api-key header is malformed');
      if (key !== undefined && key !== apiKey) throw unauthorized('two different API keys were sent');
      key = apiKey;
    }
    const keyPrincipal = key === undefined ? undefined : keyOf(deps, cache, key);
    if (bearer === undefined) {
      if (keyPrincipal) req.principal = keyPrincipal;
      return next();
    }
    const cached = cache.token(bearer, Date.now());
    if (cached !== undefined) {
      if (cached.jti !== undefined && deps.revoked.isRevoked(cached.jti)) throw unauthorized('invalid or expired token');
      req.principal = withKey(cached.principal, keyPrincipal);
      return next();
    }
    verifyBearer(deps, cache, bearer).then((principal) => {
      if (!principal) return next(unauthorized('invalid or expired token'));
      req.principal = withKey(principal, keyPrincipal);
      next();
    }, next);
  };
}

/** A bearer token presented with an API key (an admin ingesting as a device) carries both. */
function withKey(principal: Principal, key: Principal | undefined): Principal {
  if (!key) return principal;
  return { ...principal, withKey: { keyId: key.keyId!, role: key.role, devices: key.devices } };
}

/** The principal of an API key, from the cache or looked up (SHA-256, one SELECT) and then cached. */
function keyOf(deps: AuthenticateDeps, cache: CredentialCache, key: string): Principal {
  let principal = cache.key(key);
  if (principal === undefined) {
    const row = deps.keys.findByKey(key);
    if (!row || row.revoked_at !== null) throw unauthorized(row ? 'API key has been revoked' : 'invalid API key');
    principal = keyPrincipalOf(row);
    cache.rememberKey(key, principal);
  }
  deps.keys.markUsed(principal.keyId!);
  return principal;
}

const keyPrincipalOf = (row: KeyRow, token?: Principal['token']): Principal => ({
  kind: 'key',
  subject: row.prefix,
  role: row.role,
  keyId: row.id,
  devices: row.devices ? (JSON.parse(row.devices) as string[]) : undefined,
  token,
});

/**
 * Verifies a bearer token: the station's own (cached once verified, until it expires), else the
 * external identity provider's (not cached: its verifier keeps its own keys). Everything up to the
 * cache write is synchronous, so a revocation cannot slip between the lookup and the write.
 */
async function verifyBearer(deps: AuthenticateDeps, cache: CredentialCache, token: string): Promise<Principal | undefined> {
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
  let principal: Principal | undefined;
  if (claims.uid !== undefined) {
    // A disabled user's unexpired tokens stop working at once, and so do tokens issued before a
    // password reset (token_version); a role change applies at once too.
    const user = deps.users.findById(claims.uid);
    if (!user || user.disabled || (claims.tv ?? 0) !== user.token_version) return undefined;
    principal = { kind: 'user', subject: user.username, role: user.role, userId: user.id, token: issued };
  } else if (claims.kid !== undefined) {
    const key = deps.keys.findById(claims.kid);
    if (!key || key.revoked_at !== null) return undefined;
    principal = keyPrincipalOf(key, issued);
  }
  if (principal) cache.rememberToken(token, { principal, expMs: claims.expMs, jti: claims.jti });
  return principal;
}
