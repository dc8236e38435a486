import express, { Router } from 'express';
import { z } from 'zod';
import { fastParseReading, listQuerySchema, MAX_LIST_LIMIT, readingInputSchema, seriesQuerySchema, telemetryFilterSchema } from '../../shared/telemetry';
import { callerOf } from '../auth/principal';
import type { Guards } from '../auth/guards';
import type { Config } from '../config';
import { AppError } from '../http/errors';
import { parse, parseBody, parseId, parseQuery, requireContentType } from '../http/validate';
import { readNdjson } from './body';
import { CSV_HEADER, createCsvLineFormatter } from './csv';
import { ExportSlots } from './export-slots';
import { createExportStream } from './export-stream';
import type { TelemetryService } from './service';
import type { TelemetryStats } from './stats';

export interface TelemetryRouterDeps {
  config: Config;
  service: TelemetryService;
  stats: TelemetryStats;
  guards: Guards;
  /** wraps the stats computation, e.g. in a cache; returns what to send and an X-Cache value */
  cachedStats?: (key: string, compute: () => unknown) => Promise<{ value: unknown; hit: boolean }>;
}

const bytes = (limit: string): number => {
  const m = /^(\d+)(b|kb|mb)$/i.exec(limit)!;
  return Number(m[1]) * { b: 1, kb: 1024, mb: 1024 * 1024 }[m[2]!.toLowerCase() as 'b' | 'kb' | 'mb'];
};

const tsOrdered = { message: 'ts_from must not be after ts_to', path: ['ts_from'] };

/** Only the three filters are accepted on stats and background exports; a stray parameter is a client bug worth reporting. */
export const exportFilterSchema = telemetryFilterSchema.refine((q) => q.ts_from === undefined || q.ts_to === undefined || q.ts_from <= q.ts_to, tsOrdered);

/**
 * The direct export takes the list's parameters too. With `limit`, `page` or `cursor` it writes
 * exactly the rows that page of the list holds, in the list's order (newest first by default);
 * without them, every matching row, oldest first unless `order=desc`.
 */
const exportQuerySchema = telemetryFilterSchema
  .extend({
    limit: z.coerce.number().int().min(1).max(MAX_LIST_LIMIT).optional(),
    page: z.coerce.number().int().min(1).max(1_000_000).optional(),
    cursor: z.string().optional(),
    order: z.enum(['desc', 'asc']).optional(),
  })
  .refine((q) => q.ts_from === undefined || q.ts_to === undefined || q.ts_from <= q.ts_to, tsOrdered);

export function createTelemetryRouter(deps: TelemetryRouterDeps): Router {
  const { service, stats, guards, config } = deps;
  const router = Router();
  // each streaming export holds a read-only connection in its worker thread: the read pool bounds them
  const exportSlots = new ExportSlots(config.readPoolSize, config.exportsPerCaller);
  const json = express.json({ limit: config.bodyLimit, strict: false });
  const batchJson = express.json({ limit: config.batchBodyLimit, strict: false });

  router.post('/', guards.ingest, json, async (req, res) => {
    requireContentType(req, 'application/json');
    // the schema's rules, fast; the schema itself for anything doubtful and for the 422 wording
    const reading = fastParseReading(req.body) ?? parseBody(readingInputSchema, req);
    guards.assertCanWrite(req, [reading.device_id]);
    const { reading: stored, created } = await service.ingestOneCommitted(reading);
    res.status(created ? 201 : 200).json(stored);
  });

  router.post('/batch', guards.ingest, async (req, res, next) => {
    let items: unknown[];
    if (req.is('application/x-ndjson') || req.is('application/jsonl')) {
      items = await readNdjson(req, bytes(config.batchBodyLimit), config.batchMaxReadings);
    } else if (req.is('application/json')) {
      await new Promise<void>((resolve, reject) => batchJson(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
      const body: unknown = req.body;
      const list = Array.isArray(body) ? body : (body as { readings?: unknown })?.readings;
      if (!Array.isArray(list)) throw new AppError(422, 'body must be a JSON array of readings (or {"readings": [...]})');
      items = list;
    } else {
      return next(new AppError(415, 'Content-Type must be application/json or application/x-ndjson'));
    }
    if (items.length === 0) throw new AppError(422, 'the batch is empty');
    if (items.length > config.batchMaxReadings) throw new AppError(413, `a batch holds at most ${config.batchMaxReadings} readings`);
    guards.assertCanWrite(req, deviceIdsOf(items));
    const result = service.ingestBatch(items);
    if (result.stored === 0 && result.duplicates.length === 0) {
      throw new AppError(422, `all ${result.received} readings were rejected; nothing was stored`, {
        errors: result.rejected.slice(0, 100).flatMap((r) => r.errors.map((e) => ({ path: `[${r.index}].${e.path}`, message: e.message }))),
        rejected: result.rejected,
      });
    }
    res.status(result.rejected.length ? 207 : 200).json(result);
  });

  router.get('/', guards.read, (req, res) => {
    res.json(service.list(parseQuery(listQuerySchema, req)));
  });

  router.get('/export', guards.read, (req, res, next) => {
    const q = parseQuery(exportQuerySchema, req);
    const name = `telemetry${q.device_id ? `-${q.device_id}` : ''}-${new Date().toISOString().replace(/[:.]/g, '-')}.csv`;
    const csvHeaders = () => {
      res.status(200);
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
    };
    if (q.limit !== undefined || q.page !== undefined || q.cursor !== undefined) {
      // one list page (at most MAX_LIST_LIMIT rows): read like the list, written in place
      const page = parse(listQuerySchema, { ...q, ts_from: undefined, ts_to: undefined }, 'query');
      const rows = service.listRows({ ...page, ts_from: q.ts_from, ts_to: q.ts_to });
      const line = createCsvLineFormatter();
      csvHeaders();
      return void res.send(CSV_HEADER + rows.map((r) => line([r.id, r.device_id, r.ts, r.temperature, r.pressure, r.status, r.extra])).join(''));
    }
    const slot = exportSlots.take(callerOf(req));
    if ('refused' in slot) throw new AppError(429, `${slot.refused} (or use POST /api/telemetry/export/async)`, { headers: { 'Retry-After': '5' } });
    const filter = service.resolveFilter(q) ?? { deviceRef: -1 };
    csvHeaders();
    const stream = createExportStream(config.databasePath, filter, { order: q.order ?? 'asc' });
    stream.on('error', next);
    stream.on('close', slot.release);
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  });

  router.get('/stats', guards.read, async (req, res) => {
    const q = parseQuery(exportFilterSchema, req);
    const compute = () => stats.stats(service.resolveFilter(q));
    if (!deps.cachedStats) return void res.json(compute());
    const key = `stats:${q.device_id ?? '*'}:${q.ts_from ?? ''}:${q.ts_to ?? ''}`;
    const { value, hit } = await deps.cachedStats(key, compute);
    res.setHeader('X-Cache', hit ? 'HIT' : 'MISS').json(value);
  });

  router.get('/series', guards.read, (req, res) => {
    const q = parseQuery(seriesQuerySchema, req);
    if (q.ts_from > q.ts_to) throw new AppError(422, 'ts_from must not be after ts_to');
    const ref = service.resolveFilter({ device_id: q.device_id })?.deviceRef;
    res.json(stats.series(ref, q.device_id, q.ts_from, q.ts_to, q.buckets));
  });

  router.get('/:id', guards.read, (req, res) => {
    res.json(service.get(parseId(req.params.id, 'reading')));
  });

  router.delete('/:id', guards.admin, (req, res) => {
    service.delete(parseId(req.params.id, 'reading'), { name: req.principal?.subject ?? null, ip: req.ip });
    res.status(204).end();
  });

  return router;
}

function deviceIdsOf(items: unknown[]): Set<string> {
  const ids = new Set<string>();
  for (const item of items) {
    const id = (item as { device_id?: unknown } | null)?.device_id;
    if (typeof id === 'string') ids.add(id);
  }
  return ids;
}
