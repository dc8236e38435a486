import { z } from 'zod';
import { mqttConfigUpdateSchema, mqttConfigViewSchema, mqttConnectionResultSchema, mqttConnectionTestSchema, mqttStatusSchema } from '../field-mqtt';
import { defineRoute } from './route';

/** MQTT and Sparkplug B: configuration, connection test, status and Rebirth (/api/field/mqtt). */
export const fieldMqttRoutes = {
  get: defineRoute({
    method: 'get',
    path: '/api/field/mqtt',
    summary: 'MQTT and Sparkplug B configuration (admin): broker, host id, device and metric mappings, JSON topics',
    description: '`source` says whether it comes from the MQTT_* environment variables or was saved here. The password is never shown.',
    access: 'admin',
    response: mqttConfigViewSchema,
    responseDescription: 'configuration',
    problems: [401, 403],
  }),
  update: defineRoute({
    method: 'put',
    path: '/api/field/mqtt',
    summary: 'Replace the MQTT configuration (admin); applied at once (reconnects, starts or stops the embedded broker)',
    description: 'Omit `password` to keep the saved one; `null` removes it.',
    access: 'admin',
    body: mqttConfigUpdateSchema,
    response: mqttConfigViewSchema,
    responseDescription: 'saved',
    problems: [400, 401, 403, 415, 422],
  }),
  test: defineRoute({
    method: 'post',
    path: '/api/field/mqtt/test',
    summary: 'Try to connect to a broker with these settings (admin), without saving them',
    access: 'admin',
    body: mqttConnectionTestSchema,
    response: mqttConnectionResultSchema,
    responseDescription: 'result',
    problems: [400, 401, 403, 415, 422],
  }),
  status: defineRoute({
    method: 'get',
    path: '/api/field/mqtt/status',
    summary: 'Connection, message rate, invalid messages, and every Sparkplug edge node and device with its metrics and online state',
    access: 'read',
    response: mqttStatusSchema,
    responseDescription: 'status',
    problems: [401, 403],
  }),
  rebirth: defineRoute({
    method: 'post',
    path: '/api/field/mqtt/nodes/{group}/{node}/rebirth',
    summary: 'Ask a Sparkplug edge node to publish its births again (NCMD Node Control/Rebirth; admin)',
    access: 'admin',
    params: z.object({ group: z.string(), node: z.string() }),
    status: 202,
    response: z.object({ sent: z.literal(true) }),
    responseDescription: 'sent',
    problems: [401, 403, 404, 409],
  }),
};
