import { z } from 'zod';
import { taskCreatedSchema, taskEventSchema, taskListQuerySchema, taskListSchema, taskSchema } from '../../shared/jobs';
import { telemetryFilterSchema } from '../../shared/telemetry';
import { bearer, problems, type OpenAPIRegistry } from '../openapi/registry';

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
const idParam = z.object({ task_id: z.string().describe('the task id returned by POST /api/telemetry/export/async') });
const filterQuery = telemetryFilterSchema.extend({ ts_from: z.string().optional(), ts_to: z.string().optional() });

export function registerJobsDocs(r: OpenAPIRegistry): void {
  r.registerPath({
    method: 'post',
    path: '/api/telemetry/export/async',
    summary: 'Start a background CSV export (same filters as GET /api/telemetry/export)',
    description: 'Filters as query parameters or as a JSON body. Poll GET /api/tasks/{task_id}, or follow /events.',
    security: bearer,
    request: { query: filterQuery, body: { content: json(filterQuery), required: false } },
    responses: { 202: { description: 'queued', content: json(taskCreatedSchema) }, ...problems(401, 403, 415, 422) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/tasks',
    summary: 'Background tasks (exports, anomaly training and scoring), newest first, with filters and a keyset cursor',
    description:
      'Users see their own tasks (an API key: the key’s own); admins see all. Items have the shape of GET /api/tasks/{task_id} without the inline CSV.',
    security: bearer,
    request: { query: taskListQuerySchema },
    responses: { 200: { description: 'a page of tasks', content: json(taskListSchema) }, ...problems(401, 403, 422) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/tasks/{task_id}',
    summary: 'A task: status, progress, result (the CSV inline when at most 1 MB) and download URL',
    description: 'Users see their own tasks; admins see all. Someone else’s task is a 404.',
    security: bearer,
    request: { params: idParam },
    responses: { 200: { description: 'the task', content: json(taskSchema) }, ...problems(401, 404) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/tasks/{task_id}/download',
    summary: 'The finished export file (streamed CSV)',
    security: bearer,
    request: { params: idParam },
    responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } }, ...problems(401, 404, 409, 410) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/tasks/{task_id}/events',
    summary: 'Server-Sent Events: `progress` events while the task runs, then one `done` event',
    security: bearer,
    request: { params: idParam },
    responses: { 200: { description: 'event stream', content: { 'text/event-stream': { schema: taskEventSchema } } }, ...problems(401, 404) },
  });
  r.registerPath({
    method: 'delete',
    path: '/api/tasks/{task_id}',
    summary: 'Cancel a queued or running task (200 with the task), or remove a finished one and its file (204)',
    security: bearer,
    request: { params: idParam },
    responses: { 200: { description: 'cancelled', content: json(taskSchema) }, 204: { description: 'removed' }, ...problems(401, 404) },
  });
}
