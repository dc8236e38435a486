import { z } from 'zod';
import { taskCreatedSchema, taskEventSchema, taskListQuerySchema, taskListSchema, taskSchema } from '../jobs';
import { defineRoute } from './route';
import { exportFilterSchema } from './telemetry';

const params = z.object({ task_id: z.string().describe('the task id returned by POST /api/telemetry/export/async') });

/** Background tasks: the async export and /api/tasks. */
export const jobRoutes = {
  exportAsync: defineRoute({
    method: 'post',
    path: '/api/telemetry/export/async',
    summary: 'Start a background CSV export (same filters as GET /api/telemetry/export)',
    description: 'Filters as query parameters or as a JSON body. Poll GET /api/tasks/{task_id}, or follow /events.',
    access: 'read',
    query: exportFilterSchema,
    otherBodies: { 'application/json': exportFilterSchema },
    status: 202,
    response: taskCreatedSchema,
    responseDescription: 'queued',
    problems: [401, 403, 415, 422],
  }),
  list: defineRoute({
    method: 'get',
    path: '/api/tasks',
    summary: 'Background tasks (exports, anomaly training and scoring), newest first, with filters and a keyset cursor',
    description:
      'Users see their own tasks (an API key: the key’s own); admins see all. Items have the shape of GET /api/tasks/{task_id} without the inline CSV.',
    access: 'read',
    query: taskListQuerySchema,
    response: taskListSchema,
    responseDescription: 'a page of tasks',
    problems: [401, 403, 422],
  }),
  get: defineRoute({
    method: 'get',
    path: '/api/tasks/{task_id}',
    summary: 'A task: status, progress, result (the CSV inline when at most 1 MB) and download URL',
    description: 'Users see their own tasks; admins see all. Someone else’s task is a 404.',
    access: 'read',
    params,
    response: taskSchema,
    responseDescription: 'the task',
    problems: [401, 404],
  }),
  download: defineRoute({
    method: 'get',
    path: '/api/tasks/{task_id}/download',
    summary: 'The finished export file (streamed CSV)',
    access: 'read',
    params,
    responses: { 200: { description: 'CSV', schema: z.string(), contentType: 'text/csv' } },
    problems: [401, 404, 409, 410],
  }),
  events: defineRoute({
    method: 'get',
    path: '/api/tasks/{task_id}/events',
    summary: 'Server-Sent Events: `progress` events while the task runs, then one `done` event',
    access: 'read',
    params,
    responses: { 200: { description: 'event stream', schema: taskEventSchema, contentType: 'text/event-stream' } },
    problems: [401, 404],
  }),
  delete: defineRoute({
    method: 'delete',
    path: '/api/tasks/{task_id}',
    summary: 'Cancel a queued or running task (200 with the task), or remove a finished one and its file (204)',
    access: 'read',
    params,
    status: 204,
    responseDescription: 'removed',
    responses: { 200: { description: 'cancelled', schema: taskSchema } },
    problems: [401, 404],
  }),
};
