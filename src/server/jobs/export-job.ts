import { randomBytes } from 'node:crypto';
import { createWriteStream, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { EXPORT_JOB, exportJobPayloadSchema, type ExportJobPayload, type ExportJobResult } from '../../shared/jobs';
import type { Config } from '../config';
import { closeDatabase, openDatabase } from '../db/open';
import { createExportStream } from '../telemetry/export-stream';
import { TelemetryRepository, type Filter } from '../telemetry/repository';
import { defineJob } from './registry';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../files/private';

/**
 * Where a task's file lives. While being written it is `<id>.<random>.part` (one per execution, so
 * a retried run never shares a file with a stalled one); the `.part` name is never offered.
 */
export const exportFile = (config: Config, taskId: string) => join(config.exportsDir, `${taskId}.csv`);

/** Removes a task's file and any leftovers of unfinished runs. */
export function removeExportFiles(config: Config, taskId: string): void {
  rmSync(exportFile(config, taskId), { force: true });
  removePartFiles(config, taskId);
}

/** Leftovers of runs that died mid-write (a killed worker process); only called by the run that holds the task. */
function removePartFiles(config: Config, taskId: string): void {
  let names: string[] = [];
  try {
    names = readdirSync(config.exportsDir);
  } catch {
    return;
  }
  for (const name of names) if (name.startsWith(`${taskId}.`) && name.endsWith('.part')) rmSync(join(config.exportsDir, name), { force: true });
}

/** Resolves the public filter and counts the rows, on a short-lived read-only connection. */
function plan(dbPath: string, p: ExportJobPayload): { filter: Filter; total: number } {
  const db = openDatabase(dbPath, { readonly: true });
  try {
    const repo = new TelemetryRepository(db);
    const filter: Filter = { tsFrom: p.ts_from_ms, tsTo: p.ts_to_ms };
    // the same "matches nothing" filter as the direct export, so both produce the same bytes
    if (p.device_id !== undefined) filter.deviceRef = repo.deviceRef(p.device_id) ?? -1;
    return { filter, total: repo.count(filter) };
  } finally {
    closeDatabase(db);
  }
}

/**
 * The async export: the same worker-thread scan and CSV as GET /api/telemetry/export (so the
 * bytes are identical), written to `<id>.csv.part` and renamed only once complete.
 */
export const exportJob = defineJob({
  name: EXPORT_JOB,
  schema: exportJobPayloadSchema,
  attempts: 2,
  async handler(payload, ctx) {
    const startedAt = new Date();
    const { filter, total } = plan(ctx.config.databasePath, payload);
    ensurePrivateDir(ctx.config.exportsDir);
    const part = join(ctx.config.exportsDir, `${ctx.taskId}.${randomBytes(4).toString('hex')}.part`);
    let rows = 0;
    ctx.progress(0, total === 0 ? 100 : 0);
    const source = createExportStream(ctx.config.databasePath, filter, {
      onRows: (n) => {
        rows += n;
        ctx.progress(rows, total ? Math.min(100, Math.round((rows / total) * 1000) / 10) : 100);
      },
    });
    try {
      await pipeline(source, createWriteStream(part, { mode: PRIVATE_FILE_MODE }), { signal: ctx.signal });
    } catch (err) {
      rmSync(part, { force: true });
      throw err;
    }
    const file = exportFile(ctx.config, ctx.taskId);
    renameSync(part, file);
    removePartFiles(ctx.config, ctx.taskId);
    const result: ExportJobResult = {
      file: `${ctx.taskId}.csv`,
      meta: {
        rows,
        bytes: statSync(file).size,
        filters: {
          device_id: payload.device_id ?? null,
          ts_from: payload.ts_from_ms === undefined ? null : payload.ts_from_ms / 1000,
          ts_to: payload.ts_to_ms === undefined ? null : payload.ts_to_ms / 1000,
        },
        started_at: startedAt.toISOString(),
        finished_at: new Date().toISOString(),
        file_name: `telemetry${payload.device_id ? `-${payload.device_id}` : ''}-${startedAt.toISOString().replace(/[:.]/g, '-')}.csv`,
      },
    };
    return { result, rows };
  },
  /** a run that finished after its task was cancelled leaves no file behind */
  cleanup(taskId, config) {
    rmSync(exportFile(config, taskId), { force: true });
  },
});
