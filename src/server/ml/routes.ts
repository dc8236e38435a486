import express, { Router, type RequestHandler } from 'express';
import type { Role } from '../../shared/auth';
import {
  ackRequestSchema,
  alarmsQuerySchema,
  predictRequestSchema,
  ruleDeviceParamSchema,
  ruleLimitsInputSchema,
  MAX_SCORE_JOB_POINTS,
  SCORE_SYNC_MAX,
  scoreRequestSchema,
  spanInputSchema,
  spansQuerySchema,
  trainRequestSchema,
  type RuleLimits,
  type TaskAccepted,
} from '../../shared/ml';
import { msToIso } from '../../shared/time';
import type { Db } from '../db/open';
import { AppError, notFound } from '../http/errors';
import { parse, parseBody, parseId, parseQuery, requireContentType } from '../http/validate';
import type { Logger } from '../logger';
import type { JobQueue } from '../jobs/queue';
import type { JobStore } from '../jobs/store';
import { isFinished, ownerOf, visibleTask } from '../jobs/task-view';
import { AlarmService } from './alarm-service';
import { ML_SCORE_JOB, ML_TRAIN_JOB, stationModels } from './jobs';
import type { ModelRegistry } from './model-store';
import { MlRepository, type LimitsRow } from './repository';
import { DEFAULT_LIMITS } from './rules';
import { MlService } from './service';

export interface MlRouterDeps {
  db: Db;
  logger: Logger;
  requireRole: (...roles: Role[]) => RequestHandler;
  /** DATA_DIR: versioned models live in DATA_DIR/models */
  dataDir: string;
  /** the lead's AuditLog (structural, so this folder does not depend on its module) */
  audit?: { record(e: { actor: string | null; action: string; target?: string | null; ip?: string | null; detail?: Record<string, unknown> }): void };
  /** override the model source (tests); default: newest in DATA_DIR/models, else resources/models/default.json */
  models?: ModelRegistry;
  bodyLimit?: string;
  /** the station's background jobs: long scoring and training run there (without it: 503) */
  jobs?: { queue: JobQueue; store: JobStore };
  /** above this many readings POST /api/ml/score answers with a task (default SCORE_SYNC_MAX) */
  scoreSyncMax?: number;
}

export interface MlComponents {
  router: Router;
  service: MlService;
  alarms: AlarmService;
  models: ModelRegistry;
}

/** The shipped defaults, shown as the `*` row until an admin sets one (updated_at null: never edited). */
const BUILT_IN: LimitsRow = { device_id: '*', ...DEFAULT_LIMITS, alarm_open_after_s: null, alarm_clear_after_s: null, updated_at: 0, updated_by: null };

function limitsOut(row: LimitsRow | undefined, deviceId: string): RuleLimits {
  return {
    device_id: deviceId,
    temperature_min: row?.temperature_min ?? null,
    temperature_max: row?.temperature_max ?? null,
    pressure_min: row?.pressure_min ?? null,
    pressure_max: row?.pressure_max ?? null,
    temperature_rate_max: row?.temperature_rate_max ?? null,
    pressure_rate_max: row?.pressure_rate_max ?? null,
    alarm_open_after_s: row?.alarm_open_after_s ?? 300,
    alarm_clear_after_s: row?.alarm_clear_after_s ?? 900,
    updated_at: row && row !== BUILT_IN ? msToIso(row.updated_at) : null,
    updated_by: row?.updated_by ?? null,
  };
}

/**
 * The anomaly check and alarms over HTTP. Paths are absolute (/api/ml/..., /api/alarms...), so
 * wiring is `app.use(createMl(deps).router)`; `alarms.check(device_id)` is the hook for ingest.
 */
export function createMl(deps: MlRouterDeps): MlComponents {
  const repo = new MlRepository(deps.db);
  const models = deps.models ?? stationModels({ dataDir: deps.dataDir });
  const service = new MlService(repo, models);
  const alarms = new AlarmService(repo, service);
  // a change and its audit row commit together, or neither does
  const inTransaction = <T>(fn: () => T): T => deps.db.transaction(fn)();
  const { requireRole } = deps;
  const user = requireRole('admin', 'user');
  const admin = requireRole('admin');
  const json = express.json({ limit: deps.bodyLimit ?? '64kb', strict: false });
  const router = Router();
  const jsonBody: RequestHandler = (req, _res, next) => {
    requireContentType(req, 'application/json');
    next();
  };

  router.post('/api/ml/predict', user, jsonBody, json, (req, res) => {
    const input = parseBody(predictRequestSchema, req);
    res.json(service.predict(input));
  });

  const enqueue = async (req: express.Request, res: express.Response, name: string, payload: object) => {
    if (!deps.jobs) throw new AppError(503, 'background jobs are not available on this station');
    const row = await deps.jobs.queue.add(name, payload, ownerOf(req));
    const body: TaskAccepted = {
      task_id: row.id,
      status: row.status,
      status_url: `/api/tasks/${row.id}`,
      result_url: `/api/ml/tasks/${row.id}/result`,
    };
    res.status(202).setHeader('Location', body.status_url).json(body);
  };

  router.post('/api/ml/score', user, jsonBody, json, async (req, res) => {
    const q = parseBody(scoreRequestSchema, req);
    const ref = repo.deviceRef(q.device_id);
    if (ref === undefined) throw notFound(`device ${q.device_id}`);
    const count = repo.countRange(ref, q.ts_from, q.ts_to);
    if (!q.async && count <= (deps.scoreSyncMax ?? SCORE_SYNC_MAX)) {
      return void res.json(service.score(q.device_id, q.ts_from, q.ts_to));
    }
    if (count > MAX_SCORE_JOB_POINTS) {
      throw new AppError(422, `the range holds ${count} readings; score at most ${MAX_SCORE_JOB_POINTS} per request (narrow ts_from..ts_to)`);
    }
    await enqueue(req, res, ML_SCORE_JOB, { device_id: q.device_id, ts_from_ms: q.ts_from, ts_to_ms: q.ts_to });
  });

  // Training takes minutes of CPU: always a background job (in a worker thread), admins only.
  router.post('/api/ml/train', admin, jsonBody, json, async (req, res) => {
    const body = parseBody(trainRequestSchema, req);
    deps.audit?.record({ actor: req.principal?.subject ?? null, action: 'ml.train', ip: req.ip ?? null, detail: { ...body } });
    await enqueue(req, res, ML_TRAIN_JOB, body);
  });

  // The result of a scoring or training task (GET /api/tasks/{id} has its status and progress).
  router.get('/api/ml/tasks/:id/result', user, (req, res) => {
    if (!deps.jobs) throw new AppError(503, 'background jobs are not available on this station');
    const row = visibleTask(deps.jobs.store, req, req.params.id);
    if (row.name !== ML_SCORE_JOB && row.name !== ML_TRAIN_JOB) throw notFound(`anomaly task ${row.id}`);
    if (!isFinished(row) || row.status !== 'completed' || !row.result) {
      throw new AppError(409, `task is ${row.status}${row.error ? `: ${row.error}` : ''}; there is no result yet`);
    }
    if (row.name === ML_TRAIN_JOB) models.reload();
    res.setHeader('Cache-Control', 'no-store').type('application/json').send(row.result);
  });

  router.get('/api/ml/model', user, (_req, res) => {
    const m = models.get();
    if (!m) throw notFound('anomaly model (none installed: the rule scorer answers)');
    const { forest: _forest, ...info } = m.file;
    res.json(info);
  });

  // Engineers read the limits that drive the alarms they see; only admins change them.
  // Until an admin sets a `*` row, the shipped defaults answer for it (and are what the scorer uses).
  router.get('/api/ml/limits', user, (_req, res) => {
    const rows = repo.allLimits();
    if (!rows.some((r) => r.device_id === '*')) rows.unshift(BUILT_IN);
    res.json(rows.map((r) => limitsOut(r, r.device_id)));
  });

  router.get('/api/ml/limits/:device_id', user, (req, res) => {
    const deviceId = parse(ruleDeviceParamSchema, req.params.device_id, 'path');
    const row = repo.limits(deviceId) ?? (deviceId === '*' ? BUILT_IN : undefined);
    if (!row) throw notFound(`rule limits for ${deviceId}`);
    res.json(limitsOut(row, deviceId));
  });

  router.put('/api/ml/limits/:device_id', admin, jsonBody, json, (req, res) => {
    const deviceId = parse(ruleDeviceParamSchema, req.params.device_id, 'path');
    const body = parseBody(ruleLimitsInputSchema, req);
    const row: LimitsRow = {
      device_id: deviceId,
      temperature_min: body.temperature_min ?? null,
      temperature_max: body.temperature_max ?? null,
      pressure_min: body.pressure_min ?? null,
      pressure_max: body.pressure_max ?? null,
      temperature_rate_max: body.temperature_rate_max ?? null,
      pressure_rate_max: body.pressure_rate_max ?? null,
      alarm_open_after_s: body.alarm_open_after_s ?? null,
      alarm_clear_after_s: body.alarm_clear_after_s ?? null,
      updated_at: Date.now(),
      updated_by: req.principal?.subject ?? null,
    };
    inTransaction(() => {
      repo.putLimits(row);
      deps.audit?.record({ actor: req.principal?.subject ?? null, action: 'ml.limits.set', target: deviceId, ip: req.ip ?? null, detail: { ...body } });
    });
    res.json(limitsOut(row, deviceId));
  });

  router.delete('/api/ml/limits/:device_id', admin, (req, res) => {
    const deviceId = parse(ruleDeviceParamSchema, req.params.device_id, 'path');
    inTransaction(() => {
      if (!repo.deleteLimits(deviceId)) throw notFound(`rule limits for ${deviceId}`);
      deps.audit?.record({ actor: req.principal?.subject ?? null, action: 'ml.limits.delete', target: deviceId, ip: req.ip ?? null });
    });
    res.status(204).end();
  });

  // Judged spans: engineers label them (training labels), admins also mark them normal (the station adapts).
  router.get('/api/ml/spans', user, (req, res) => {
    const q = parseQuery(spansQuerySchema, req);
    res.json(service.spans(q.device_id, q.limit));
  });

  router.post('/api/ml/spans', user, jsonBody, json, (req, res) => {
    const body = parseBody(spanInputSchema, req);
    const actor = req.principal?.subject ?? null;
    if (body.kind === 'normal' && req.principal?.role !== 'admin') {
      throw new AppError(403, 'only an admin may mark a span normal (it changes what the station flags); label it instead');
    }
    const span = inTransaction(() => {
      const added = service.addSpan(body, actor);
      deps.audit?.record({
        actor,
        action: body.kind === 'normal' ? 'ml.span.normal' : 'ml.span.label',
        target: body.device_id,
        ip: req.ip ?? null,
        detail: { id: added.id, ts_from: added.ts_from, ts_to: added.ts_to, label: added.label, note: added.note },
      });
      return added;
    });
    res.status(201).json(span);
  });

  // Admins remove any span; an engineer only a label span of their own.
  router.delete('/api/ml/spans/:id', user, (req, res) => {
    const id = parseId(req.params.id, 'span');
    const span = repo.span(id);
    if (!span) throw notFound(`span ${id}`);
    const actor = req.principal?.subject ?? null;
    if (req.principal?.role !== 'admin' && (span.kind === 'normal' || span.created_by !== actor)) {
      throw new AppError(403, "only an admin may remove a span marked normal or another user's label");
    }
    inTransaction(() => {
      repo.deleteSpan(id);
      deps.audit?.record({ actor, action: 'ml.span.delete', target: span.device_id, ip: req.ip ?? null, detail: { id, kind: span.kind } });
    });
    res.status(204).end();
  });

  router.get('/api/alarms', user, (req, res) => {
    res.json(alarms.list(parseQuery(alarmsQuerySchema, req)));
  });

  router.post('/api/alarms/:id/ack', user, (req, res, next) => {
    const id = parseId(req.params.id, 'alarm');
    // An empty body is fine (no note); a body must be JSON.
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody) requireContentType(req, 'application/json');
    json(req, res, (err?: unknown) => {
      if (err) return next(err);
      // The body parser calls back asynchronously: errors must go to next(), not be thrown.
      try {
        const body = parse(ackRequestSchema, req.body ?? {}, 'body');
        const by = req.principal?.subject;
        if (!by) throw new AppError(401, 'sign in first');
        const alarm = inTransaction(() => {
          const acked = alarms.acknowledge(id, by, body.note ?? null);
          deps.audit?.record({ actor: by, action: 'alarm.ack', target: String(id), ip: req.ip ?? null, detail: { device_id: acked.device_id } });
          return acked;
        });
        deps.logger.info({ alarm: id, by }, 'alarm acknowledged');
        res.json(alarm);
      } catch (e) {
        next(e);
      }
    });
  });

  return { router, service, alarms, models };
}
