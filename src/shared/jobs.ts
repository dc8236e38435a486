import { z } from 'zod';
import { deviceIdSchema } from './telemetry';

/** Background tasks (async exports): what the API returns and what a UI polls or streams. */
export const TASK_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export const taskStatusSchema = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof taskStatusSchema>;
export const FINISHED_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'cancelled'];

/** Task ids are UUIDs the station generates; anything else is simply not found. */
export const TASK_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The export job's payload: the list filters, timestamps already resolved to epoch ms. */
export const exportJobPayloadSchema = z.strictObject({
  device_id: deviceIdSchema.optional(),
  ts_from_ms: z.number().int().optional(),
  ts_to_ms: z.number().int().optional(),
});
export type ExportJobPayload = z.infer<typeof exportJobPayloadSchema>;

export const exportFiltersSchema = z.object({
  device_id: z.string().nullable(),
  ts_from: z.number().nullable().describe('Unix seconds'),
  ts_to: z.number().nullable().describe('Unix seconds'),
});

export const exportMetaSchema = z.object({
  rows: z.number().int(),
  bytes: z.number().int(),
  filters: exportFiltersSchema,
  started_at: z.string(),
  finished_at: z.string(),
  file_name: z.string(),
});
export type ExportMeta = z.infer<typeof exportMetaSchema>;

/** What an export job stores as its result (the file lives under DATA_DIR/exports). */
export const exportJobResultSchema = z.object({ meta: exportMetaSchema, file: z.string() });
export type ExportJobResult = z.infer<typeof exportJobResultSchema>;

export const taskSchema = z.object({
  task_id: z.string(),
  name: z.string(),
  status: taskStatusSchema,
  progress: z.object({ rows: z.number().int(), percent: z.number().nullable() }),
  result: z
    .object({
      meta: exportMetaSchema,
      csv: z.string().optional().describe('the CSV itself, only when it is at most 1 MB'),
      download_url: z.string(),
    })
    .nullable(),
  error: z.string().nullable(),
  attempts: z.number().int(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
});
export type Task = z.infer<typeof taskSchema>;

export const taskCreatedSchema = z.object({ task_id: z.string(), status: taskStatusSchema, status_url: z.string() });

/** A Server-Sent Event's data on /api/tasks/{id}/events. */
export const taskEventSchema = z.object({
  task_id: z.string(),
  status: taskStatusSchema,
  progress: z.object({ rows: z.number().int(), percent: z.number().nullable() }),
  error: z.string().nullable(),
});
