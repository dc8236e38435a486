import { Router } from 'express';
import { z } from 'zod';
import { timestampSchema } from '../../shared/telemetry';
import type { Guards } from '../auth/guards';
import { parseQuery } from '../http/validate';
import type { AuditLog } from './repository';

const auditQuerySchema = z.strictObject({
  action: z
    .string()
    .regex(/^[a-z_.]{1,64}$/)
    .optional(),
  actor: z.string().max(128).optional(),
  ts_from: timestampSchema.optional(),
  ts_to: timestampSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before_id: z.coerce.number().int().min(1).optional(),
});

/** GET /api/audit (admins): newest first, keyset paging by `before_id`. */
export function createAuditRouter(audit: AuditLog, guards: Guards): Router {
  return Router().get('/', guards.admin, (req, res) => {
    const q = parseQuery(auditQuerySchema, req);
    const rows = audit.list(q);
    res.json({
      items: rows.map((r) => ({ ...r, ts: r.ts / 1000, time: new Date(r.ts).toISOString(), detail: r.detail ? (JSON.parse(r.detail) as unknown) : null })),
      next_before_id: rows.length === q.limit ? rows.at(-1)!.id : null,
    });
  });
}
