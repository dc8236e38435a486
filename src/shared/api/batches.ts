import { z } from 'zod';
import {
  batchCreateSchema,
  batchFilterSchema,
  batchIdSchema,
  batchListQuerySchema,
  batchPageSchema,
  batchSchema,
  eventCreatedSchema,
  eventInputSchema,
  eventSchema,
  trackSchema,
} from '../batches';
import { defineRoute } from './route';

const params = z.object({ batch_id: batchIdSchema });
const csv = { 200: { description: 'CSV', schema: z.string(), contentType: 'text/csv' } };

/** Oil batches and their custody track (/api/oil). */
export const batchRoutes = {
  create: defineRoute({
    method: 'post',
    path: '/api/oil/batches',
    summary: 'Create an oil batch at the produced stage (engineer or admin)',
    description: 'Without batch_id the station issues B-<year>-<NNNN>. The four measurement fields go together or not at all.',
    access: 'user',
    body: batchCreateSchema,
    status: 201,
    response: batchSchema,
    responseDescription: 'created',
    problems: [400, 401, 403, 409, 413, 415, 422],
  }),
  list: defineRoute({
    method: 'get',
    path: '/api/oil/batches',
    summary: 'List batches, newest first, with filters and pages',
    access: 'read',
    query: batchListQuerySchema,
    response: batchPageSchema,
    responseDescription: 'a page',
    problems: [401, 422],
  }),
  export: defineRoute({
    method: 'get',
    path: '/api/oil/batches/export',
    summary: "CSV of batches (same filters as the list), oldest first, with each batch's latest measurement",
    access: 'read',
    query: batchFilterSchema,
    responses: csv,
    problems: [401, 422],
  }),
  get: defineRoute({
    method: 'get',
    path: '/api/oil/batches/{batch_id}',
    summary: 'One batch',
    access: 'read',
    params,
    resource: 'batch',
    response: batchSchema,
    problems: [401, 404],
  }),
  events: defineRoute({
    method: 'get',
    path: '/api/oil/batches/{batch_id}/events',
    summary: 'The events of one batch, oldest first',
    access: 'read',
    params,
    resource: 'batch',
    response: z.array(eventSchema),
    problems: [401, 404],
  }),
  eventsExport: defineRoute({
    method: 'get',
    path: '/api/oil/batches/{batch_id}/events/export',
    summary: "CSV of one batch's events",
    access: 'read',
    params,
    resource: 'batch',
    responses: csv,
    problems: [401, 404],
  }),
  postEvent: defineRoute({
    method: 'post',
    path: '/api/oil/batches/{batch_id}/events',
    summary: 'Record a stage transition, a measurement, a note, or a status change',
    description:
      'Transitions move forward one stage at a time; skipping or going back needs the admin role and a reason. ' +
      'A transition that lost a race (the batch already moved) gets 409 with the current stage and version; ' +
      'send expected_stage / expected_version to make the check explicit.',
    access: 'user',
    params,
    resource: 'batch',
    body: eventInputSchema,
    status: 201,
    response: eventCreatedSchema,
    responseDescription: 'stored',
    problems: [400, 401, 403, 404, 409, 413, 415, 422],
  }),
  track: defineRoute({
    method: 'get',
    path: '/api/oil/track/{batch_id}',
    summary: 'The custody view: timeline, time in each stage, volume changes between stages with losses flagged',
    description: 'Cached for 60 s (X-Cache: HIT or MISS); a new event on the batch invalidates it.',
    access: 'read',
    params,
    resource: 'batch',
    response: trackSchema,
    problems: [401, 404],
  }),
};
