import { z } from 'zod';
import { parseTimestamp } from './time';

/** Device ids: what RTUs and gateways use as tags. No spaces, quotes or SQL punctuation. */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
export const deviceIdSchema = z
  .string()
  .regex(DEVICE_ID_PATTERN, 'must be 1-64 characters: letters, digits, and _ . : - (starting with a letter or digit)');

export const statusSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,32}$/, 'must be 1-32 characters: letters, digits, and _ . -');

/** Sane physical magnitudes in any common unit (Pa, kPa, bar, psi; °C, °F, K). */
export const MAX_MAGNITUDE = 1e12;
const measurement = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .refine(Number.isFinite, `${what} must be finite`)
    .refine((v) => Math.abs(v) <= MAX_MAGNITUDE, `${what} is out of range (|value| <= 1e12)`);

export const timestampSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const parsed = parseTimestamp(value);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: `ts ${parsed}` });
    return z.NEVER;
  }
  return parsed;
});

const extraValue = z.union([z.number().refine(Number.isFinite, 'must be finite'), z.string().max(256), z.boolean()]);
export const extraSchema = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/, 'field names: letters, digits, _ . -'), extraValue)
  .refine((o) => Object.keys(o).length <= 32, 'at most 32 extra fields');

/** One reading as a device posts it (the seed's contract plus optional extra fields). */
export const readingInputSchema = z
  .strictObject({
    device_id: deviceIdSchema,
    ts: timestampSchema,
    temperature: measurement('temperature').nullable().optional(),
    pressure: measurement('pressure').nullable().optional(),
    status: statusSchema.nullable().optional(),
    extra: extraSchema.nullable().optional(),
  })
  .refine((r) => r.temperature != null || r.pressure != null || (r.extra && Object.keys(r.extra).length > 0), {
    message: 'a reading needs temperature, pressure, or at least one extra field',
    path: ['temperature'],
  });
export type ReadingInput = z.input<typeof readingInputSchema>;
/** A validated reading, timestamp in epoch ms. */
export type NewReading = z.output<typeof readingInputSchema>;

/** A stored reading as the API returns it. */
export const readingSchema = z.object({
  id: z.number().int(),
  device_id: z.string(),
  ts: z.number().describe('Unix seconds'),
  time: z.string().describe('ISO-8601 UTC'),
  temperature: z.number().nullable(),
  pressure: z.number().nullable(),
  status: z.string().nullable(),
  extra: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).nullable(),
  received_at: z.string(),
});
export type Reading = z.infer<typeof readingSchema>;

export const MAX_LIST_LIMIT = 10_000;

/** Filters shared by list, export and stats. */
export const telemetryFilterSchema = z.strictObject({
  device_id: deviceIdSchema.optional(),
  ts_from: timestampSchema.optional(),
  ts_to: timestampSchema.optional(),
});

export const listQuerySchema = telemetryFilterSchema
  .extend({
    limit: z.coerce.number().int().min(1).max(MAX_LIST_LIMIT).default(100),
    page: z.coerce.number().int().min(1).max(1_000_000).default(1),
    cursor: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a cursor this station issued').optional(),
    order: z.enum(['desc', 'asc']).default('desc'),
  })
  .refine((q) => q.ts_from === undefined || q.ts_to === undefined || q.ts_from <= q.ts_to, {
    message: 'ts_from must not be after ts_to',
    path: ['ts_from'],
  });
export type ListQuery = z.output<typeof listQuerySchema>;

export const readingPageSchema = z.object({
  items: z.array(readingSchema),
  total: z.number().int(),
  page: z.number().int(),
  limit: z.number().int(),
  next_cursor: z.string().nullable(),
});
export type ReadingPage = z.infer<typeof readingPageSchema>;

export const batchResultSchema = z.object({
  received: z.number().int(),
  stored: z.number().int().describe('readings inserted or replaced'),
  inserted: z.number().int(),
  replaced: z.number().int().describe('same device and ts with different values: last write wins'),
  duplicates: z.array(z.number().int()).describe('indexes of readings identical to stored ones'),
  rejected: z.array(
    z.object({ index: z.number().int(), errors: z.array(z.object({ path: z.string(), message: z.string() })) }),
  ),
});
export type BatchResult = z.infer<typeof batchResultSchema>;

export const deviceStatsSchema = z.object({
  device_id: z.string(),
  count: z.number().int(),
  first_ts: z.number().nullable(),
  last_ts: z.number().nullable(),
  temperature: z.object({ min: z.number().nullable(), max: z.number().nullable(), avg: z.number().nullable() }),
  pressure: z.object({ min: z.number().nullable(), max: z.number().nullable(), avg: z.number().nullable() }),
  last: readingSchema.nullable(),
});

export const statsSchema = z.object({
  count: z.number().int(),
  first_ts: z.number().nullable(),
  last_ts: z.number().nullable(),
  first_time: z.string().nullable(),
  last_time: z.string().nullable(),
  devices: z.array(deviceStatsSchema),
});
export type Stats = z.infer<typeof statsSchema>;

export const deviceSchema = z.object({
  device_id: z.string(),
  first_seen: z.string().describe('when the station first received a reading (ISO)'),
  last_seen: z.string().describe('when the station last received a reading (ISO)'),
  first_ts: z.number().nullable(),
  last_ts: z.number().nullable(),
  reading_count: z.number().int(),
});
export type Device = z.infer<typeof deviceSchema>;

export const seriesQuerySchema = telemetryFilterSchema.extend({
  device_id: deviceIdSchema,
  ts_from: timestampSchema,
  ts_to: timestampSchema,
  buckets: z.coerce.number().int().min(1).max(5000).default(1000),
});
export const seriesPointSchema = z.object({
  ts: z.number(),
  count: z.number().int(),
  temperature: z.object({ min: z.number().nullable(), avg: z.number().nullable(), max: z.number().nullable() }),
  pressure: z.object({ min: z.number().nullable(), avg: z.number().nullable(), max: z.number().nullable() }),
});
export const seriesSchema = z.object({
  device_id: z.string(),
  bucket_seconds: z.number(),
  points: z.array(seriesPointSchema),
});
export type Series = z.infer<typeof seriesSchema>;
