import { z } from 'zod';
import {
  mqttConfigUpdateSchema,
  mqttConfigViewSchema,
  mqttConnectionResultSchema,
  mqttConnectionTestSchema,
  mqttStatusSchema,
} from '../../../shared/field-mqtt';
import { bearer, problems, type OpenAPIRegistry } from '../../openapi/registry';

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });

export function registerMqttDocs(r: OpenAPIRegistry): void {
  r.registerPath({
    method: 'get',
    path: '/api/field/mqtt',
    summary: 'MQTT and Sparkplug B configuration (admin): broker, host id, device and metric mappings, JSON topics',
    description: '`source` says whether it comes from the MQTT_* environment variables or was saved here. The password is never shown.',
    security: bearer,
    responses: { 200: { description: 'configuration', content: json(mqttConfigViewSchema) }, ...problems(401, 403) },
  });
  r.registerPath({
    method: 'put',
    path: '/api/field/mqtt',
    summary: 'Replace the MQTT configuration (admin); applied at once (reconnects, starts or stops the embedded broker)',
    description: 'Omit `password` to keep the saved one; `null` removes it.',
    security: bearer,
    request: { body: { content: json(mqttConfigUpdateSchema) } },
    responses: { 200: { description: 'saved', content: json(mqttConfigViewSchema) }, ...problems(400, 401, 403, 415, 422) },
  });
  r.registerPath({
    method: 'post',
    path: '/api/field/mqtt/test',
    summary: 'Try to connect to a broker with these settings (admin), without saving them',
    security: bearer,
    request: { body: { content: json(mqttConnectionTestSchema) } },
    responses: { 200: { description: 'result', content: json(mqttConnectionResultSchema) }, ...problems(400, 401, 403, 415, 422) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/field/mqtt/status',
    summary: 'Connection, message rate, invalid messages, and every Sparkplug edge node and device with its metrics and online state',
    security: bearer,
    responses: { 200: { description: 'status', content: json(mqttStatusSchema) }, ...problems(401, 403) },
  });
  r.registerPath({
    method: 'post',
    path: '/api/field/mqtt/nodes/{group}/{node}/rebirth',
    summary: 'Ask a Sparkplug edge node to publish its births again (NCMD Node Control/Rebirth; admin)',
    security: bearer,
    request: { params: z.object({ group: z.string(), node: z.string() }) },
    responses: { 202: { description: 'sent' }, ...problems(401, 403, 404, 409) },
  });
}
