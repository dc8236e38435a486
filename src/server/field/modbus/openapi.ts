import { z } from 'zod';
import {
  fieldStatusSchema,
  modbusDeviceInputSchema,
  modbusDeviceSchema,
  readNowSchema,
  scanRequestSchema,
  scanResultSchema,
  serialPortSchema,
  tagSchema,
} from '../../../shared/field-modbus';
import { bearer, problems, type OpenAPIRegistry } from '../../openapi/registry';

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
const idParam = z.object({ id: z.number().int().min(1) });
const taskAccepted = z.object({ task_id: z.string(), status: z.string(), status_url: z.string(), events_url: z.string(), result_url: z.string() });

export function registerFieldModbusDocs(r: OpenAPIRegistry): void {
  r.registerPath({
    method: 'get',
    path: '/api/field/serial-ports',
    summary: 'Serial ports for Modbus RTU, stable /dev/serial/by-id names first',
    security: bearer,
    responses: { 200: { description: 'ports', content: json(z.array(serialPortSchema)) }, ...problems(401, 403) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/field/status',
    summary: 'Poll state of every field device: ok, backoff, disconnected, disabled; last poll, last error, counters, response time',
    security: bearer,
    responses: { 200: { description: 'status', content: json(fieldStatusSchema) }, ...problems(401, 403) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/field/modbus/devices',
    summary: 'Modbus devices the station polls',
    security: bearer,
    responses: { 200: { description: 'devices', content: json(z.array(modbusDeviceSchema)) }, ...problems(401, 403) },
  });
  r.registerPath({
    method: 'post',
    path: '/api/field/modbus/devices',
    summary: 'Add a Modbus TCP or RTU device with its register map (admin); polling starts at once when enabled',
    description:
      "Tag addresses are 0-based, or 40001-style references (which also set the function). Byte orders name where the value's bytes (A = most significant) sit on the wire: ABCD big-endian, CDAB word-swapped, BADC byte-swapped, DCBA reversed.",
    security: bearer,
    request: { body: { content: json(modbusDeviceInputSchema) } },
    responses: { 201: { description: 'created', content: json(modbusDeviceSchema) }, ...problems(400, 401, 403, 409, 413, 415, 422) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/field/modbus/devices/{id}',
    summary: 'One Modbus device',
    security: bearer,
    request: { params: idParam },
    responses: { 200: { description: 'device', content: json(modbusDeviceSchema) }, ...problems(401, 403, 404) },
  });
  r.registerPath({
    method: 'put',
    path: '/api/field/modbus/devices/{id}',
    summary: 'Replace a Modbus device (admin); the next poll uses the new settings',
    security: bearer,
    request: { params: idParam, body: { content: json(modbusDeviceInputSchema) } },
    responses: { 200: { description: 'updated', content: json(modbusDeviceSchema) }, ...problems(400, 401, 403, 404, 409, 413, 415, 422) },
  });
  r.registerPath({
    method: 'delete',
    path: '/api/field/modbus/devices/{id}',
    summary: 'Remove a Modbus device (admin); its readings stay',
    security: bearer,
    request: { params: idParam },
    responses: { 204: { description: 'removed' }, ...problems(401, 403, 404) },
  });
  r.registerPath({
    method: 'post',
    path: '/api/field/modbus/devices/{id}/read',
    summary: 'Read every tag now: raw registers beside the decoded value, and 32/64-bit values in all four byte orders (nothing is stored)',
    security: bearer,
    request: { params: idParam },
    responses: { 200: { description: 'what the device answered', content: json(readNowSchema) }, ...problems(401, 403, 404, 409) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/field/modbus/devices/{id}/map',
    summary: 'The register map alone, as JSON (default) or CSV (?format=csv)',
    security: bearer,
    request: { params: idParam, query: z.object({ format: z.enum(['json', 'csv']).optional() }) },
    responses: { 200: { description: 'tags', content: { ...json(z.array(tagSchema)), 'text/csv': { schema: z.string() } } }, ...problems(401, 403, 404, 422) },
  });
  r.registerPath({
    method: 'put',
    path: '/api/field/modbus/devices/{id}/map',
    summary: 'Replace the register map from JSON (an array of tags) or CSV (a header line naming the columns) (admin)',
    security: bearer,
    request: { params: idParam, body: { content: { ...json(z.array(z.record(z.string(), z.unknown()))), 'text/csv': { schema: z.string() } } } },
    responses: { 200: { description: 'updated device', content: json(modbusDeviceSchema) }, ...problems(400, 401, 403, 404, 409, 413, 415, 422) },
  });
  r.registerPath({
    method: 'post',
    path: '/api/field/modbus/scan',
    summary: 'Scan a serial line or TCP gateway for unit ids (admin): a cancellable task with progress',
    description:
      'Each unit is probed with a read of holding register 0; any answer, an exception included, means the unit is there. Follow progress at /api/tasks/{task_id} or its /events (SSE); cancel with DELETE /api/tasks/{task_id}.',
    security: bearer,
    request: { body: { content: json(scanRequestSchema) } },
    responses: { 202: { description: 'scan started', content: json(taskAccepted) }, ...problems(400, 401, 403, 409, 415, 422) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/field/modbus/scans/{task_id}',
    summary: 'The units a finished scan found',
    security: bearer,
    request: { params: z.object({ task_id: z.string() }) },
    responses: { 200: { description: 'found units', content: json(scanResultSchema.extend({ task_id: z.string() })) }, ...problems(401, 403, 404, 409) },
  });
}
