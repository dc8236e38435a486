import type { RequestHandler } from 'express';
import type { AuditLog } from './repository';

/** Routes whose service writes its own, richer audit record (key.revoke). */
const SELF_AUDITED = /^\/api\/keys\//;

/**
 * Records every successful DELETE under /api (`telemetry.delete`, `oil.delete`, ...) once the
 * response is sent, so feature routers get an audit trail of deletes without knowing about it.
 * Mounted after authentication, so the actor is known.
 */
export function auditDeletes(audit: AuditLog): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'DELETE' || !req.path.startsWith('/api/') || SELF_AUDITED.test(req.path)) return next();
    const path = req.path;
    res.once('finish', () => {
      if (res.statusCode < 200 || res.statusCode >= 300) return;
      const segments = path.split('/').filter(Boolean).slice(1);
      const feature = (segments[0] ?? 'api').toLowerCase().replace(/[^a-z_]/g, '_');
      // The station may be closing under an in-flight request; a lost record must not crash it.
      try {
        audit.record({
          actor: req.principal?.subject ?? null,
          action: `${feature}.delete`,
          target: segments.slice(1).join('/').slice(0, 200) || null,
          ip: req.ip ?? null,
          detail: { path: path.slice(0, 300) },
        });
      } catch {
        /* database already closed */
      }
    });
    next();
  };
}
