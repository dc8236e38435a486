import type { Request } from 'express';
import type { Role } from '../../shared/auth';
import { AppError } from '../http/errors';

/** Who is calling, as established by the authenticate middleware (`req.principal`). */
export interface Principal {
  kind: 'user' | 'key' | 'oidc';
  /** user name, key prefix or OIDC subject: what the audit log shows */
  subject: string;
  role: Role;
  userId?: number;
  keyId?: number;
  /** device scope of an API key (ids or globs); undefined means every device */
  devices?: string[];
  /** set when a bearer token and an x-api-key came together (ingest by an admin: token plus key) */
  withKey?: { keyId: number; role: Role; devices?: string[] };
  /** the station-issued bearer token this request came with (what signing out ends) */
  token?: { jti: string; expMs: number };
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/** A stable id of the caller (user or API key), for ownership and per-caller limits. */
export function callerOf(req: Request): string {
  const p = req.principal;
  if (!p) throw new AppError(401, 'sign in first');
  if (p.kind === 'user' && p.userId !== undefined) return `user:${p.userId}`;
  if (p.kind === 'key' && p.keyId !== undefined) return `key:${p.keyId}`;
  return `${p.kind}:${p.subject}`;
}
