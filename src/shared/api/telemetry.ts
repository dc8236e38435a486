import { z } from 'zod';
import {
  batchResultSchema,
  deviceSchema,
  listQuerySchema,
  MAX_LIST_LIMIT,
  readingInputSchema,
  readingPageSchema,
  readingSchema,
  seriesQuerySchema,
  seriesSchema,
  statsSchema,
  telemetryFilterSchema,
} from '../telemetry';
import { defineRoute } from './route';

const tsOrdered = { message: 'ts_from must not be after ts_to', path: ['ts_from'] };
const ordered = (q: { ts_from?: number; ts_to?: number }) => q.ts_from === undefined || q.ts_to === undefined || q.ts_from <= q.ts_to;

/** Only the three filters are accepted on stats and background exports; a stray parameter is a client bug worth reporting. */
export const exportFilterSchema = telemetryFilterSchema.refine(ordered, tsOrdered);

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
  .refine(ordered, tsOrdered);

const idParams = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,15}$/)
    .transform(Number),
});
const ndjsonOrJson = { 'application/json': z.array(readingInputSchema), 'application/x-ndjson': z.string() };

/** Readings: ingest, list, export, stats, series (/api/telemetry) and the devices seen (/api/devices). */
export const telemetryRoutes = {
  create: defineRoute({
    method: 'post',
    path: '/api/telemetry',
    summary: 'Store one reading',
    description: 'A repeated (device_id, ts) with the same values is a duplicate (200); different values replace the stored ones.',
    access: 'ingest',
    body: readingInputSchema,
    status: 201,
    response: readingSchema,
    responseDescription: 'stored',
    responses: { 200: { description: 'exact duplicate', schema: readingSchema } },
    problems: [400, 401, 403, 413, 415, 422],
  }),
  batch: defineRoute({
    method: 'post',
    path: '/api/telemetry/batch',
    summary: 'Store many readings (JSON array or NDJSON)',
    description: 'Valid readings are stored in one transaction; rejected ones are listed with index and reasons (207).',
    access: 'ingest',
    otherBodies: ndjsonOrJson,
    response: batchResultSchema,
    responseDescription: 'all stored',
    responses: { 207: { description: 'some rejected', schema: batchResultSchema } },
    problems: [400, 401, 403, 413, 415, 422],
  }),
  list: defineRoute({
    method: 'get',
    path: '/api/telemetry',
    summary: 'List readings, newest first, with filters, pages and a keyset cursor',
    access: 'read',
    query: listQuerySchema,
    response: readingPageSchema,
    responseDescription: 'a page',
    problems: [401, 422],
  }),
  export: defineRoute({
    method: 'get',
    path: '/api/telemetry/export',
    summary: 'CSV export (streamed), same filters as the list',
    description:
      'With limit, page or cursor: exactly the rows of that list page, in the list order (newest first unless order=asc). ' +
      'Without them: every matching row, streamed, oldest first unless order=desc; a caller may stream 2 exports at once ' +
      '(EXPORT_CONCURRENCY_PER_CALLER) and the station 4 (DB_POOL_SIZE + DB_MAX_OVERFLOW): beyond that, 429 with Retry-After.',
    access: 'read',
    query: exportQuerySchema,
    responses: { 200: { description: 'CSV', schema: z.string(), contentType: 'text/csv' } },
    problems: [401, 422, 429],
  }),
  stats: defineRoute({
    method: 'get',
    path: '/api/telemetry/stats',
    summary: 'Count, time range, and per-device min/max/avg and last reading',
    access: 'read',
    query: exportFilterSchema,
    response: statsSchema,
    responseDescription: 'stats',
    problems: [401, 422],
  }),
  series: defineRoute({
    method: 'get',
    path: '/api/telemetry/series',
    summary: 'Downsampled min/avg/max buckets of one device for charts',
    access: 'read',
    query: seriesQuerySchema,
    response: seriesSchema,
    responseDescription: 'series',
    problems: [401, 422],
  }),
  get: defineRoute({
    method: 'get',
    path: '/api/telemetry/{id}',
    summary: 'One reading',
    access: 'read',
    params: idParams,
    resource: 'reading',
    response: readingSchema,
    responseDescription: 'reading',
    problems: [401, 404],
  }),
  delete: defineRoute({
    method: 'delete',
    path: '/api/telemetry/{id}',
    summary: 'Delete one reading (admin)',
    access: 'admin',
    params: idParams,
    resource: 'reading',
    status: 204,
    responseDescription: 'deleted',
    problems: [401, 403, 404],
  }),
};

export const deviceRoutes = {
  list: defineRoute({
    method: 'get',
    path: '/api/devices',
    summary: 'Devices seen, first/last seen, reading count',
    access: 'read',
    response: z.array(deviceSchema),
    responseDescription: 'devices',
    problems: [401],
  }),
};
