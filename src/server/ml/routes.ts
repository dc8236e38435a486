import express, { type Request, type Response, type Router } from 'express';
import { alarmRoutes, mlRoutes } from '../../shared/api/ml';
import { ackRequestSchema, MAX_SCORE_JOB_POINTS, SCORE_SYNC_MAX, type TaskAccepted } from '../../shared/ml';
import type { AuditEntry } from '../audit/repository';
import type { Guards } from '../auth/guards';
import type { Db } from '../db/open';
import { AppError, notFound } from '../http/errors';
import { createRouteTable, runMiddleware } from '../http/route-table';
import { parse, requireContentType } from '../http/validate';
import type { Logger } from '../logger';
import type { JobQueue } from '../jobs/queue';
import type { JobStore } from '../jobs/store';
import { isFinished, ownerOf, visibleTask } from '../jobs/task-view';
import { AlarmService } from './alarm-service';
import { MlChanges, type Changer } from './changes';
import { ML_SCORE_JOB, ML_TRAIN_JOB, stationModels } from './jobs';
import type { ModelRegistry } from './model-store';
import { MlRepository } from './repository';
import { MlService } from './service';

export interface MlRouterDeps {
  db: Db;
  logger: Logger;
  guards: Pick<Guards, 'read' | 'user' | 'admin' | 'ingest'>;
  /** DATA_DIR: versioned models live in DATA_DIR/models */
  dataDir: string;
  audit?: { record(e: AuditEntry): void };
  /** override the model source (tests); default: newest in DATA_DIR/models, else resources/models/default.json */
  models?: ModelRegistry;
  bodyLimit?: string;
  /** the station's background jobs: long scoring and training run there (without it: 503) */
  jobs?: { queue: JobQueue; store: JobStore };
  /** above this many readings POST /api/ml/score answers with a task (default SCORE_SYNC_MAX) */
  scoreSyncMax?: number;
}

export interface MlComponents {
  /** /api/ml */
  router: Router;
  /** /api/alarms */
  alarmsRouter: Router;
  service: MlService;
  alarms: AlarmService;
  models: ModelRegistry;
}

const changerOf = (req: Request): Changer => ({ subject: req.principal?.subject ?? null, isAdmin: req.principal?.role === 'admin', ip: req.ip ?? null });

/** The anomaly check and alarms over HTTP; `alarms.check(device_id)` is the hook for ingest. */
export function createMl(deps: MlRouterDeps): MlComponents {
  const repo = new MlRepository(deps.db);
  const models = deps.models ?? stationModels({ dataDir: deps.dataDir });
  const service = new MlService(repo, models);
  const alarms = new AlarmService(repo, service);
  const changes = new MlChanges(deps.db, repo, service, alarms, deps.audit);
  const bodyLimit = deps.bodyLimit ?? '64kb';
  const json = express.json({ limit: bodyLimit, strict: false });
  const routes = mlRoutes;

  const enqueue = async (req: Request, res: Response, name: string, payload: object): Promise<TaskAccepted> => {
    if (!deps.jobs) throw new AppError(503, 'background jobs are not available on this station');
    const row = await deps.jobs.queue.add(name, payload, ownerOf(req));
    const body: TaskAccepted = {
      task_id: row.id,
      status: row.status,
      status_url: `/api/tasks/${row.id}`,
      result_url: `/api/ml/tasks/${row.id}/result`,
    };
    res.status(202).setHeader('Location', body.status_url);
    return body;
  };

  const ml = createRouteTable({ base: '/api/ml', guards: deps.guards, bodyLimit })
    .on(routes.predict, ({ body }) => service.predict(body))
    .on(routes.score, async ({ body: q }, req, res) => {
      const ref = repo.deviceRef(q.device_id);
      if (ref === undefined) throw notFound(`device ${q.device_id}`);
      const count = repo.countRange(ref, q.ts_from, q.ts_to);
      if (!q.async && count <= (deps.scoreSyncMax ?? SCORE_SYNC_MAX)) return service.score(q.device_id, q.ts_from, q.ts_to);
      if (count > MAX_SCORE_JOB_POINTS) {
        throw new AppError(422, `the range holds ${count} readings; score at most ${MAX_SCORE_JOB_POINTS} per request (narrow ts_from..ts_to)`);
      }
      return enqueue(req, res, ML_SCORE_JOB, { device_id: q.device_id, ts_from_ms: q.ts_from, ts_to_ms: q.ts_to });
    })
    // Training takes minutes of CPU: always a background job (in a worker thread), admins only.
    .on(routes.train, async ({ body }, req, res) => {
      const accepted = await enqueue(req, res, ML_TRAIN_JOB, body);
      deps.audit?.record({ actor: req.principal?.subject ?? null, action: 'ml.train', target: accepted.task_id, ip: req.ip ?? null, detail: { ...body } });
      return accepted;
    })
    // The result of a scoring or training task (GET /api/tasks/{id} has its status and progress).
    .on(routes.taskResult, ({ params }, req, res) => {
      if (!deps.jobs) throw new AppError(503, 'background jobs are not available on this station');
      const row = visibleTask(deps.jobs.store, req, params.task_id);
      if (row.name !== ML_SCORE_JOB && row.name !== ML_TRAIN_JOB) throw notFound(`anomaly task ${row.id}`);
      if (!isFinished(row) || row.status !== 'completed' || !row.result) {
        throw new AppError(409, `task is ${row.status}${row.error ? `: ${row.error}` : ''}; there is no result yet`);
      }
      if (row.name === ML_TRAIN_JOB) models.reload();
      res.setHeader('Cache-Control', 'no-store').type('application/json').send(row.result);
    })
    .on(routes.model, () => {
      const m = models.get();
      if (!m) throw notFound('anomaly model (none installed: the rule scorer answers)');
      const { forest: _forest, ...info } = m.file;
      return info;
    })
    // Engineers read the limits that drive the alarms they see; only admins change them.
    .on(routes.limits, () => changes.allLimits())
    .on(routes.deviceLimits, ({ params }) => changes.limits(params.device_id))
    .on(routes.setLimits, ({ params, body }, req) => changes.setLimits(params.device_id, body, changerOf(req)))
    .on(routes.deleteLimits, ({ params }, req) => changes.deleteLimits(params.device_id, changerOf(req)))
    .on(routes.spans, ({ query }) => service.spans(query.device_id, query.limit))
    .on(routes.addSpan, ({ body }, req) => changes.addSpan(body, changerOf(req)))
    .on(routes.deleteSpan, ({ params }, req) => changes.deleteSpan(params.id, changerOf(req)));

  const alarmsTable = createRouteTable({ base: '/api/alarms', guards: deps.guards, bodyLimit })
    .on(alarmRoutes.list, ({ query }) => alarms.list(query))
    .on(alarmRoutes.acknowledge, async ({ params }, req, res) => {
      // An empty body is fine (no note); a body must be JSON.
      const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
      if (hasBody) requireContentType(req, 'application/json');
      await runMiddleware(json, req, res);
      const body = parse(ackRequestSchema, req.body ?? {}, 'body');
      const alarm = changes.acknowledge(params.id, body.note ?? null, changerOf(req));
      deps.logger.info({ alarm: params.id, by: req.principal?.subject }, 'alarm acknowledged');
      return alarm;
    });

  return { router: ml.router, alarmsRouter: alarmsTable.router, service, alarms, models };
}
