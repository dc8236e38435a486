import { Router } from 'express';
import { influxQuerySchema, type ForwarderStatus } from '../../shared/influx';
import type { Guards } from '../auth/guards';
import { parseQuery } from '../http/validate';
import type { InfluxQueryService } from './query';

/** GET /api/telemetry/influx: recent points, from InfluxDB or the SQLite fallback. */
export function createInfluxQueryRouter(query: InfluxQueryService, guards: Guards): Router {
  return Router().get('/', guards.read, async (req, res) => {
    const result = await query.recent(parseQuery(influxQuerySchema, req));
    res.setHeader('X-Data-Source', result.source).json(result);
  });
}

/** GET /api/influx/status: the mirror's backlog, lag and last error. */
export function createInfluxStatusRouter(status: () => ForwarderStatus, guards: Guards): Router {
  return Router().get('/status', guards.read, (_req, res) => void res.json(status()));
}
