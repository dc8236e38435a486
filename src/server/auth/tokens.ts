import { createSecretKey, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import jwt from 'jsonwebtoken';
import { roleSchema, type Role } from '../../shared/auth';
import { ensurePrivateDir } from '../files/private';

export interface TokenClaims {
  sub: string;
  uid?: number;
  kid?: number;
  role: Role;
  /** the user's token_version when the token was issued; a bump ends the token */
  tv?: number;
}

/** What a verified token says, with the id and expiry that signing out needs. */
export interface VerifiedClaims extends TokenClaims {
  /** the token's own id; tokens from before ids were issued have none and cannot be signed out singly */
  jti?: string;
  /** expiry, ms UTC */
  expMs: number;
}

const ISSUER = 'smart-oilfield-station';

/**
 * The per-install signing secret: JWT_SECRET when set, otherwise 64 random bytes generated on
 * first start and kept in a 0600 file beside the database.
 */
export function loadJwtSecret(file: string, fromEnv?: string): Buffer {
  if (fromEnv) {
    if (fromEnv.length < 32) throw new Error('JWT_SECRET must be at least 32 characters');
    return Buffer.from(fromEnv);
  }
  try {
    const existing = readFileSync(file);
    if (existing.length >= 32) return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  ensurePrivateDir(dirname(file));
  const secret = randomBytes(64);
  writeFileSync(file, secret, { mode: 0o600, flag: 'w' });
  chmodSync(file, 0o600);
  return secret;
}

export class TokenIssuer {
  /**
   * A secret KeyObject, not the raw bytes: given bytes, jsonwebtoken first tries to read them as a
   * public key and catches the failure, on every verify (a tenth of a light request's CPU).
   */
  private readonly secret: KeyObject;

  constructor(
    secret: Buffer,
    readonly ttlSeconds: number,
  ) {
    this.secret = createSecretKey(secret);
  }

  sign(claims: TokenClaims): string {
    return jwt.sign(claims, this.secret, { algorithm: 'HS256', expiresIn: this.ttlSeconds, issuer: ISSUER, audience: ISSUER, jwtid: randomUUID() });
  }

  /**
   * Verifies with the algorithm pinned to HS256 (no `none`, no RS/HS confusion); throws on any
   * fault. A token without `exp` is refused: jsonwebtoken would accept it as valid forever.
   */
  verify(token: string): VerifiedClaims {
    const payload = jwt.verify(token, this.secret, { algorithms: ['HS256'], issuer: ISSUER, audience: ISSUER });
    if (typeof payload === 'string') throw new Error('unexpected token payload');
    if (typeof payload.exp !== 'number') throw new Error('token has no expiry');
    const role = roleSchema.parse(payload.role);
    if (typeof payload.sub !== 'string') throw new Error('token has no subject');
    return {
      sub: payload.sub,
      role,
      uid: payload.uid as number | undefined,
      kid: payload.kid as number | undefined,
      tv: payload.tv as number | undefined,
      jti: typeof payload.jti === 'string' ? payload.jti : undefined,
      expMs: payload.exp * 1000,
    };
  }
}
