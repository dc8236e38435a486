import { z } from 'zod';
import { deviceIdSchema, readingSchema } from './telemetry';

/** Query string of `POST /api/v2/write` (InfluxDB 2 style). org and bucket are accepted and ignored. */
export const v2WriteQuerySchema = z.strictObject({
  org: z.string().max(256).optional(),
  orgID: z.string().max(256).optional(),
  bucket: z.string().max(256).optional(),
  precision: z.enum(['ns', 'us', 'ms', 's']).default('ns'),
});

/** Query string of `POST /write` (InfluxDB 1.x style). db, rp, consistency are accepted and ignored. */
export const v1WriteQuerySchema = z.strictObject({
  db: z.string().max(256).optional(),
  rp: z.string().max(256).optional(),
  consistency: z.enum(['any', 'one', 'quorum', 'all']).optional(),
  precision: z.enum(['n', 'ns', 'u', 'us', 'ms', 's', 'm', 'h']).default('n'),
});

export type Precision = 'ns' | 'us' | 'ms' | 's' | 'm' | 'h';

/** One rejected line in a 400 answer from the line-protocol endpoints. */
export const rejectedLineSchema = z.object({ line: z.number().int(), error: z.string() });
export type RejectedLine = z.infer<typeof rejectedLineSchema>;

export const influxQuerySchema = z.strictObject({
  device_id: deviceIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
});
export type InfluxQuery = z.output<typeof influxQuerySchema>;

/** A point as InfluxDB returns it: a stored reading without the station's own id and receive time. */
const influxPointSchema = readingSchema.omit({ id: true, received_at: true });
export type InfluxPoint = z.infer<typeof influxPointSchema>;

export const influxQueryResultSchema = z.object({
  source: z.enum(['influxdb', 'sqlite']).describe('which store answered'),
  fallback_reason: z.string().nullable().describe('why SQLite answered instead of InfluxDB'),
  points: z.array(influxPointSchema).describe('newest first, last 30 days'),
});
export type InfluxQueryResult = z.infer<typeof influxQueryResultSchema>;

export const forwarderStatusSchema = z.object({
  configured: z.boolean(),
  ok: z.boolean().describe('false while the last attempt to forward failed'),
  target: z.string().nullable().describe('InfluxDB URL (no credentials) and bucket or database'),
  version: z.enum(['1', '2']).nullable(),
  position: z.number().int().describe('highest telemetry id forwarded'),
  backlog: z.number().int().describe('stored readings not forwarded yet'),
  pending_deletes: z.number().int().describe('readings deleted in the station and not yet deleted in InfluxDB'),
  lag_seconds: z.number().describe('age of the oldest reading or delete not forwarded yet; 0 when none'),
  forwarded_total: z.number().int().describe('readings forwarded to this target since it was configured'),
  last_success: z.string().nullable(),
  last_error: z.string().nullable().describe('the last failure, kept after recovery; see ok'),
  last_error_at: z.string().nullable(),
  retry_in_ms: z.number().int().nullable(),
});
export type ForwarderStatus = z.infer<typeof forwarderStatusSchema>;
