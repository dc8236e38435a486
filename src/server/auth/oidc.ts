import { createPublicKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { OidcConfig } from '../config';
import { AppError } from '../http/errors';
import type { Principal } from './principal';

/**
 * Only asymmetric algorithms: the provider signs with its private key and we hold nothing secret.
 * Pinning them is what defeats `alg: none` and the HS256-signed-with-the-public-key trick.
 */
const ALGORITHMS = ['RS256', 'ES256'];

export type ExternalVerifier = (token: string) => Promise<Principal | undefined>;

/** A PEM public key as a KeyObject; jose takes it as is for either algorithm. */
function pemKey(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ec') {
    throw new Error(`OIDC_PUBLIC_KEY must be an RSA or EC public key, not ${key.asymmetricKeyType}`);
  }
  return key;
}

/** Reads a claim by dotted path (Keycloak puts roles in `realm_access.roles`). */
function claimAt(payload: JWTPayload, path: string): unknown {
  if (path in payload) return payload[path];
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (!value || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** admin wins over user when a token carries both; anything else is no station role at all. */
export function mapRole(claim: unknown, cfg: Pick<OidcConfig, 'adminValues' | 'userValues'>): 'admin' | 'user' | undefined {
  const values = (Array.isArray(claim) ? claim : [claim]).filter((v): v is string => typeof v === 'string');
  if (values.some((v) => cfg.adminValues.includes(v))) return 'admin';
  if (values.some((v) => cfg.userValues.includes(v))) return 'user';
  return undefined;
}

/**
 * Verifies bearer tokens from an external OAuth2/OIDC provider: signature (JWKS or PEM), issuer,
 * audience, expiry and not-before, then maps the role claim. A token that is valid but carries no
 * station role is a 403 (we know who it is; they may not come in), every other fault is "not ours"
 * (undefined), which the caller answers with 401.
 */
export function createOidcVerifier(cfg: OidcConfig): ExternalVerifier {
  const options = { issuer: cfg.issuer, audience: cfg.audience, algorithms: ALGORITHMS, clockTolerance: 30 };
  let verify: (token: string) => Promise<{ payload: JWTPayload }>;
  if (cfg.jwksUrl) {
    const jwks: JWTVerifyGetKey = createRemoteJWKSet(new URL(cfg.jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000 });
    verify = (token) => jwtVerify(token, jwks, options);
  } else {
    const key = pemKey(cfg.publicKeyPem!);
    verify = (token) => jwtVerify(token, key, options);
  }
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await verify(token));
    } catch {
      // Bad signature, wrong issuer, expired, or the provider's JWKS unreachable: all refusals,
      // since without the provider's keys nothing can be verified.
      return undefined;
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') return undefined;
    const role = mapRole(claimAt(payload, cfg.roleClaim), cfg);
    if (!role) throw new AppError(403, `the identity provider gave this token no station role (claim ${cfg.roleClaim})`);
    return { kind: 'oidc', subject: payload.sub.slice(0, 128), role };
  };
}
