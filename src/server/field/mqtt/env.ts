import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { mqttConfigSchema, type MqttConfig } from '../../../shared/field-mqtt';

/**
 * MQTT settings from the environment (spread into the station's env schema by config.ts). They
 * are the configuration until an admin saves one through PUT /api/field/mqtt; docs/FIELD.md lists them.
 */
export const mqttEnvShape = {
  /** an external broker: mqtt://host:port or mqtts://host:port */
  MQTT_URL: z.string().optional(),
  MQTT_USERNAME: z.string().min(1).max(256).optional(),
  MQTT_PASSWORD: z.string().min(1).max(256).optional(),
  /** PEM file of the CA that signed an mqtts:// broker's certificate */
  MQTT_CA_FILE: z.string().min(1).optional(),
  MQTT_CLIENT_ID: z.string().optional(),
  MQTT_HOST_ID: z.string().optional(),
  /** run the embedded broker (and connect the host to it) */
  MQTT_EMBEDDED: z
    .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
    .transform((v) => ['1', 'true', 'yes', 'on'].includes(v))
    .optional(),
  MQTT_EMBEDDED_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** seconds a Sparkplug node or device may stay offline before an alarm opens (0: none) */
  MQTT_OFFLINE_ALARM_S: z.coerce.number().int().min(0).max(86_400).optional(),
};

type MqttEnv = z.output<z.ZodObject<typeof mqttEnvShape>>;

/** The environment's MQTT configuration, or a message naming what is wrong. */
export function mqttEnvConfig(e: MqttEnv): MqttConfig | string {
  if (e.MQTT_URL && e.MQTT_EMBEDDED) return 'MQTT_URL and MQTT_EMBEDDED: choose an external broker or the embedded one, not both';
  let ca: string | undefined;
  if (e.MQTT_CA_FILE) {
    try {
      ca = readFileSync(e.MQTT_CA_FILE, 'utf8');
    } catch (err) {
      return `MQTT_CA_FILE: cannot read ${e.MQTT_CA_FILE}: ${(err as Error).message}`;
    }
  }
  const parsed = mqttConfigSchema.safeParse({
    mode: e.MQTT_EMBEDDED ? 'embedded' : e.MQTT_URL ? 'external' : 'off',
    url: e.MQTT_URL ?? null,
    username: e.MQTT_USERNAME ?? null,
    password: e.MQTT_PASSWORD ?? null,
    ca: ca ?? null,
    client_id: e.MQTT_CLIENT_ID ?? null,
    ...(e.MQTT_HOST_ID !== undefined ? { host_id: e.MQTT_HOST_ID } : {}),
    ...(e.MQTT_EMBEDDED_PORT !== undefined ? { embedded_port: e.MQTT_EMBEDDED_PORT } : {}),
    ...(e.MQTT_OFFLINE_ALARM_S !== undefined ? { offline_alarm_s: e.MQTT_OFFLINE_ALARM_S } : {}),
  });
  if (parsed.success) return parsed.data;
  const names: Record<string, string> = { url: 'MQTT_URL', ca: 'MQTT_CA_FILE', client_id: 'MQTT_CLIENT_ID', host_id: 'MQTT_HOST_ID' };
  return parsed.error.issues.map((i) => `${names[String(i.path[0])] ?? `MQTT (${i.path.join('.')})`}: ${i.message}`).join('\n  ');
}
