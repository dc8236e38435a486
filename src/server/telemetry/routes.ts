import express from 'express';
import { telemetryRoutes } from '../../shared/api/telemetry';
import { fastParseReading, listQuerySchema, readingInputSchema } from '../../shared/telemetry';
import { callerOf } from '../auth/principal';
import type { Guards } from '../auth/guards';
import type { Config } from '../config';
import { AppError } from '../http/errors';
import { createRouteTable, runMiddleware, type RouteTable } from '../http/route-table';
import { parse } from '../http/validate';
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

/** The /api/telemetry routes; the station also takes single-reading ingest's chain from the table for its fast lane. */
export function createTelemetryRoutes(deps: TelemetryRouterDeps): RouteTable {
  const { service, stats, guards, config } = deps;
  const routes = telemetryRoutes;
  // each streaming export holds a read-only connection in its worker thread: the read pool bounds them
  const exportSlots = new ExportSlots(config.readPoolSize, config.exportsPerCaller);
  const batchJson = express.json({ limit: config.batchBodyLimit, strict: false });
  const table = createRouteTable({ base: '/api/telemetry', guards, bodyLimit: config.bodyLimit });

  table.on(
    routes.create,
    async ({ body: reading }, req, res) => {
      guards.assertCanWrite(req, [reading.device_id]);
      const { reading: stored, created } = await service.ingestOneCommitted(reading);
      res.status(created ? 201 : 200);
      return stored;
    },
    // the schema's rules, fast; the schema itself for anything doubtful and for the 422 wording
    { parseBody: (raw) => fastParseReading(raw) ?? parse(readingInputSchema, raw, 'body') },
  );

  table.on(routes.batch, async (_input, req, res) => {
    let items: unknown[];
    if (req.is('application/x-ndjson') || req.is('application/jsonl')) {
      items = await readNdjson(req, bytes(config.batchBodyLimit), config.batchMaxReadings);
    } else if (req.is('application/json')) {
      await runMiddleware(batchJson, req, res);
      const body: unknown = req.body;
      const list = Array.isArray(body) ? body : (body as { readings?: unknown })?.readings;
      if (!Array.isArray(list)) throw new AppError(422, 'body must be a JSON array of readings (or {"readings": [...]})');
      items = list;
    } else {
      throw new AppError(415, 'Content-Type must be application/json or application/x-ndjson');
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
    res.status(result.rejected.length ? 207 : 200);
    return result;
  });

  table.on(routes.list, ({ query }) => service.list(query));

  table.on(routes.export, async ({ query: q }, req, res) => {
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
    stream.on('close', slot.release);
    res.on('close', () => stream.destroy());
    stream.pipe(res);
    // a failure mid-stream goes to the error handler, which logs it and cuts the connection
    await new Promise<void>((resolve, reject) => {
      stream.on('error', reject);
      res.on('close', resolve);
    });
  });

  table.on(routes.stats, async ({ query: q }, _req, res) => {
    const compute = () => stats.stats(service.resolveFilter(q));
    if (!deps.cachedStats) return compute();
    const key = `stats:${q.device_id ?? '*'}:${q.ts_from ?? ''}:${q.ts_to ?? ''}`;
    const { value, hit } = await deps.cachedStats(key, compute);
    res.setHeader('X-Cache', hit ? 'HIT' : 'MISS');
    return value;
  });

  table.on(routes.series, ({ query: q }) => {
    if (q.ts_from > q.ts_to) throw new AppError(422, 'ts_from must not be after ts_to');
    const ref = service.resolveFilter({ device_id: q.device_id })?.deviceRef;
    return stats.series(ref, q.device_id, q.ts_from, q.ts_to, q.buckets);
  });

  table.on(routes.get, ({ params }) => service.get(params.id));

  table.on(routes.delete, ({ params }, req) => {
    service.delete(params.id, { name: req.principal?.subject ?? null, ip: req.ip });
  });

  return table;
}

function deviceIdsOf(items: unknown[]): Set<string> {
  const ids = new Set<string>();
  for (const item of items) {
    const id = (item as { device_id?: unknown } | null)?.device_id;
    if (typeof id === 'string') ids.add(id);
  }
  return ids;
}
