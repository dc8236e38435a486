import { z } from 'zod';
import {
  forwarderStatusSchema,
  influxQueryResultSchema,
  influxQuerySchema,
  rejectedLineSchema,
  v1WriteQuerySchema,
  v2WriteQuerySchema,
} from '../../shared/influx';
import { bearer, problems, problemSchema, type OpenAPIRegistry } from '../openapi/registry';

const lineProtocol = { 'text/plain': { schema: z.string().describe('InfluxDB line protocol, optionally gzip (Content-Encoding: gzip)') } };
const badLines = {
  description: 'some or all lines were rejected; the good ones were stored. Lists each bad line number and why.',
  content: {
    'application/problem+json': {
      schema: problemSchema.extend({ rejected: z.number().int(), stored: z.number().int(), rejected_lines: z.array(rejectedLineSchema) }),
    },
  },
};
const tokenAuth: Record<string, string[]>[] = [{ apiKey: [] }, { influxToken: [] }];

export function registerInfluxDocs(r: OpenAPIRegistry): void {
  r.registerComponent('securitySchemes', 'influxToken', {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: 'Token <API key>, as InfluxDB clients send it',
  });
  for (const [path, query, summary] of [
    ['/api/v2/write', v2WriteQuerySchema, 'Line-protocol ingest, InfluxDB 2 style (org and bucket accepted and ignored)'],
    ['/write', v1WriteQuerySchema, 'Line-protocol ingest, InfluxDB 1.x style (db accepted and ignored)'],
  ] as const) {
    r.registerPath({
      method: 'post',
      path,
      summary,
      description:
        'Device from the first configured tag present (INFLUX_DEVICE_TAGS, default device_id); fields temperature, pressure, status are columns; other fields and tags go to extra. Lines of one device at one instant are merged.',
      security: tokenAuth,
      request: { query, body: { content: lineProtocol } },
      responses: { 204: { description: 'every line stored' }, 400: badLines, ...problems(401, 403, 413, 415, 422) },
    });
  }
  r.registerPath({
    method: 'get',
    path: '/api/telemetry/influx',
    summary: 'Most recent points of the last 30 days from InfluxDB, or from SQLite when InfluxDB is not configured or not reachable',
    security: bearer,
    request: { query: influxQuerySchema },
    responses: {
      200: { description: 'points and the source that answered', content: { 'application/json': { schema: influxQueryResultSchema } } },
      ...problems(401, 422),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/api/influx/status',
    summary: 'InfluxDB mirror: backlog, lag, last error',
    security: bearer,
    responses: { 200: { description: 'status', content: { 'application/json': { schema: forwarderStatusSchema } } }, ...problems(401) },
  });
}
