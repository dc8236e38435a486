import { createReadStream, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import express, { type Router } from 'express';
import { jobRoutes } from '../../shared/api/jobs';
import { exportFilterSchema } from '../../shared/api/telemetry';
import type { ExportJobPayload } from '../../shared/jobs';
import { EXPORT_JOB, exportJobResultSchema } from '../../shared/jobs';
import type { AuditEntry } from '../audit/repository';
import type { Guards } from '../auth/guards';
import type { Config } from '../config';
import { AppError } from '../http/errors';
import { createRouteTable, runMiddleware } from '../http/route-table';
import { parse } from '../http/validate';
import { exportFile, removeExportFiles } from './export-job';
import { InvalidPayloadError, type JobQueue } from './queue';
import type { JobStore } from './store';
import { listTasks } from './task-list';
import { isFinished, ownerOf, toTask, visibleTask } from './task-view';

export interface JobRoutesDeps {
  config: Config;
  queue: JobQueue;
  store: JobStore;
  guards: Guards;
  audit: { record(e: AuditEntry): void };
}

/**
 * POST /api/telemetry/export/async: the filters of the direct export, as query parameters (the
 * seed's form) or a JSON body. Mounted before the telemetry router, whose GET /{id} would
 * otherwise see "export" as a reading id.
 */
export function createExportAsyncRouter(deps: JobRoutesDeps): Router {
  const json = express.json({ limit: '4kb', strict: true });
  return createRouteTable({ base: '/api/telemetry/export/async', guards: deps.guards, bodyLimit: '4kb' }).on(
    jobRoutes.exportAsync,
    async ({ query }, req, res) => {
      await runMiddleware(json, req, res);
      const hasBody = req.body !== undefined && req.body !== null && Object.keys(req.body as object).length > 0;
      const hasQuery = Object.keys(req.query).length > 0;
      if (req.headers['content-length'] && req.headers['content-length'] !== '0' && !req.is('application/json')) {
        throw new AppError(415, 'send the filters as a JSON body (application/json) or as query parameters');
      }
      if (hasBody && hasQuery) throw new AppError(422, 'send the filters either as query parameters or as a JSON body, not both');
      const filters = hasBody ? parse(exportFilterSchema, req.body, 'body') : query;
      const payload: ExportJobPayload = { device_id: filters.device_id, ts_from_ms: filters.ts_from, ts_to_ms: filters.ts_to };
      let row;
      try {
        row = await deps.queue.add(EXPORT_JOB, stripUndefined(payload), ownerOf(req));
      } catch (err) {
        if (err instanceof InvalidPayloadError) throw new AppError(422, err.message);
        throw err;
      }
      res.setHeader('Location', `/api/tasks/${row.id}`);
      return { task_id: row.id, status: row.status, status_url: `/api/tasks/${row.id}` };
    },
  ).router;
}

/** /api/tasks: the caller's tasks; /api/tasks/{id}: status, download, cancel/remove, and live progress (Server-Sent Events). */
export function createTasksRouter(deps: JobRoutesDeps): Router {
  const { store, config, guards } = deps;
  const table = createRouteTable({ base: '/api/tasks', guards, bodyLimit: config.bodyLimit });

  table.on(jobRoutes.list, ({ query }, req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    return listTasks(store, req, query, config);
  });

  table.on(jobRoutes.get, ({ params }, req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    return toTask(visibleTask(store, req, params.task_id), config);
  });

  table.on(jobRoutes.download, async ({ params }, req, res) => {
    const row = visibleTask(store, req, params.task_id);
    if (row.status !== 'completed' || !row.result) throw new AppError(409, `task is ${row.status}; there is no file to download`);
    const { meta } = exportJobResultSchema.parse(JSON.parse(row.result));
    const file = exportFile(config, row.id);
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      throw new AppError(410, 'the export file is gone (removed after the retention period); start a new export');
    }
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Length', String(size));
    res.setHeader('Content-Disposition', `attachment; filename="${meta.file_name}"`);
    await pipeline(createReadStream(file), res);
  });

  table.on(jobRoutes.delete, async ({ params }, req, res) => {
    const row = visibleTask(store, req, params.task_id);
    const entry = { actor: req.principal?.subject ?? null, action: 'tasks.delete', target: row.id, ip: req.ip ?? null };
    if (!isFinished(row) && (await deps.queue.cancel(row.id))) {
      deps.audit.record({ ...entry, detail: { cancelled: true } });
      res.status(200);
      return toTask(store.get(row.id)!, config);
    }
    removeExportFiles(config, row.id);
    store.inTransaction(() => {
      store.remove(row.id);
      deps.audit.record(entry);
    });
  });

  table.on(jobRoutes.events, ({ params }, req, res) => {
    const first = visibleTask(store, req, params.task_id);
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    let last = '';
    let idle = 0;
    // The table is the source of truth for every backend (a worker process may be running the
    // task), so progress is read from it; a poll is one indexed row read.
    const tick = () => {
      const row = store.get(first.id);
      if (!row) {
        res.write(`event: removed\ndata: ${JSON.stringify({ task_id: first.id })}\n\n`);
        return stop();
      }
      const data = JSON.stringify({ task_id: row.id, status: row.status, progress: { rows: row.progress_rows, percent: row.progress_pct }, error: row.error });
      if (data !== last) {
        last = data;
        idle = 0;
        res.write(`event: progress\ndata: ${data}\n\n`);
      } else if (++idle % 60 === 0) {
        res.write(': keep-alive\n\n');
      }
      if (isFinished(row)) {
        res.write(`event: done\ndata: ${JSON.stringify(toTask(row, config, false))}\n\n`);
        stop();
      }
    };
    const timer = setInterval(tick, 250);
    const stop = () => {
      clearInterval(timer);
      res.end();
    };
    res.on('close', () => clearInterval(timer));
    tick();
  });

  return table.router;
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
