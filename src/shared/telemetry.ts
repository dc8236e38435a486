import { z } from 'zod';
import { parseTimestamp } from './time';

/** Device ids: what RTUs and gateways use as tags. No spaces, quotes or SQL punctuation. */
const DEVICE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
export const deviceIdSchema = z.string().regex(DEVICE_ID_PATTERN, 'must be 1-64 characters: letters, digits, and _ . : - (starting with a letter or digit)');

/** The longest status text: room for "pump off - workover, waiting on rig" and the like. */
const MAX_STATUS_CHARS = 128;
/**
 * Status is free text from the device or the operator ("OK, fine", "pump off - workover"), so any
 * printable text is kept. Refused: control characters (C0, DEL, C1), lone surrogates, bidi
 * overrides that would make a table lie about what it shows, and text that is only blanks.
 * Length counts characters (code points), not UTF-16 units.
 */
const STATUS_PATTERN = /^(?=.*\S)[^\p{Cc}\p{Cs}\u202A-\u202E\u2066-\u2069]{1,128}$/u;
const statusSchema = z.string().regex(STATUS_PATTERN, `must be 1-${MAX_STATUS_CHARS} printable characters (no control characters, not only blanks)`);

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

const EXTRA_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
/** The most extra fields one reading may carry. */
const MAX_EXTRA_FIELDS = 32;
/** The longest string an extra field may hold. */
const MAX_EXTRA_STRING = 256;
const extraValue = z.union([z.number().refine(Number.isFinite, 'must be finite'), z.string().max(MAX_EXTRA_STRING), z.boolean()]);
const extraSchema = z
  .record(z.string().regex(EXTRA_KEY_PATTERN, 'field names: letters, digits, _ . -'), extraValue)
  .refine((o) => Object.keys(o).length <= MAX_EXTRA_FIELDS, `at most ${MAX_EXTRA_FIELDS} extra fields`);

/** One reading as a device posts it (device_id, ts, temperature, pressure, status, as existing clients send it, plus optional extra fields). */
export const readingInputSchema = z
  .strictObject({
    device_id: deviceIdSchema,
    ts: timestampSchema,
    temperature: measurement('temperature').nullable().optional(),
    pressure: measurement('pressure').nullable().optional(),
    status: statusSchema.nullable().optional(),
    extra: extraSchema.nullable().optional(),
  })
  // status alone is a reading: a report-by-exception device (Sparkplug, a Modbus status register) may send only its state change
  .refine((r) => r.temperature != null || r.pressure != null || r.status != null || (r.extra && Object.keys(r.extra).length > 0), {
    message: 'a reading needs temperature, pressure, status, or at least one extra field',
    path: ['temperature'],
  });
/** A validated reading, timestamp in epoch ms. */
export type NewReading = z.output<typeof readingInputSchema>;

const isPlainObject = (v: object): boolean => {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};
const isMeasurement = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= MAX_MAGNITUDE;

/**
 * The rules of `readingInputSchema`, written out for the ingest hot path (zod costs about as much
 * as parsing the body). It answers only when the input is certainly valid: a plain object with
 * only the schema's keys, none of them `undefined`, every value within the same rules (same
 * patterns, same limits, the same `parseTimestamp`). It then returns exactly what the schema
 * returns. Anything else gives `undefined`, and the caller asks the schema, which also words the
 * errors. test/server/telemetry-fast-parse.test.ts feeds random and hostile inputs through both.
 */
export function fastParseReading(input: unknown): NewReading | undefined {
  if (typeof input !== 'object' || input === null || !isPlainObject(input)) return undefined;
  const o = input as Record<string, unknown>;
  const deviceId = o.device_id;
  if (typeof deviceId !== 'string' || !DEVICE_ID_PATTERN.test(deviceId)) return undefined;
  const rawTs = o.ts;
  if (typeof rawTs !== 'number' && typeof rawTs !== 'string') return undefined;
  const ts = parseTimestamp(rawTs);
  if (typeof ts === 'string') return undefined;
  const out: NewReading = { device_id: deviceId, ts };
  let keys = 2;
  const temperature = o.temperature;
  if (temperature !== undefined) {
    if (temperature !== null && !isMeasurement(temperature)) return undefined;
    out.temperature = temperature;
    keys++;
  }
  const pressure = o.pressure;
  if (pressure !== undefined) {
    if (pressure !== null && !isMeasurement(pressure)) return undefined;
    out.pressure = pressure;
    keys++;
  }
  const status = o.status;
  if (status !== undefined) {
    if (status !== null && (typeof status !== 'string' || !STATUS_PATTERN.test(status))) return undefined;
    out.status = status;
    keys++;
  }
  let extraCount = 0;
  const extra = o.extra;
  if (extra !== undefined) {
    if (extra === null) {
      out.extra = null;
    } else {
      if (typeof extra !== 'object' || Array.isArray(extra) || !isPlainObject(extra)) return undefined;
      const copy: Record<string, number | string | boolean> = {};
      for (const key in extra) {
        if (!Object.prototype.hasOwnProperty.call(extra, key)) return undefined;
        if (++extraCount > MAX_EXTRA_FIELDS || key === '__proto__' || !EXTRA_KEY_PATTERN.test(key)) return undefined;
        const v = (extra as Record<string, unknown>)[key];
        if (typeof v === 'number' ? !Number.isFinite(v) : typeof v === 'string' ? v.length > MAX_EXTRA_STRING : typeof v !== 'boolean') return undefined;
        copy[key] = v as number | string | boolean;
      }
      out.extra = copy;
    }
    keys++;
  }
  // strictObject: a key the schema does not know (or a known one set to undefined) is the schema's call
  let seen = 0;
  for (const key in o) {
    if (!Object.prototype.hasOwnProperty.call(o, key)) return undefined;
    seen++;
  }
  if (seen !== keys) return undefined;
  if (temperature == null && pressure == null && status == null && extraCount === 0) return undefined;
  return out;
}

/** `readingInputSchema.safeParse` with the fast path in front: same result, same errors. */
export function safeParseReading(input: unknown): { success: true; data: NewReading } | { success: false; error: z.ZodError } {
  const fast = fastParseReading(input);
  if (fast !== undefined) return { success: true, data: fast };
  const parsed = readingInputSchema.safeParse(input);
  return parsed.success ? { success: true, data: parsed.data } : { success: false, error: parsed.error };
}

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
    cursor: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a cursor this station issued')
      .optional(),
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
  rejected: z.array(z.object({ index: z.number().int(), errors: z.array(z.object({ path: z.string(), message: z.string() })) })),
});
export type BatchResult = z.infer<typeof batchResultSchema>;

const deviceStatsSchema = z.object({
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
  online: z.boolean().optional().describe("Sparkplug B edge nodes and devices only: false after their NDEATH/DDEATH or the broker's will"),
});
export type Device = z.infer<typeof deviceSchema>;

export const seriesQuerySchema = telemetryFilterSchema.extend({
  device_id: deviceIdSchema,
  ts_from: timestampSchema,
  ts_to: timestampSchema,
  buckets: z.coerce.number().int().min(1).max(5000).default(1000),
});
const seriesPointSchema = z.object({
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
