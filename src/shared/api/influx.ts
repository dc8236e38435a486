import { z } from 'zod';
import { forwarderStatusSchema, influxQueryResultSchema, influxQuerySchema, rejectedLineSchema, v1WriteQuerySchema, v2WriteQuerySchema } from '../influx';
import { problemSchema } from '../problem';
import { defineRoute } from './route';

const lineProtocol = { 'text/plain': z.string().describe('InfluxDB line protocol, optionally gzip (Content-Encoding: gzip)') };
const badLines = {
  description: 'some or all lines were rejected; the good ones were stored. Lists each bad line number and why.',
  contentType: 'application/problem+json',
  schema: problemSchema.extend({ rejected: z.number().int(), stored: z.number().int(), rejected_lines: z.array(rejectedLineSchema) }),
};
const writeDescription =
  'Device from the first configured tag present (INFLUX_DEVICE_TAGS, default device_id); fields temperature, pressure, status are columns; other fields and tags go to extra. Lines of one device at one instant are merged.';

/** The two InfluxDB-style write endpoints differ only in their path and query. */
const lineProtocolWrite = <const P extends `/${string}`, Q extends typeof v1WriteQuerySchema | typeof v2WriteQuerySchema>(path: P, summary: string, query: Q) =>
  defineRoute({
    method: 'post',
    path,
    summary,
    description: writeDescription,
    access: 'ingest',
    authSchemes: ['apiKey', 'influxToken'],
    query,
    otherBodies: lineProtocol,
    status: 204,
    responseDescription: 'every line stored',
    responses: { 400: badLines },
    problems: [401, 403, 413, 415, 422],
  });

/** InfluxDB-compatible writes, the InfluxDB query with its SQLite fallback, and the mirror's status. */
export const influxRoutes = {
  writeV2: lineProtocolWrite('/api/v2/write', 'Line-protocol ingest, InfluxDB 2 style (org and bucket accepted and ignored)', v2WriteQuerySchema),
  writeV1: lineProtocolWrite('/write', 'Line-protocol ingest, InfluxDB 1.x style (db accepted and ignored)', v1WriteQuerySchema),
  query: defineRoute({
    method: 'get',
    path: '/api/telemetry/influx',
    summary: 'Most recent points of the last 30 days from InfluxDB, or from SQLite when InfluxDB is not configured or not reachable',
    access: 'read',
    query: influxQuerySchema,
    response: influxQueryResultSchema,
    responseDescription: 'points and the source that answered',
    problems: [401, 422],
  }),
  status: defineRoute({
    method: 'get',
    path: '/api/influx/status',
    summary: 'InfluxDB mirror: backlog, lag, last error',
    access: 'read',
    response: forwarderStatusSchema,
    responseDescription: 'status',
    problems: [401],
  }),
};
