import express, { Router, type Request, type Response } from 'express';
import { batchCreateSchema, batchFilterSchema, batchIdSchema, batchListQuerySchema, eventInputSchema } from '../../shared/batches';
import type { AuditEntry } from '../audit/repository';
import type { Guards } from '../auth/guards';
import type { Db } from '../db/open';
import { AppError } from '../http/errors';
import { parseBody, parseQuery, requireContentType } from '../http/validate';
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

/** Path ids that cannot be batch ids are a 404, the same as an unknown one. */
function batchIdParam(req: Request): string {
  const raw = String(req.params.batch_id);
  if (!batchIdSchema.safeParse(raw).success) throw new AppError(404, `batch ${JSON.stringify(raw).slice(0, 70)} not found`);
  return raw;
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
  const router = Router();
  const json = express.json({ limit: deps.bodyLimit, strict: false });

  router.post('/batches', guards.user, json, (req, res) => {
    requireContentType(req, 'application/json');
    const batch = service.create(parseBody(batchCreateSchema, req), actorOf(req));
    res
      .status(201)
      .setHeader('Location', `/api/oil/batches/${encodeURIComponent(batch.batch_id)}`)
      .json(batch);
  });

  router.get('/batches', guards.read, (req, res) => {
    res.json(service.list(parseQuery(batchListQuerySchema, req)));
  });

  router.get('/batches/export', guards.read, async (req, res) => {
    const filter = parseQuery(batchFilterSchema, req);
    csvHeaders(res, 'oil-batches');
    await service.exportBatches(res, filter);
  });

  router.get('/batches/:batch_id', guards.read, (req, res) => {
    res.json(service.get(batchIdParam(req)));
  });

  router.get('/batches/:batch_id/events', guards.read, (req, res) => {
    res.json(service.events(batchIdParam(req)));
  });

  router.get('/batches/:batch_id/events/export', guards.read, async (req, res) => {
    const batchId = batchIdParam(req);
    const write = service.eventsExport(batchId);
    csvHeaders(res, `oil-events-${batchId}`);
    await write(res);
  });

  router.post('/batches/:batch_id/events', guards.user, json, async (req, res) => {
    requireContentType(req, 'application/json');
    const batchId = batchIdParam(req);
    const result = await service.postEvent(batchId, parseBody(eventInputSchema, req), actorOf(req));
    res.status(201).json(result);
  });

  router.get('/track/:batch_id', guards.read, async (req, res) => {
    const { track, hit } = await service.track(batchIdParam(req));
    res.setHeader('X-Cache', hit ? 'HIT' : 'MISS').json(track);
  });

  return { router, service };
}
