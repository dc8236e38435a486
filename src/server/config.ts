import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { influxConfig, influxEnvShape, type InfluxConfig } from './influx/config';
import { mqttEnvConfig, mqttEnvShape } from './field/mqtt/env';
import { projectRoot } from './paths';
import type { MqttConfig } from '../shared/field-mqtt';

/**
 * Configuration comes from the environment (the variable names existing deployments use), optionally merged over a
 * JSON settings file at DATA_DIR/settings.json. It is validated once at start: a bad value stops
 * the station with a message naming the variable, instead of failing later at a wellsite.
 */
const bool = z.enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off']).transform((v) => ['1', 'true', 'yes', 'on'].includes(v));
const list = (v: string) =>
  v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const port = z.coerce.number().int().min(0).max(65535);

const envSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(8000),
  DATA_DIR: z.string().min(1).default('data'),
  DATABASE_PATH: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.optional(),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(16).default(2),
  DB_MAX_OVERFLOW: z.coerce.number().int().min(0).max(16).default(2),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'e.g. 64kb')
    .default('64kb'),
  BATCH_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'e.g. 32mb')
    .default('32mb'),
  BATCH_MAX_READINGS: z.coerce.number().int().min(1).max(1_000_000).default(100_000),
  SERVE_UI: bool.default(true),
  /** score new readings for alarms after ingest (off: no alarms; the bench compares both) */
  ML_ALARMS: bool.default(true),
  /** labelled data for `npm run train` and POST /api/ml/train (default ../shared/data/3w next to the project) */
  ML_TRAIN_DATA: z.string().min(1).optional(),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 24 * 3600)
    .default(3600),
  ADMIN_USERNAME: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$/)
    .default('admin'),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  ALLOWED_HOSTS: z
    .string()
    .refine((v) => list(v).every((h) => /^[A-Za-z0-9.-]{1,253}$|^\[[0-9A-Fa-f:.]+\]$/.test(h)), 'comma-separated host names or addresses, without ports')
    .optional(),
  CORS_ORIGINS: z
    .string()
    .refine((v) => list(v).every((o) => /^https?:\/\/[A-Za-z0-9.[\]:-]+$/.test(o)), 'comma-separated origins like http://host:port (no paths, no *)')
    .optional(),
  // security (docs/SECURITY.md)
  OIDC_ISSUER: z.url().optional(),
  OIDC_AUDIENCE: z.string().min(1).optional(),
  OIDC_JWKS_URL: z.url().optional(),
  OIDC_PUBLIC_KEY: z.string().min(1).optional(),
  OIDC_ROLE_CLAIM: z
    .string()
    .regex(/^[A-Za-z0-9_:/.-]{1,128}$/)
    .default('role'),
  OIDC_ADMIN_VALUES: z.string().default('admin'),
  OIDC_USER_VALUES: z.string().default('user'),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  TOKEN_RATE_LIMIT: z.coerce.number().int().min(1).max(100_000).default(10),
  TOKEN_RATE_LIMIT_PER_IP: z.coerce.number().int().min(1).max(1_000_000).default(100),
  READ_RATE_LIMIT: z.coerce.number().int().min(0).max(10_000_000).default(3000),
  INGEST_RATE_LIMIT: z.coerce.number().int().min(0).max(10_000_000).default(12_000),
  // Redis cache and BullMQ jobs (docs/JOBS.md); without REDIS_URL/REDIS_HOST/REDIS_PORT the embedded ones run
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'e.g. redis://127.0.0.1:6379/0')
    .optional(),
  REDIS_HOST: z.string().min(1).optional(),
  REDIS_PORT: port.optional(),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, '1-64 characters: letters, digits, _ . -')
    .default('oilfield'),
  REDIS_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  CACHE_MAX_ENTRIES: z.coerce.number().int().min(10).max(1_000_000).default(5000),
  JOB_WORKERS: z.coerce.number().int().min(0).max(16).default(1),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(1),
  JOB_LOCK_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  WORKER_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  /** test-only: caps the database file in pages so SQLite reports a real SQLITE_FULL (test/reliability/disk.test.ts) */
  DB_MAX_PAGE_COUNT: z.coerce.number().int().min(1).optional(),
  EXPORT_RETENTION_HOURS: z.coerce
    .number()
    .min(0.01)
    .max(24 * 365)
    .default(24),
  EXPORT_CONCURRENCY_PER_CALLER: z.coerce.number().int().min(1).max(64).default(2),
  TASKS_PER_CALLER: z.coerce.number().int().min(1).max(1000).default(5),
  // InfluxDB ingest, mirror and queries (docs/INFLUX.md)
  ...influxEnvShape,
  // MQTT and Sparkplug B (docs/FIELD.md): the configuration until an admin saves one through the API
  ...mqttEnvShape,
  // oil batch tracking (docs/BATCHES.md): net losses between stages beyond this % are flagged
  OIL_LOSS_TOLERANCE_PCT: z.coerce.number().min(0).max(100).default(0.5),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  databasePath: string;
  exportsDir: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  logPretty: boolean;
  /** read-only connections worker threads may hold at once (DB_POOL_SIZE + DB_MAX_OVERFLOW): bounds direct exports */
  readPoolSize: number;
  /** test-only page cap of the database file (DB_MAX_PAGE_COUNT) */
  dbMaxPageCount?: number;
  bodyLimit: string;
  batchBodyLimit: string;
  batchMaxReadings: number;
  serveUi: boolean;
  mlAlarms: boolean;
  /** where training reads its labelled data from (ML_TRAIN_DATA) */
  mlTrainData: string;
  jwtSecret?: string;
  jwtSecretFile: string;
  tokenTtlSeconds: number;
  adminUsername: string;
  adminPassword?: string;
  /** origins allowed to call the API from a browser; empty means same-origin only */
  corsOrigins: string[];
  /** Host header names accepted besides loopback (and, with LAN access on, this machine's names and addresses) */
  allowedHosts: string[];
  /** direct CSV exports one caller may stream at once (station-wide: readPoolSize) */
  exportsPerCaller: number;
  /** oil batches: a net loss between two stages beyond this percentage is flagged */
  batchLossTolerancePct: number;
  /** undefined: no Redis configured, so the in-memory cache and the local job runner are used */
  redis?: RedisConfig;
  cache: { ttlSeconds: number; maxEntries: number };
  jobs: JobsConfig;
  /** external identity provider whose RS256/ES256 bearer tokens are accepted; undefined = none */
  oidc?: OidcConfig;
  rateLimits: RateLimitConfig;
  /** line-protocol ingest settings and the optional InfluxDB mirror target */
  influx: InfluxConfig;
  /** MQTT configuration from the environment; one saved through /api/field/mqtt replaces it */
  mqtt: MqttConfig;
}

export interface OidcConfig {
  issuer: string;
  audience: string;
  jwksUrl?: string;
  /** PEM (SPKI) text of the provider's public key, when there is no JWKS endpoint */
  publicKeyPem?: string;
  /** claim (dotted path, e.g. realm_access.roles) whose value(s) map to a station role */
  roleClaim: string;
  adminValues: string[];
  userValues: string[];
}

/** Requests per window; read and ingest limits of 0 switch that limiter off (benchmarks). */
export interface RateLimitConfig {
  windowMs: number;
  /** failed sign-ins per IP and user name on /token */
  token: number;
  /** failed sign-ins per IP on /token, whatever the user name (spraying) */
  tokenPerIp: number;
  /** reads per caller (user, key, or IP) */
  read: number;
  /** ingest requests per caller (key or user) */
  ingest: number;
}

export interface RedisConfig {
  url: string;
  /** the URL without its password, for logs and /health */
  display: string;
  prefix: string;
  connectTimeoutMs: number;
}

interface JobsConfig {
  /** BullMQ jobs the station itself runs at once (0: only `npm run worker` processes run them) */
  stationWorkers: number;
  /** jobs each `npm run worker` process runs at once */
  workerConcurrency: number;
  /** BullMQ lock: a job whose worker stops renewing it for this long is handed to another worker */
  lockMs: number;
  /** a running task with no heartbeat for this long may be claimed by another execution */
  staleMs: number;
  heartbeatMs: number;
  /** a running task with no heartbeat for this long is failed ("worker stopped responding") */
  abandonedMs: number;
  shutdownTimeoutMs: number;
  retentionMs: number;
  /** exports up to this size are also returned inline in the task's result (the shape existing clients read) */
  inlineMaxBytes: number;
  /** queued or running background tasks one caller may have at once */
  perCaller: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function readSettingsFile(dataDir: string): Record<string, string> {
  try {
    const raw = JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')) as unknown;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('settings.json must hold an object');
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`cannot read ${join(dataDir, 'settings.json')}: ${(err as Error).message}`);
  }
}

/** Builds the typed config; `overrides` win over the environment (tests, the desktop app). */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Env = {}): Config {
  const dataDirRaw = overrides.DATA_DIR ?? env.DATA_DIR ?? 'data';
  const merged = { ...readSettingsFile(dataDirRaw), ...stripUndefined(env), ...stripUndefined(overrides) };
  const known = Object.fromEntries(Object.keys(envSchema.shape).map((k) => [k, merged[k as keyof typeof merged]]));
  const parsed = envSchema.safeParse(known);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new ConfigError(`invalid configuration:\n${lines}`);
  }
  const e = parsed.data;
  const influx = influxConfig(e);
  if (typeof influx === 'string') throw new ConfigError(`invalid configuration:\n  ${influx}`);
  const mqtt = mqttEnvConfig(e);
  if (typeof mqtt === 'string') throw new ConfigError(`invalid configuration:\n  ${mqtt}`);
  const dataDir = resolve(e.DATA_DIR);
  return {
    host: e.HOST,
    port: e.PORT,
    dataDir,
    databasePath: e.DATABASE_PATH ? resolve(e.DATABASE_PATH) : join(dataDir, 'processed', 'oilfield.db'),
    exportsDir: join(dataDir, 'exports'),
    logLevel: e.LOG_LEVEL,
    logPretty: e.LOG_PRETTY ?? false,
    readPoolSize: e.DB_POOL_SIZE + e.DB_MAX_OVERFLOW,
    dbMaxPageCount: e.DB_MAX_PAGE_COUNT,
    bodyLimit: e.BODY_LIMIT,
    batchBodyLimit: e.BATCH_BODY_LIMIT,
    batchMaxReadings: e.BATCH_MAX_READINGS,
    serveUi: e.SERVE_UI,
    mlAlarms: e.ML_ALARMS,
    mlTrainData: resolve(e.ML_TRAIN_DATA ?? join(projectRoot, '..', 'shared', 'data', '3w')),
    jwtSecret: e.JWT_SECRET,
    jwtSecretFile: join(dataDir, 'secrets', 'jwt.key'),
    tokenTtlSeconds: e.TOKEN_TTL_SECONDS,
    adminUsername: e.ADMIN_USERNAME,
    adminPassword: e.ADMIN_PASSWORD,
    redis: redisConfig(e),
    cache: { ttlSeconds: e.CACHE_TTL_SECONDS, maxEntries: e.CACHE_MAX_ENTRIES },
    jobs: {
      stationWorkers: e.JOB_WORKERS,
      workerConcurrency: e.WORKER_CONCURRENCY,
      lockMs: e.JOB_LOCK_MS,
      // stale before BullMQ redelivers (lock expiry), so the redelivered run can claim the task
      staleMs: Math.floor(e.JOB_LOCK_MS / 2),
      heartbeatMs: Math.max(100, Math.floor(e.JOB_LOCK_MS / 8)),
      // generous: a killed worker's job is normally redelivered by BullMQ long before this
      abandonedMs: Math.max(e.JOB_LOCK_MS * 4, 60_000),
      shutdownTimeoutMs: e.WORKER_SHUTDOWN_TIMEOUT_MS,
      retentionMs: Math.round(e.EXPORT_RETENTION_HOURS * 3600 * 1000),
      inlineMaxBytes: 1024 * 1024,
      perCaller: e.TASKS_PER_CALLER,
    },
    corsOrigins: e.CORS_ORIGINS
      ? e.CORS_ORIGINS.split(',')
          .map((o) => o.trim())
          .filter(Boolean)
      : [],
    allowedHosts: e.ALLOWED_HOSTS ? list(e.ALLOWED_HOSTS).map((h) => h.toLowerCase()) : [],
    exportsPerCaller: e.EXPORT_CONCURRENCY_PER_CALLER,
    batchLossTolerancePct: e.OIL_LOSS_TOLERANCE_PCT,
    oidc: oidcConfig(e),
    rateLimits: {
      windowMs: e.RATE_LIMIT_WINDOW_SECONDS * 1000,
      token: e.TOKEN_RATE_LIMIT,
      tokenPerIp: e.TOKEN_RATE_LIMIT_PER_IP,
      read: e.READ_RATE_LIMIT,
      ingest: e.INGEST_RATE_LIMIT,
    },
    influx,
    mqtt,
  };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** OIDC is all or nothing: an issuer needs an audience and a key source, or the station refuses to start. */
function oidcConfig(e: z.infer<typeof envSchema>): OidcConfig | undefined {
  const set = [e.OIDC_ISSUER, e.OIDC_AUDIENCE, e.OIDC_JWKS_URL, e.OIDC_PUBLIC_KEY].some((v) => v !== undefined);
  if (!set) return undefined;
  if (!e.OIDC_ISSUER || !e.OIDC_AUDIENCE)
    throw new ConfigError('invalid configuration:\n  OIDC_ISSUER and OIDC_AUDIENCE must both be set to accept external tokens');
  if (!e.OIDC_JWKS_URL === !e.OIDC_PUBLIC_KEY) throw new ConfigError('invalid configuration:\n  set exactly one of OIDC_JWKS_URL and OIDC_PUBLIC_KEY');
  if (e.OIDC_JWKS_URL) {
    // Keys fetched over plain HTTP could be swapped by anyone on the path; only loopback may skip TLS.
    const u = new URL(e.OIDC_JWKS_URL);
    if (u.protocol !== 'https:' && !(u.protocol === 'http:' && LOOPBACK.has(u.hostname))) {
      throw new ConfigError('invalid configuration:\n  OIDC_JWKS_URL must be https (plain http only on loopback)');
    }
  }
  let pem = e.OIDC_PUBLIC_KEY;
  if (pem && !pem.includes('-----BEGIN')) {
    try {
      pem = readFileSync(pem, 'utf8');
    } catch (err) {
      throw new ConfigError(`invalid configuration:\n  OIDC_PUBLIC_KEY: cannot read ${pem}: ${(err as Error).message}`);
    }
  }
  const adminValues = list(e.OIDC_ADMIN_VALUES);
  const userValues = list(e.OIDC_USER_VALUES);
  return {
    issuer: e.OIDC_ISSUER,
    audience: e.OIDC_AUDIENCE,
    jwksUrl: e.OIDC_JWKS_URL,
    publicKeyPem: pem,
    roleClaim: e.OIDC_ROLE_CLAIM,
    adminValues,
    userValues,
  };
}

/** REDIS_URL wins; otherwise REDIS_HOST / REDIS_PORT (either one switches Redis on). */
function redisConfig(e: z.infer<typeof envSchema>): RedisConfig | undefined {
  if (!e.REDIS_URL && e.REDIS_HOST === undefined && e.REDIS_PORT === undefined) return undefined;
  const url = e.REDIS_URL ?? `redis://${e.REDIS_HOST ?? '127.0.0.1'}:${e.REDIS_PORT ?? 6379}`;
  let display: string;
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    display = u.toString();
  } catch {
    throw new ConfigError('invalid configuration:\n  REDIS_URL: is not a valid URL');
  }
  return { url, display, prefix: e.REDIS_PREFIX, connectTimeoutMs: e.REDIS_CONNECT_TIMEOUT_MS };
}

function stripUndefined(o: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = String(v);
  return out;
}
