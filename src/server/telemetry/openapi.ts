import { z } from 'zod';
import {
  batchResultSchema,
  deviceSchema,
  listQuerySchema,
  readingInputSchema,
  readingPageSchema,
  readingSchema,
  seriesQuerySchema,
  seriesSchema,
  statsSchema,
  telemetryFilterSchema,
} from '../../shared/telemetry';
import { bearer, problems, type OpenAPIRegistry } from '../openapi/registry';

const idParam = z.object({ id: z.string().regex(/^\d+$/) });
const filterQuery = telemetryFilterSchema.extend({ ts_from: z.string().optional(), ts_to: z.string().optional() });
const json = (schema: z.ZodType) => ({ 'application/json': { schema } });

export function registerTelemetryDocs(r: OpenAPIRegistry): void {
  r.registerPath({
    method: 'post',
    path: '/api/telemetry',
    summary: 'Store one reading',
    description: 'A repeated (device_id, ts) with the same values is a duplicate (200); different values replace the stored ones.',
    security: bearer,
    request: { body: { content: json(readingInputSchema) } },
    responses: {
      201: { description: 'stored', content: json(readingSchema) },
      200: { description: 'exact duplicate', content: json(readingSchema) },
      ...problems(400, 401, 403, 413, 415, 422),
    },
  });
  r.registerPath({
    method: 'post',
    path: '/api/telemetry/batch',
    summary: 'Store many readings (JSON array or NDJSON)',
    description: 'Valid readings are stored in one transaction; rejected ones are listed with index and reasons (207).',
    security: bearer,
    request: { body: { content: { ...json(z.array(readingInputSchema)), 'application/x-ndjson': { schema: z.string() } } } },
    responses: {
      200: { description: 'all stored', content: json(batchResultSchema) },
      207: { description: 'some rejected', content: json(batchResultSchema) },
      ...problems(400, 401, 403, 413, 415, 422),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/api/telemetry',
    summary: 'List readings, newest first, with filters, pages and a keyset cursor',
    security: bearer,
    request: { query: listQuerySchema.transform((x) => x) as unknown as z.ZodObject },
    responses: { 200: { description: 'a page', content: json(readingPageSchema) }, ...problems(401, 422) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/telemetry/export',
    summary: 'CSV export (streamed), same filters as the list',
    description:
      'With limit, page or cursor: exactly the rows of that list page, in the list order (newest first unless order=asc). ' +
      'Without them: every matching row, streamed, oldest first unless order=desc; a caller may stream 2 exports at once ' +
      '(EXPORT_CONCURRENCY_PER_CALLER) and the station 4 (DB_POOL_SIZE + DB_MAX_OVERFLOW): beyond that, 429 with Retry-After.',
    security: bearer,
    request: {
      query: filterQuery.extend({
        limit: z.number().int().min(1).max(10_000).optional(),
        page: z.number().int().min(1).optional(),
        cursor: z.string().optional(),
        order: z.enum(['asc', 'desc']).optional(),
      }),
    },
    responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } }, ...problems(401, 422, 429) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/telemetry/stats',
    summary: 'Count, time range, and per-device min/max/avg and last reading',
    security: bearer,
    request: { query: filterQuery },
    responses: { 200: { description: 'stats', content: json(statsSchema) }, ...problems(401, 422) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/telemetry/series',
    summary: 'Downsampled min/avg/max buckets of one device for charts',
    security: bearer,
    request: { query: seriesQuerySchema.extend({ ts_from: z.string(), ts_to: z.string() }) },
    responses: { 200: { description: 'series', content: json(seriesSchema) }, ...problems(401, 422) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/telemetry/{id}',
    summary: 'One reading',
    security: bearer,
    request: { params: idParam },
    responses: { 200: { description: 'reading', content: json(readingSchema) }, ...problems(401, 404) },
  });
  r.registerPath({
    method: 'delete',
    path: '/api/telemetry/{id}',
    summary: 'Delete one reading (admin)',
    security: bearer,
    request: { params: idParam },
    responses: { 204: { description: 'deleted' }, ...problems(401, 403, 404) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/devices',
    summary: 'Devices seen, first/last seen, reading count',
    security: bearer,
    responses: { 200: { description: 'devices', content: json(z.array(deviceSchema)) }, ...problems(401) },
  });
}
