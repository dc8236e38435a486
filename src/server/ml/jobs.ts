import { basename, join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { scoreJobPayloadSchema, trainJobPayloadSchema, type ScoreJobResult, type TrainJobResult as TrainTaskResult } from '../../shared/ml';
import { msToSeconds } from '../../shared/time';
import type { Config } from '../config';
import { closeDatabase, openDatabase } from '../db/open';
import { defineJob } from '../jobs/registry';
import { resourcesDir } from '../paths';
import { loadSeriesFromDb } from './dataset-db';
import { ModelRegistry } from './model-store';
import { MlRepository } from './repository';
import { MlService } from './service';
import type { TrainJobInput } from './train-job';
import { trainInWorker } from './train-runner';
import type { TrainProgress } from './train';

export const ML_TRAIN_JOB = 'ml.train';
export const ML_SCORE_JOB = 'ml.score';

/** Readings scored between two yields to the event loop (a few milliseconds of work). */
const SCORE_CHUNK = 2_000;

/** The model registry every process builds the same way: DATA_DIR/models, then the shipped default. */
export const stationModels = (config: Pick<Config, 'dataDir'>) =>
  new ModelRegistry(join(config.dataDir, 'models'), join(resourcesDir, 'models', 'default.json'));

/** Training phases mapped onto one percentage: the trees take most of the time. */
function trainPercent(p: TrainProgress): number {
  const share = p.total > 0 ? p.done / p.total : 0;
  switch (p.phase) {
    case 'features':
      return 2;
    case 'cross-validation':
      return 5 + 35 * share;
    case 'training':
      return 40 + 55 * share;
    case 'validation':
      return 96;
    case 'done':
      return 100;
  }
}

/**
 * ml.train: trains in a worker thread (the CPU work never runs on the event loop) and saves a
 * versioned model in DATA_DIR/models; every station process picks it up within seconds
 * (ModelRegistry re-checks the folder). Cancelling the task terminates the worker.
 */
const trainJob = defineJob({
  name: ML_TRAIN_JOB,
  schema: trainJobPayloadSchema,
  attempts: 1,
  async handler(payload, ctx) {
    const input: TrainJobInput = {
      outDir: join(ctx.config.dataDir, 'models'),
      options: {
        ...(payload.seed !== undefined ? { seed: payload.seed } : {}),
        ...(payload.trees !== undefined ? { nEstimators: payload.trees } : {}),
        ...(payload.rows !== undefined ? { maxTrainRows: payload.rows } : {}),
      },
    };
    if (payload.source === 'database') {
      const db = openDatabase(ctx.config.databasePath, { readonly: true });
      try {
        input.series = loadSeriesFromDb(db);
      } finally {
        closeDatabase(db);
      }
      if (input.series.length === 0)
        throw new Error(
          'no labelled readings in the database: label spans on the Anomalies page (or POST /api/ml/spans), or send an integer "label" extra field',
        );
      input.source = 'station database';
    } else {
      input.dataPath = ctx.config.mlTrainData;
      input.source = basename(input.dataPath);
    }
    ctx.progress(0, 0);
    const result = await trainInWorker(input, (p) => ctx.progress(p.done, Math.round(trainPercent(p) * 10) / 10), ctx.signal);
    const out: TrainTaskResult = {
      version: result.version,
      file: basename(result.path),
      threshold: result.threshold,
      leave_one_well_out: {
        mean_balanced_accuracy: result.cv.leave_one_well_out.mean_balanced_accuracy,
        false_positive_rate: result.cv.leave_one_well_out.false_positive_rate,
      },
      instance_grouped: {
        mean_balanced_accuracy: result.cv.instance_grouped.mean_balanced_accuracy,
        false_positive_rate: result.cv.instance_grouped.false_positive_rate,
      },
    };
    return { result: out, rows: 1 };
  },
});

/**
 * ml.score: scores a long stored range on its own read-only connection, in chunks with a yield to
 * the event loop between them, so HTTP requests and ingest keep flowing while it runs. The points
 * are kept as columns in the task's result (GET /api/ml/tasks/{id}/result).
 */
const scoreJob = defineJob({
  name: ML_SCORE_JOB,
  schema: scoreJobPayloadSchema,
  attempts: 2,
  async handler(payload, ctx) {
    const db = openDatabase(ctx.config.databasePath, { readonly: true });
    try {
      const repo = new MlRepository(db);
      const models = stationModels(ctx.config);
      const service = new MlService(repo, models);
      const ref = repo.deviceRef(payload.device_id);
      const adapt = service.adaptationFor(ref);
      const out: ScoreJobResult = {
        device_id: payload.device_id,
        readings: 0,
        anomalies: 0,
        model_version: models.get()?.file.version ?? null,
        ts: [],
        score: [],
        anomaly: [],
        model: [],
        reasons: [],
      };
      if (ref === undefined) return { result: out, rows: 0 };
      const total = repo.countRange(ref, payload.ts_from_ms, payload.ts_to_ms);
      let cursor = payload.ts_from_ms;
      for (;;) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        const rows = repo.range(ref, cursor, payload.ts_to_ms, SCORE_CHUNK);
        if (rows.length === 0) break;
        for (const r of service.scoreStored(ref, payload.device_id, cursor, rows, adapt)) {
          out.ts.push(msToSeconds(r.ts));
          out.score.push(r.score);
          out.anomaly.push(r.anomaly);
          out.model.push(r.model);
          out.reasons.push(r.reasons);
          if (r.anomaly) out.anomalies++;
        }
        out.readings += rows.length;
        ctx.progress(out.readings, total ? Math.min(100, Math.round((out.readings / total) * 1000) / 10) : 100);
        cursor = rows[rows.length - 1]!.ts + 1;
        await yieldToLoop();
      }
      return { result: out, rows: out.readings };
    } finally {
      closeDatabase(db);
    }
  },
});

export const ML_JOBS = [trainJob, scoreJob];
