import type { Router } from 'express';
import { accountRoutes } from '../../shared/api/accounts';
import type { Guards } from '../auth/guards';
import { createRouteTable } from '../http/route-table';
import type { AuditLog } from './repository';

/** GET /api/audit (admins): newest first, keyset paging by `cursor` (the last id served). */
export function createAuditRouter(audit: AuditLog, guards: Guards): Router {
  return createRouteTable({ base: '/api/audit', guards, bodyLimit: '1kb' }).on(accountRoutes.audit, ({ query: q }) => {
    const rows = audit.list({ ...q, before_id: q.cursor === undefined ? undefined : Number(q.cursor) });
    return {
      items: rows.map((r) => ({ ...r, ts: r.ts / 1000, time: new Date(r.ts).toISOString(), detail: r.detail ? (JSON.parse(r.detail) as unknown) : null })),
      next_cursor: rows.length === q.limit ? String(rows.at(-1)!.id) : null,
    };
  }).router;
}
