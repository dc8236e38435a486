import { z } from 'zod';

/**
 * InfluxDB settings (INFLUX_URL, INFLUX_TOKEN, INFLUX_ORG, INFLUX_BUCKET, plus 1.x and
 * tuning knobs). Spread into the station's env schema by config.ts; docs/INFLUX.md lists them.
 */
export const influxEnvShape = {
  INFLUX_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. http://127.0.0.1:8086' })
    .refine((u) => !new URL(u).username && !new URL(u).password, 'must not carry credentials; use INFLUX_TOKEN')
    .optional(),
  INFLUX_TOKEN: z.string().min(1).max(4096).optional(),
  INFLUX_ORG: z.string().min(1).max(256).optional(),
  INFLUX_BUCKET: z.string().min(1).max(256).optional(),
  INFLUX_VERSION: z.enum(['1', '2']).default('2'),
  INFLUX_DB: z.string().min(1).max(256).optional(),
  /** tags that name the device in line protocol posted to the station, tried in order */
  INFLUX_DEVICE_TAGS: z
    .string()
    .regex(/^\s*[A-Za-z_][A-Za-z0-9_.-]*(\s*,\s*[A-Za-z_][A-Za-z0-9_.-]*)*\s*$/, 'comma-separated tag names, e.g. device_id,host')
    .default('device_id'),
  INFLUX_BATCH_SIZE: z.coerce.number().int().min(1).max(50_000).default(5000),
  /** how often the forwarder looks for new readings even without a write nudge (other processes) */
  INFLUX_FLUSH_INTERVAL_MS: z.coerce.number().int().min(10).max(600_000).default(5000),
  INFLUX_MIN_BACKOFF_MS: z.coerce.number().int().min(10).max(600_000).default(1000),
  INFLUX_MAX_BACKOFF_MS: z.coerce.number().int().min(10).max(3_600_000).default(60_000),
  INFLUX_WRITE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  INFLUX_QUERY_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(2000),
};

type InfluxEnv = z.output<z.ZodObject<typeof influxEnvShape>>;

export interface InfluxTarget {
  url: string;
  version: '1' | '2';
  token?: string;
  org?: string;
  bucket?: string;
  /** 1.x database; for queries against 2.x/3.x, the bucket's v1-compatible name */
  db: string;
}

export interface InfluxConfig {
  /** undefined: no InfluxDB; the forwarder stays off and queries answer from SQLite */
  target?: InfluxTarget;
  deviceTags: string[];
  batchSize: number;
  flushIntervalMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  writeTimeoutMs: number;
  queryTimeoutMs: number;
}

/** The typed settings, or a message naming the variable that is missing. */
export function influxConfig(e: InfluxEnv): InfluxConfig | string {
  const base = {
    deviceTags: e.INFLUX_DEVICE_TAGS.split(',')
      .map((t) => t.trim())
      .filter(Boolean),
    batchSize: e.INFLUX_BATCH_SIZE,
    flushIntervalMs: e.INFLUX_FLUSH_INTERVAL_MS,
    minBackoffMs: e.INFLUX_MIN_BACKOFF_MS,
    maxBackoffMs: Math.max(e.INFLUX_MAX_BACKOFF_MS, e.INFLUX_MIN_BACKOFF_MS),
    writeTimeoutMs: e.INFLUX_WRITE_TIMEOUT_MS,
    queryTimeoutMs: e.INFLUX_QUERY_TIMEOUT_MS,
  };
  if (!e.INFLUX_URL) return base;
  const url = e.INFLUX_URL.replace(/\/+$/, '');
  if (e.INFLUX_VERSION === '1') {
    if (!e.INFLUX_DB) return 'INFLUX_DB: required when INFLUX_URL is set and INFLUX_VERSION=1';
    return { ...base, target: { url, version: '1', token: e.INFLUX_TOKEN, db: e.INFLUX_DB } };
  }
  if (!e.INFLUX_ORG) return 'INFLUX_ORG: required when INFLUX_URL is set (InfluxDB 2); set INFLUX_VERSION=1 for 1.x';
  if (!e.INFLUX_BUCKET) return 'INFLUX_BUCKET: required when INFLUX_URL is set (InfluxDB 2)';
  return {
    ...base,
    target: { url, version: '2', token: e.INFLUX_TOKEN, org: e.INFLUX_ORG, bucket: e.INFLUX_BUCKET, db: e.INFLUX_DB ?? e.INFLUX_BUCKET },
  };
}
