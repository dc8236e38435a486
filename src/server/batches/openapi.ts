import { z } from 'zod';
import {
  batchCreateSchema,
  batchPageSchema,
  batchSchema,
  eventCreatedSchema,
  eventInputSchema,
  batchStatusSchema,
  eventSchema,
  MAX_BATCH_PAGE,
  stageSchema,
  trackSchema,
} from '../../shared/batches';
import { bearer, problems, type OpenAPIRegistry } from '../openapi/registry';

const idParam = z.object({ batch_id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/) });
const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
const csv = { 'text/csv': { schema: z.string() } };
// The query as clients write it (text; timestamps as Unix seconds or ISO-8601). The validating
// schemas carry refinements and transforms that a parameter list cannot show.
const filterQuery = z.object({
  current_stage: stageSchema.optional(),
  status: batchStatusSchema.optional(),
  well: z.string().optional().describe('well_id'),
  created_from: z.string().optional().describe('Unix seconds or ISO-8601'),
  created_to: z.string().optional().describe('Unix seconds or ISO-8601'),
});
const listQuery = filterQuery.extend({
  limit: z.number().int().min(1).max(MAX_BATCH_PAGE).optional().describe('default 50'),
  page: z.number().int().min(1).optional().describe('default 1'),
});

export function registerBatchesDocs(r: OpenAPIRegistry): void {
  r.registerPath({
    method: 'post',
    path: '/api/oil/batches',
    summary: 'Create an oil batch at the produced stage (engineer or admin)',
    description: 'Without batch_id the station issues B-<year>-<NNNN>. The four measurement fields go together or not at all.',
    security: bearer,
    request: { body: { content: json(batchCreateSchema) } },
    responses: { 201: { description: 'created', content: json(batchSchema) }, ...problems(400, 401, 403, 409, 413, 415, 422) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/oil/batches',
    summary: 'List batches, newest first, with filters and pages',
    security: bearer,
    request: { query: listQuery },
    responses: { 200: { description: 'a page', content: json(batchPageSchema) }, ...problems(401, 422) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/oil/batches/export',
    summary: "CSV of batches (same filters as the list), oldest first, with each batch's latest measurement",
    security: bearer,
    request: { query: filterQuery },
    responses: { 200: { description: 'CSV', content: csv }, ...problems(401, 422) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/oil/batches/{batch_id}',
    summary: 'One batch',
    security: bearer,
    request: { params: idParam },
    responses: { 200: { description: 'batch', content: json(batchSchema) }, ...problems(401, 404) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/oil/batches/{batch_id}/events',
    summary: 'The events of one batch, oldest first',
    security: bearer,
    request: { params: idParam },
    responses: { 200: { description: 'events', content: json(z.array(eventSchema)) }, ...problems(401, 404) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/oil/batches/{batch_id}/events/export',
    summary: "CSV of one batch's events",
    security: bearer,
    request: { params: idParam },
    responses: { 200: { description: 'CSV', content: csv }, ...problems(401, 404) },
  });
  r.registerPath({
    method: 'post',
    path: '/api/oil/batches/{batch_id}/events',
    summary: 'Record a stage transition, a measurement, a note, or a status change',
    description:
      'Transitions move forward one stage at a time; skipping or going back needs the admin role and a reason. ' +
      'A transition that lost a race (the batch already moved) gets 409 with the current stage and version; ' +
      'send expected_stage / expected_version to make the check explicit.',
    security: bearer,
    request: { params: idParam, body: { content: json(eventInputSchema) } },
    responses: { 201: { description: 'stored', content: json(eventCreatedSchema) }, ...problems(400, 401, 403, 404, 409, 413, 415, 422) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/oil/track/{batch_id}',
    summary: 'The custody view: timeline, time in each stage, volume changes between stages with losses flagged',
    description: 'Cached for 60 s (X-Cache: HIT or MISS); a new event on the batch invalidates it.',
    security: bearer,
    request: { params: idParam },
    responses: { 200: { description: 'track', content: json(trackSchema), headers: z.object({ 'X-Cache': z.enum(['HIT', 'MISS']) }) }, ...problems(401, 404) },
  });
}
