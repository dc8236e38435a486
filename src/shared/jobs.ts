import { z } from 'zod';
import { deviceIdSchema } from './telemetry';

/** Background tasks (async exports): what the API returns and what a UI polls or streams. */
const TASK_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
const taskStatusSchema = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof taskStatusSchema>;
export const FINISHED_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'cancelled'];

/** Task ids are UUIDs the station generates; anything else is simply not found. */
export const TASK_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Job names (`telemetry.export`, `ml.train`, ...): what the registry accepts and what a task list filters on. */
export const JOB_NAME_PATTERN = /^[a-z][a-z0-9.-]{1,63}$/;
/** The background CSV export's job name; the Export page lists its recent tasks by it. */
export const EXPORT_JOB = 'telemetry.export';

/** The export job's payload: the list filters, timestamps already resolved to epoch ms. */
export const exportJobPayloadSchema = z.strictObject({
  device_id: deviceIdSchema.optional(),
  ts_from_ms: z.number().int().optional(),
  ts_to_ms: z.number().int().optional(),
});
export type ExportJobPayload = z.infer<typeof exportJobPayloadSchema>;

const exportFiltersSchema = z.object({
  device_id: z.string().nullable(),
  ts_from: z.number().nullable().describe('Unix seconds'),
  ts_to: z.number().nullable().describe('Unix seconds'),
});

const exportMetaSchema = z.object({
  rows: z.number().int(),
  bytes: z.number().int(),
  filters: exportFiltersSchema,
  started_at: z.string(),
  finished_at: z.string(),
  file_name: z.string(),
});

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

const TASK_LIST_DEFAULT_LIMIT = 50;
const TASK_LIST_MAX_LIMIT = 500;

/** GET /api/tasks: filters and keyset paging (newest first). */
export const taskListQuerySchema = z.strictObject({
  status: taskStatusSchema.optional(),
  name: z.string().regex(JOB_NAME_PATTERN, 'must be a job name such as telemetry.export').optional(),
  limit: z.coerce.number().int().min(1).max(TASK_LIST_MAX_LIMIT).default(TASK_LIST_DEFAULT_LIMIT),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,128}$/, 'is not a cursor this station issued')
    .optional(),
});
export type TaskListQuery = z.output<typeof taskListQuerySchema>;

export const taskListSchema = z.object({
  items: z.array(taskSchema).describe('newest first; `result.csv` is never inline here (GET /api/tasks/{task_id} has it)'),
  limit: z.number().int(),
  next_cursor: z.string().nullable().describe('pass as `cursor` for the next (older) page; null on the last page'),
});
export type TaskList = z.infer<typeof taskListSchema>;
