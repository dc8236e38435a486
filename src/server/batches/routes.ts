import type { Request, Response, Router } from 'express';
import { batchRoutes } from '../../shared/api/batches';
import type { AuditEntry } from '../audit/repository';
import type { Guards } from '../auth/guards';
import type { Db } from '../db/open';
import { createRouteTable } from '../http/route-table';
import type { Logger } from '../logger';
import type { TrackCache } from './cache';
import { BatchRepository } from './repository';
import { BatchService, type Actor } from './service';

export interface BatchesRouterDeps {
  db: Db;
  guards: Guards;
  audit: { record(e: AuditEntry): void };
  /** caches GET /track/{id} for 60 s; omitted: every track is computed (X-Cache: MISS) */
  cache?: TrackCache;
  /** net losses between stages beyond this percentage are flagged (OIL_LOSS_TOLERANCE_PCT) */
  lossTolerancePct: number;
  bodyLimit: string;
  logger?: Logger;
  now?: () => number;
}

function actorOf(req: Request): Actor {
  const p = req.principal!;
  return { subject: p.subject, isAdmin: p.role === 'admin', ip: req.ip };
}

function csvHeaders(res: Response, name: string): void {
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.csv"`);
}

/** /api/oil: thin routes over BatchService (mounted by the station at apiRouters['/oil']). */
export function createBatchesRouter(deps: BatchesRouterDeps): { router: Router; service: BatchService } {
  const { guards } = deps;
  const service = new BatchService(new BatchRepository(deps.db), {
    lossTolerancePct: deps.lossTolerancePct,
    audit: deps.audit,
    cache: deps.cache,
    logger: deps.logger,
    now: deps.now,
  });
  const routes = batchRoutes;
  const table = createRouteTable({ base: '/api/oil', guards, bodyLimit: deps.bodyLimit })
    .on(routes.create, ({ body }, req, res) => {
      const batch = service.create(body, actorOf(req));
      res.setHeader('Location', `/api/oil/batches/${encodeURIComponent(batch.batch_id)}`);
      return batch;
    })
    .on(routes.list, ({ query }) => service.list(query))
    .on(routes.export, async ({ query }, _req, res) => {
      csvHeaders(res, 'oil-batches');
      await service.exportBatches(res, query);
    })
    .on(routes.get, ({ params }) => service.get(params.batch_id))
    .on(routes.events, ({ params }) => service.events(params.batch_id))
    .on(routes.eventsExport, async ({ params }, _req, res) => {
      const write = service.eventsExport(params.batch_id);
      csvHeaders(res, `oil-events-${params.batch_id}`);
      await write(res);
    })
    .on(routes.postEvent, ({ params, body }, req) => service.postEvent(params.batch_id, body, actorOf(req)))
    .on(routes.track, async ({ params }, _req, res) => {
      const { track, hit } = await service.track(params.batch_id);
      res.setHeader('X-Cache', hit ? 'HIT' : 'MISS');
      return track;
    });
  const router = table.router;

  return { router, service };
}
