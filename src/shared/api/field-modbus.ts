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
} from '../field-modbus';
import { defineRoute } from './route';

const params = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,15}$/)
    .transform(Number),
});
const device = { params, resource: 'Modbus device' } as const;
const taskAccepted = z.object({ task_id: z.string(), status: z.string(), status_url: z.string(), events_url: z.string(), result_url: z.string() });

/** Field devices the station polls itself: serial ports, poll status and Modbus devices (/api/field). */
export const fieldModbusRoutes = {
  serialPorts: defineRoute({
    method: 'get',
    path: '/api/field/serial-ports',
    summary: 'Serial ports for Modbus RTU, stable /dev/serial/by-id names first',
    access: 'read',
    response: z.array(serialPortSchema),
    responseDescription: 'ports',
    problems: [401, 403],
  }),
  status: defineRoute({
    method: 'get',
    path: '/api/field/status',
    summary: 'Poll state of every field device: ok, backoff, disconnected, disabled; last poll, last error, counters, response time',
    access: 'read',
    response: fieldStatusSchema,
    responseDescription: 'status',
    problems: [401, 403],
  }),
  list: defineRoute({
    method: 'get',
    path: '/api/field/modbus/devices',
    summary: 'Modbus devices the station polls',
    access: 'read',
    response: z.array(modbusDeviceSchema),
    responseDescription: 'devices',
    problems: [401, 403],
  }),
  create: defineRoute({
    method: 'post',
    path: '/api/field/modbus/devices',
    summary: 'Add a Modbus TCP or RTU device with its register map (admin); polling starts at once when enabled',
    description:
      "Tag addresses are 0-based, or 40001-style references (which also set the function). Byte orders name where the value's bytes (A = most significant) sit on the wire: ABCD big-endian, CDAB word-swapped, BADC byte-swapped, DCBA reversed.",
    access: 'admin',
    body: modbusDeviceInputSchema,
    status: 201,
    response: modbusDeviceSchema,
    responseDescription: 'created',
    problems: [400, 401, 403, 409, 413, 415, 422],
  }),
  get: defineRoute({
    method: 'get',
    path: '/api/field/modbus/devices/{id}',
    summary: 'One Modbus device',
    access: 'read',
    ...device,
    response: modbusDeviceSchema,
    responseDescription: 'device',
    problems: [401, 403, 404],
  }),
  update: defineRoute({
    method: 'put',
    path: '/api/field/modbus/devices/{id}',
    summary: 'Replace a Modbus device (admin); the next poll uses the new settings',
    access: 'admin',
    ...device,
    body: modbusDeviceInputSchema,
    response: modbusDeviceSchema,
    responseDescription: 'updated',
    problems: [400, 401, 403, 404, 409, 413, 415, 422],
  }),
  delete: defineRoute({
    method: 'delete',
    path: '/api/field/modbus/devices/{id}',
    summary: 'Remove a Modbus device (admin); its readings stay',
    access: 'admin',
    ...device,
    status: 204,
    responseDescription: 'removed',
    problems: [401, 403, 404],
  }),
  readNow: defineRoute({
    method: 'post',
    path: '/api/field/modbus/devices/{id}/read',
    summary: 'Read every tag now: raw registers beside the decoded value, and 32/64-bit values in all four byte orders (nothing is stored)',
    access: 'user',
    ...device,
    response: readNowSchema,
    responseDescription: 'what the device answered',
    problems: [401, 403, 404, 409],
  }),
  map: defineRoute({
    method: 'get',
    path: '/api/field/modbus/devices/{id}/map',
    summary: 'The register map alone, as JSON (default) or CSV (?format=csv)',
    access: 'read',
    ...device,
    query: z.object({ format: z.enum(['json', 'csv'], 'must be json or csv').default('json') }),
    response: z.array(tagSchema),
    responseDescription: 'tags',
    responses: { 200: { description: 'tags as CSV', schema: z.string(), contentType: 'text/csv' } },
    problems: [401, 403, 404, 422],
  }),
  putMap: defineRoute({
    method: 'put',
    path: '/api/field/modbus/devices/{id}/map',
    summary: 'Replace the register map from JSON (an array of tags) or CSV (a header line naming the columns) (admin)',
    access: 'admin',
    ...device,
    otherBodies: { 'application/json': z.array(z.record(z.string(), z.unknown())), 'text/csv': z.string() },
    response: modbusDeviceSchema,
    responseDescription: 'updated device',
    problems: [400, 401, 403, 404, 409, 413, 415, 422],
  }),
  scan: defineRoute({
    method: 'post',
    path: '/api/field/modbus/scan',
    summary: 'Scan a serial line or TCP gateway for unit ids (admin): a cancellable task with progress',
    description:
      'Each unit is probed with a read of holding register 0; any answer, an exception included, means the unit is there. Follow progress at /api/tasks/{task_id} or its /events (SSE); cancel with DELETE /api/tasks/{task_id}.',
    access: 'admin',
    body: scanRequestSchema,
    status: 202,
    response: taskAccepted,
    responseDescription: 'scan started',
    problems: [400, 401, 403, 409, 415, 422],
  }),
  scanResult: defineRoute({
    method: 'get',
    path: '/api/field/modbus/scans/{task_id}',
    summary: 'The units a finished scan found',
    access: 'read',
    params: z.object({ task_id: z.string() }),
    response: scanResultSchema.extend({ task_id: z.string() }),
    responseDescription: 'found units',
    problems: [401, 403, 404, 409],
  }),
};
