import type { Role } from '../../shared/auth';

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
  /** set when a bearer token and an x-api-key came together (the seed's ingest) */
  withKey?: { keyId: number; role: Role; devices?: string[] };
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}
