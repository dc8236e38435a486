import { z } from 'zod';
import { deviceIdSchema } from './telemetry';

/**
 * MQTT and Sparkplug B: how the station reaches a broker (an external one, or its own embedded
 * broker), its Sparkplug host id, and how topics and metrics become readings.
 */

/** Sparkplug ids (group, edge node, device, host) and MQTT client ids: no topic punctuation. */
const SPARKPLUG_ID = /^[^\s/+#]{1,64}$/;
const sparkplugId = (what: string) => z.string().regex(SPARKPLUG_ID, `${what}: 1-64 characters, no spaces, / + or #`);
const CLIENT_ID = /^[A-Za-z0-9_.-]{1,64}$/;

const MQTT_URL_PATTERN = /^mqtts?:\/\/[A-Za-z0-9.[\]:-]+(:\d{1,5})?\/?$/;
const mqttUrlSchema = z.string().regex(MQTT_URL_PATTERN, 'must be mqtt://host:port or mqtts://host:port (no path, no credentials: use username and password)');

/** An MQTT topic filter: levels split by '/', '+' a whole level, '#' only as the last level. */
const topicFilterSchema = z
  .string()
  .min(1)
  .max(256)
  .refine((t) => !/\s/.test(t) && !t.includes('\0'), 'must not contain spaces or NUL')
  .refine(
    (t) =>
      t
        .split('/')
        .every((level, i, all) => (level.includes('+') ? level === '+' : true) && (level.includes('#') ? level === '#' && i === all.length - 1 : true)),
    "'+' must be a whole level and '#' the whole last level",
  )
  .refine((t) => !t.startsWith('spBv1.0/') && !t.startsWith('$'), 'spBv1.0/ topics belong to the Sparkplug host, and $ topics to the broker');

/** Plain MQTT JSON: a topic filter whose messages are readings (one, or an array). */
const jsonMappingSchema = z
  .strictObject({
    topic: topicFilterSchema,
    /** where the device id comes from: the payload's device_id, or a level of the topic */
    device_from: z.enum(['payload', 'topic']).default('payload'),
    /** 0-based topic level that names the device (default: the filter's first '+') */
    topic_level: z.number().int().min(0).max(31).optional(),
  })
  .refine((m) => m.device_from === 'payload' || m.topic_level !== undefined || m.topic.split('/').includes('+'), {
    message: "device_from 'topic' needs a '+' level in the topic or a topic_level",
    path: ['topic_level'],
  });
export type JsonMapping = z.output<typeof jsonMappingSchema>;

const READING_ROLES = ['temperature', 'pressure', 'status'] as const;
export type ReadingRole = (typeof READING_ROLES)[number];

const SPARKPLUG_PATH = /^[^\s/+#]{1,64}\/[^\s/+#]{1,64}(\/[^\s/+#]{1,64})?$/;
const limitedRecord = <V extends z.ZodType>(key: z.ZodString, value: V, max: number, what: string) =>
  z.record(key, value).refine((o) => Object.keys(o).length <= max, `at most ${max} ${what}`);

const configShape = {
  /** off: nothing; external: connect to `url`; embedded: run the station's own broker and connect to it */
  mode: z.enum(['off', 'external', 'embedded']).default('off'),
  url: mqttUrlSchema.nullable().default(null),
  username: z.string().min(1).max(256).nullable().default(null),
  /** PEM certificate(s) of the CA that signed an mqtts:// broker's certificate */
  ca: z
    .string()
    .max(65_536)
    .refine((v) => v.includes('-----BEGIN CERTIFICATE-----'), 'must be PEM text (-----BEGIN CERTIFICATE-----)')
    .nullable()
    .default(null),
  /** the station's MQTT client id; its persistent session on the broker is keyed by it */
  client_id: z.string().regex(CLIENT_ID, '1-64 characters: letters, digits, _ . -').nullable().default(null),
  /** Sparkplug host application id: the station publishes spBv1.0/STATE/<host_id> */
  host_id: sparkplugId('host_id').default('smart-oilfield'),
  /** subscribe spBv1.0/# and act as a Sparkplug B host */
  sparkplug: z.boolean().default(true),
  /** the least time between two Rebirth requests to one edge node */
  rebirth_interval_s: z.number().int().min(1).max(3600).default(10),
  /** a Sparkplug node or device offline this long opens an alarm (cleared when it is born again); 0: no alarm */
  offline_alarm_s: z.number().int().min(0).max(86_400).default(300),
  /** TCP port of the embedded broker (0: any free port, shown in status) */
  embedded_port: z.number().int().min(0).max(65_535).default(1883),
  /** Sparkplug path (group/node or group/node/device) -> station device id; default group:node[:device] */
  device_map: limitedRecord(z.string().regex(SPARKPLUG_PATH, 'keys are group/node or group/node/device'), deviceIdSchema, 1000, 'device mappings').default({}),
  /** Sparkplug metric name -> reading column; unmapped metrics named like a column map to it, the rest go to `extra` */
  metric_map: limitedRecord(z.string().min(1).max(256), z.enum(READING_ROLES), 200, 'metric mappings').default({}),
  json: z.array(jsonMappingSchema).max(32).default([]),
};

const refineConfig = (c: { mode: string; url: string | null }, ctx: z.RefinementCtx) => {
  if (c.mode === 'external' && !c.url) ctx.addIssue({ code: 'custom', path: ['url'], message: "mode 'external' needs the broker url" });
};

/** What PUT /api/field/mqtt takes: the whole configuration; password omitted = keep the saved one, null = none. */
export const mqttConfigUpdateSchema = z.strictObject({ ...configShape, password: z.string().min(1).max(256).nullable().optional() }).superRefine(refineConfig);
export type MqttConfigUpdate = z.input<typeof mqttConfigUpdateSchema>;

/** The stored configuration (with the password). */
export const mqttConfigSchema = z.strictObject({ ...configShape, password: z.string().max(256).nullable().default(null) }).superRefine(refineConfig);
export type MqttConfig = z.output<typeof mqttConfigSchema>;

/** GET /api/field/mqtt: the configuration without the password. */
export const mqttConfigViewSchema = z.object({
  ...configShape,
  password_set: z.boolean(),
  /** 'env' until an admin saves a configuration through the API */
  source: z.enum(['env', 'saved']),
});
export type MqttConfigView = Omit<MqttConfig, 'password'> & { password_set: boolean; source: 'env' | 'saved' };

export const mqttConnectionTestSchema = z.strictObject({
  url: mqttUrlSchema,
  username: z.string().min(1).max(256).nullable().optional(),
  password: z.string().min(1).max(256).nullable().optional(),
  ca: z.string().max(65_536).nullable().optional(),
});
export type MqttConnectionTest = z.infer<typeof mqttConnectionTestSchema>;
export const mqttConnectionResultSchema = z.object({ ok: z.boolean(), detail: z.string(), ms: z.number() });
export type MqttConnectionResult = z.infer<typeof mqttConnectionResultSchema>;

const scalar = z.union([z.number(), z.string(), z.boolean(), z.null()]);
const sparkplugMetricSchema = z.object({
  name: z.string(),
  alias: z.number().nullable(),
  type: z.string(),
  value: scalar,
  /** Unix seconds of the value */
  ts: z.number().nullable(),
});
export type SparkplugMetric = z.infer<typeof sparkplugMetricSchema>;

const sparkplugDeviceSchema = z.object({
  device: z.string(),
  device_id: z.string(),
  online: z.boolean(),
  last_birth: z.string().nullable(),
  last_death: z.string().nullable(),
  metrics: z.array(sparkplugMetricSchema),
});

const sparkplugNodeSchema = z.object({
  group: z.string(),
  node: z.string(),
  device_id: z.string(),
  online: z.boolean(),
  bd_seq: z.number().nullable(),
  last_seq: z.number().nullable(),
  last_birth: z.string().nullable(),
  last_death: z.string().nullable(),
  rebirths_requested: z.number().int(),
  /** payloads that could not be decoded, sequence gaps, unknown aliases */
  decode_errors: z.number().int(),
  metrics: z.array(sparkplugMetricSchema),
  devices: z.array(sparkplugDeviceSchema),
});
export type SparkplugNode = z.infer<typeof sparkplugNodeSchema>;

export const mqttStatusSchema = z.object({
  mode: z.enum(['off', 'external', 'embedded']),
  connected: z.boolean(),
  /** the broker the station's client uses, without credentials */
  broker: z.string().nullable(),
  last_error: z.string().nullable(),
  messages: z.number().int(),
  messages_per_s: z.number(),
  readings_stored: z.number().int(),
  invalid_messages: z.number().int(),
  last_invalid: z.object({ topic: z.string(), error: z.string(), at: z.string() }).nullable(),
  embedded: z.object({ listening: z.boolean(), host: z.string(), port: z.number().int(), clients: z.number().int(), refused: z.number().int() }).nullable(),
  nodes: z.array(sparkplugNodeSchema),
});
export type MqttStatus = z.infer<typeof mqttStatusSchema>;
