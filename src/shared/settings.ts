import { z } from 'zod';

/**
 * Station settings an admin changes from the UI (GET/PUT /api/settings). They are stored in
 * DATA_DIR/settings.json under the environment variable names config.ts reads at start, so a
 * change to the listener, Redis or InfluxDB takes effect after a restart (the response says so).
 */
export const temperatureUnitSchema = z.enum(['C', 'F', 'K']);
export const pressureUnitSchema = z.enum(['kPa', 'bar', 'psi', 'MPa']);
export type TemperatureUnit = z.infer<typeof temperatureUnitSchema>;
export type PressureUnit = z.infer<typeof pressureUnitSchema>;

const unitsSchema = z.strictObject({ temperature: temperatureUnitSchema, pressure: pressureUnitSchema });
export type Units = z.infer<typeof unitsSchema>;

/** A URL whose parts pass `check`; anything `new URL` cannot read fails the same way. */
const parsesAs = (check: (u: URL) => boolean) => (text: string) => {
  try {
    return check(new URL(text));
  } catch {
    return false;
  }
};

/**
 * Redis: scheme, host, optional port and database number, optional credentials; no query string
 * or fragment (ioredis reads options there, `?path=` among them: a Unix socket).
 */
const redisUrl = z
  .string()
  .trim()
  .max(512)
  .refine(
    parsesAs((u) => /^rediss?:$/.test(u.protocol) && u.hostname !== '' && /^(\/\d{0,2})?$/.test(u.pathname) && !u.search && !u.hash),
    'must look like redis://host:6379 (or rediss:// for TLS, optionally /db-number), with no query string',
  );
const httpUrl = z
  .string()
  .trim()
  .max(512)
  .refine(
    parsesAs((u) => /^https?:$/.test(u.protocol) && u.hostname !== '' && !u.search && !u.hash),
    'must look like http://host:8086',
  )
  .refine((u) => !/^https?:\/\/[^/]*@/.test(u), 'must not carry credentials; use the token field');
const shortText = z
  .string()
  .trim()
  .max(128)
  .regex(/^[^\s"'\\]*$/, 'no spaces or quotes');

/** What PUT accepts: every field optional; an empty string or null clears an optional value. */
export const settingsUpdateSchema = z.strictObject({
  lan_access: z.boolean().optional().describe('listen on every interface (0.0.0.0) instead of 127.0.0.1 only'),
  port: z.number().int().min(1).max(65535).optional(),
  redis_url: z
    .union([redisUrl, z.literal('')])
    .nullable()
    .optional(),
  influx_url: z
    .union([httpUrl, z.literal('')])
    .nullable()
    .optional(),
  influx_org: shortText.nullable().optional(),
  influx_bucket: shortText.nullable().optional(),
  influx_token: z.string().max(512).nullable().optional().describe('write-only; never returned'),
  units: unitsSchema.optional(),
});
export type SettingsUpdate = z.input<typeof settingsUpdateSchema>;

const lanAddressSchema = z.object({ interface: z.string(), address: z.string(), family: z.enum(['IPv4', 'IPv6']) });
export type LanAddress = z.infer<typeof lanAddressSchema>;

export const settingsSchema = z.object({
  lan_access: z.boolean(),
  host: z.string().describe('saved listen address'),
  port: z.number().int(),
  running: z.object({ host: z.string(), port: z.number().int(), lan_access: z.boolean() }).describe('what the station listens on now'),
  addresses: z.array(lanAddressSchema).describe("this machine's LAN addresses (devices use one of these)"),
  device_urls: z.array(z.string()).describe('base URLs LAN devices should post to'),
  redis_url: z.string().nullable().describe('password, if any, masked'),
  influx_url: z.string().nullable(),
  influx_org: z.string().nullable(),
  influx_bucket: z.string().nullable(),
  influx_token_set: z.boolean(),
  units: unitsSchema,
  restart_required: z.array(z.string()).describe('settings saved but not in effect until the station restarts'),
  env_overrides: z.array(z.string()).describe('settings the environment sets, which win over the saved file'),
});
export type Settings = z.infer<typeof settingsSchema>;

export const connectionTestSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('redis'), url: redisUrl }),
  z.strictObject({ kind: z.literal('influx'), url: httpUrl, token: z.string().max(512).optional() }),
]);

export const connectionResultSchema = z.object({ ok: z.boolean(), detail: z.string() });
export type ConnectionResult = z.infer<typeof connectionResultSchema>;

export const DEFAULT_UNITS: Units = { temperature: 'C', pressure: 'kPa' };
