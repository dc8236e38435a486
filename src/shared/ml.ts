import { z } from 'zod';
import { deviceIdSchema, MAX_MAGNITUDE, timestampSchema } from './telemetry';

/** Payloads of the anomaly check (/api/ml/...) and alarms (/api/alarms...). Timestamps out are Unix seconds. */
const measurement = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .refine(Number.isFinite, `${what} must be finite`)
    .refine((v) => Math.abs(v) <= MAX_MAGNITUDE, `${what} is out of range (|value| <= 1e12)`);

export const predictRequestSchema = z.strictObject({
  temperature: measurement('temperature'),
  pressure: measurement('pressure'),
  device_id: deviceIdSchema.optional(),
  ts: timestampSchema.optional(),
});

const ruleFiredSchema = z.object({
  rule: z.enum(['temperature_min', 'temperature_max', 'pressure_min', 'pressure_max', 'temperature_rate', 'pressure_rate']),
  value: z.number(),
  limit: z.number(),
});
export type RuleFired = z.infer<typeof ruleFiredSchema>;

const predictMetaSchema = z.object({
  model_version: z.string().nullable().describe('version of the forest, or null for the rule scorer'),
  threshold: z.number(),
  features: z.record(z.string(), z.number()).nullable().describe('the forest inputs, null for the rule scorer'),
  history: z.number().int().describe('stored readings of the device used as history'),
  rules_fired: z.array(ruleFiredSchema),
  guards: z
    .array(z.object({ kind: z.enum(['distance', 'step', 'frozen']), channel: z.enum(['temperature', 'pressure']), severity: z.number() }))
    .describe('guards that fired: far outside the baseline, an impossible step, a frozen sensor (severity: how far past the limit, >= 1)'),
  reasons: z.array(z.string()).describe('why the reading flagged, in words, most telling first; [] when normal'),
  reason: z.string().describe('which scorer answered and on how much history, in words'),
});

export const predictResponseSchema = z.object({
  anomaly: z.boolean(),
  score: z.number().min(0).max(1),
  model: z.enum(['rf', 'rule']),
  meta: predictMetaSchema,
});
export type PredictResponse = z.infer<typeof predictResponseSchema>;

export const MAX_SCORE_POINTS = 100_000;

export const scoreRequestSchema = z
  .strictObject({
    device_id: deviceIdSchema,
    ts_from: timestampSchema,
    ts_to: timestampSchema,
    async: z.boolean().optional().describe('true: always answer 202 with a background task'),
  })
  .refine((q) => q.ts_from <= q.ts_to, { message: 'ts_from must not be after ts_to', path: ['ts_from'] });

const scorePointSchema = z.object({
  ts: z.number().describe('Unix seconds'),
  time: z.string(),
  score: z.number(),
  anomaly: z.boolean(),
  model: z.enum(['rf', 'rule']),
  reasons: z.array(z.string()).describe('why the reading flagged, in words; [] when normal'),
});
export const scoreResponseSchema = z.array(scorePointSchema);
export type ScorePoint = z.infer<typeof scorePointSchema>;

const limit = z.number().refine(Number.isFinite, 'must be finite').nullable().optional();
const rate = z.number().refine(Number.isFinite, 'must be finite').positive('must be positive').nullable().optional();
const seconds = z
  .number()
  .int('must be whole seconds')
  .min(0, 'must be 0 or more seconds')
  .max(7 * 24 * 3600, 'must be at most 7 days (604800 s)');

/** Limits of the rule scorer and alarm timing for one device, or `*` for every device without its own. */
export const ruleLimitsInputSchema = z
  .strictObject({
    temperature_min: limit,
    temperature_max: limit,
    pressure_min: limit,
    pressure_max: limit,
    temperature_rate_max: rate.describe('largest normal change per minute, absolute'),
    pressure_rate_max: rate.describe('largest normal change per minute, absolute'),
    alarm_open_after_s: seconds.optional().describe('score above threshold this long opens an alarm'),
    alarm_clear_after_s: seconds.optional().describe('normal this long clears it'),
  })
  .refine((l) => l.temperature_min == null || l.temperature_max == null || l.temperature_min < l.temperature_max, {
    message: 'temperature_min must be below temperature_max',
    path: ['temperature_min'],
  })
  .refine((l) => l.pressure_min == null || l.pressure_max == null || l.pressure_min < l.pressure_max, {
    message: 'pressure_min must be below pressure_max',
    path: ['pressure_min'],
  });
export type RuleLimitsInput = z.input<typeof ruleLimitsInputSchema>;

export const ruleLimitsSchema = z.object({
  device_id: z.string().describe('a device id, or * for the default'),
  temperature_min: z.number().nullable(),
  temperature_max: z.number().nullable(),
  pressure_min: z.number().nullable(),
  pressure_max: z.number().nullable(),
  temperature_rate_max: z.number().nullable(),
  pressure_rate_max: z.number().nullable(),
  alarm_open_after_s: z.number().int(),
  alarm_clear_after_s: z.number().int(),
  updated_at: z.string().nullable(),
  updated_by: z.string().nullable(),
});
export type RuleLimits = z.infer<typeof ruleLimitsSchema>;

export const ruleDeviceParamSchema = z.union([z.literal('*'), deviceIdSchema]);

export const alarmSchema = z.object({
  id: z.number().int(),
  device_id: z.string(),
  state: z.enum(['open', 'cleared']),
  started_ts: z.number().describe('first anomalous reading, Unix seconds'),
  opened_ts: z.number().describe('when the alarm opened (score high for the open delay), Unix seconds'),
  cleared_ts: z.number().nullable(),
  peak_score: z.number(),
  model: z.enum(['rf', 'rule']),
  reason: z.string().nullable(),
  acknowledged_at: z.string().nullable(),
  acknowledged_by: z.string().nullable(),
  note: z.string().nullable(),
});
export type Alarm = z.infer<typeof alarmSchema>;

const boolParam = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
export const alarmsQuerySchema = z
  .strictObject({
    device_id: deviceIdSchema.optional(),
    state: z.enum(['open', 'cleared']).optional(),
    acknowledged: boolParam.optional(),
    ts_from: timestampSchema.optional(),
    ts_to: timestampSchema.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .refine((q) => q.ts_from === undefined || q.ts_to === undefined || q.ts_from <= q.ts_to, {
    message: 'ts_from must not be after ts_to',
    path: ['ts_from'],
  });
export type AlarmsQuery = z.output<typeof alarmsQuerySchema>;

export const ackRequestSchema = z.strictObject({ note: z.string().max(500).optional() });

/**
 * Scoring a long range runs as a background job (`ml.score`); above this many readings
 * POST /api/ml/score answers 202 with a task instead of the points (or on `async: true`).
 */
export const SCORE_SYNC_MAX = 20_000;
/** The most readings one scoring job covers (its points are kept in the task's result). */
export const MAX_SCORE_JOB_POINTS = 500_000;

export const scoreJobPayloadSchema = z.strictObject({
  device_id: deviceIdSchema,
  ts_from_ms: z.number().int(),
  ts_to_ms: z.number().int(),
});

/** The result of a scoring job: columns rather than objects, to keep the stored result small. */
export const scoreJobResultSchema = z.object({
  device_id: z.string(),
  readings: z.number().int(),
  anomalies: z.number().int(),
  model_version: z.string().nullable(),
  ts: z.array(z.number()).describe('Unix seconds'),
  score: z.array(z.number()),
  anomaly: z.array(z.boolean()),
  model: z.array(z.enum(['rf', 'rule'])),
  reasons: z.array(z.array(z.string())),
});
export type ScoreJobResult = z.infer<typeof scoreJobResultSchema>;

/**
 * A judged span of a device's history. `normal` (admins only): the station stops flagging inside it
 * and adapts the device's threshold and guard limits to it; `label` (engineers and admins): a training
 * label for `train --from-db` (0 normal, 1..8 the 3W event types or a site's own codes up to 199).
 */
export const spanInputSchema = z
  .strictObject({
    device_id: deviceIdSchema,
    ts_from: timestampSchema,
    ts_to: timestampSchema,
    kind: z.enum(['normal', 'label']),
    label: z.number().int('label must be a whole number').min(0, 'label must be 0 or more').max(199, 'label must be at most 199').optional(),
    note: z.string().max(500, 'note must be at most 500 characters').optional(),
  })
  .refine((s) => s.ts_from <= s.ts_to, { message: 'ts_from must not be after ts_to', path: ['ts_from'] })
  .refine((s) => s.kind === 'label' || s.label === undefined || s.label === 0, {
    message: 'a span marked normal has no label (use kind "label" to label an event)',
    path: ['label'],
  })
  .refine((s) => s.kind === 'normal' || s.label !== undefined, { message: 'a label span needs a label', path: ['label'] });
export type SpanCreate = z.output<typeof spanInputSchema>;

export const spanSchema = z.object({
  id: z.number().int(),
  device_id: z.string(),
  ts_from: z.number().describe('Unix seconds'),
  ts_to: z.number().describe('Unix seconds'),
  kind: z.enum(['normal', 'label']),
  label: z.number().int(),
  note: z.string().nullable(),
  readings: z.number().int().describe('stored readings inside the span when it was marked'),
  created_at: z.string(),
  created_by: z.string().nullable(),
});
export type Span = z.infer<typeof spanSchema>;

export const spansQuerySchema = z.strictObject({
  device_id: deviceIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

const positiveInt = (max: number) => z.number().int().min(1).max(max);

/** POST /api/ml/train: where the labelled data comes from, and the few options worth changing. */
export const trainRequestSchema = z.strictObject({
  source: z
    .enum(['bundled', 'database'])
    .default('bundled')
    .describe('bundled: the 3W training data configured on the station (ML_TRAIN_DATA); database: readings with an integer extra.label'),
  seed: positiveInt(2_147_483_646).optional(),
  trees: positiveInt(500).optional(),
  rows: positiveInt(50_000).optional(),
});
export const trainJobPayloadSchema = z.strictObject({
  source: z.enum(['bundled', 'database']),
  seed: positiveInt(2_147_483_646).optional(),
  trees: positiveInt(500).optional(),
  rows: positiveInt(50_000).optional(),
});

export const trainJobResultSchema = z.object({
  version: z.string(),
  file: z.string(),
  threshold: z.number(),
  leave_one_well_out: z
    .object({ mean_balanced_accuracy: z.number(), false_positive_rate: z.number() })
    .describe('the primary figure: each well scored by a model that never saw it'),
  instance_grouped: z.object({ mean_balanced_accuracy: z.number(), false_positive_rate: z.number() }),
});
export type TrainJobResult = z.infer<typeof trainJobResultSchema>;

/** 202 answer of a request that became a background job. */
export const taskAcceptedSchema = z.object({ task_id: z.string(), status: z.string(), status_url: z.string(), result_url: z.string() });
export type TaskAccepted = z.infer<typeof taskAcceptedSchema>;
