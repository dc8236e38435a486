import type { Request, RequestHandler } from 'express';

/**
 * What routers need from security: one middleware per kind of access, plus the device-scope
 * check that can only run once the body is parsed. Routers take these as parameters, so adding
 * or changing a policy never means editing handlers.
 */
export interface Guards {
  /** signed-in user, or a key with a reading role */
  read: RequestHandler;
  /** a device/admin key, or an admin bearer token together with an API key */
  ingest: RequestHandler;
  /** admin only */
  admin: RequestHandler;
  /** engineers and admins (batches, anomaly checks) */
  user: RequestHandler;
  /** throws 403 unless the caller may write readings of every listed device */
  assertCanWrite(req: Request, deviceIds: Iterable<string>): void;
}
