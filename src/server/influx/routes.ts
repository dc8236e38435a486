import type { Router } from 'express';
import { influxRoutes } from '../../shared/api/influx';
import type { ForwarderStatus } from '../../shared/influx';
import type { Guards } from '../auth/guards';
import { createRouteTable } from '../http/route-table';
import type { InfluxQueryService } from './query';

/** GET /api/telemetry/influx: recent points, from InfluxDB or the SQLite fallback. */
export function createInfluxQueryRouter(query: InfluxQueryService, guards: Guards): Router {
  return createRouteTable({ base: '/api/telemetry/influx', guards, bodyLimit: '1kb' }).on(influxRoutes.query, async (input, _req, res) => {
    const result = await query.recent(input.query);
    res.setHeader('X-Data-Source', result.source);
    return result;
  }).router;
}

/** GET /api/influx/status: the mirror's backlog, lag and last error. */
export function createInfluxStatusRouter(status: () => ForwarderStatus, guards: Guards): Router {
  return createRouteTable({ base: '/api/influx', guards, bodyLimit: '1kb' }).on(influxRoutes.status, () => status()).router;
}
