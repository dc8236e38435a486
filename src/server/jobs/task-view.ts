import { readFileSync } from 'node:fs';
import type { Request } from 'express';
import { exportJobResultSchema, FINISHED_STATUSES, TASK_ID_PATTERN, type Task } from '../../shared/jobs';
import type { Config } from '../config';
import { callerOf } from '../auth/principal';
import { AppError } from '../http/errors';
import { exportFile } from './export-job';
import type { JobStore, JobRow } from './store';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The owner recorded on a task: the signed-in user, or the API key. */
export const ownerOf = callerOf;

/**
 * The task, if the caller may see it. Someone else's task is a 404, exactly like a missing one,
 * so task ids cannot be probed; admins see every task.
 */
export function visibleTask(store: JobStore, req: Request, id: unknown): JobRow {
  const text = String(id);
  const row = TASK_ID_PATTERN.test(text) ? store.get(text) : undefined;
  if (!row || (req.principal?.role !== 'admin' && row.owner !== ownerOf(req))) throw new AppError(404, `task ${JSON.stringify(text).slice(0, 60)} not found`);
  return row;
}

export const isFinished = (row: JobRow) => FINISHED_STATUSES.includes(row.status);

/**
 * The public shape of a task (`{task_id, status, result: {meta, csv?, download_url}}`, which existing clients read);
 * `inlineCsv: false` leaves the CSV out whatever its size (lists, the SSE `done` event).
 */
export function toTask(row: JobRow, config: Config, inlineCsv = true): Task {
  let result: Task['result'] = null;
  if (row.status === 'completed' && row.result) {
    const parsed = exportJobResultSchema.safeParse(JSON.parse(row.result));
    if (parsed.success) {
      const { meta } = parsed.data;
      let csv: string | undefined;
      if (inlineCsv && meta.bytes <= config.jobs.inlineMaxBytes) {
        try {
          csv = readFileSync(exportFile(config, row.id), 'utf8');
        } catch {
          csv = undefined; // removed by retention between the read of the row and of the file
        }
      }
      result = { meta, ...(csv === undefined ? {} : { csv }), download_url: `/api/tasks/${row.id}/download` };
    }
  }
  return {
    task_id: row.id,
    name: row.name,
    status: row.status,
    progress: { rows: row.progress_rows, percent: row.progress_pct },
    result,
    error: row.error,
    attempts: row.attempts,
    created_at: iso(row.created_at)!,
    started_at: iso(row.started_at),
    finished_at: iso(row.finished_at),
  };
}
