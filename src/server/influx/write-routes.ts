import type { Request, Response, Router } from 'express';
import { influxRoutes } from '../../shared/api/influx';
import type { Precision } from '../../shared/influx';
import type { Guards } from '../auth/guards';
import { AppError } from '../http/errors';
import { createRouteTable } from '../http/route-table';
import type { TelemetryService } from '../telemetry/service';
import { parseLineProtocolBody, type IngestLimits } from './ingest';

export interface WriteRouterDeps {
  telemetry: TelemetryService;
  guards: Guards;
  limits: IngestLimits;
}

/** The bad lines listed in one 400 answer; the count is always complete. */
const MAX_LISTED = 100;

const V1_PRECISION: Record<string, Precision> = { n: 'ns', ns: 'ns', u: 'us', us: 'us', ms: 'ms', s: 's', m: 'm', h: 'h' };

/**
 * InfluxDB-compatible write endpoints at the root: `/api/v2/write` (2.x clients, Telegraf's
 * influxdb_v2 output) and `/write` (1.x). Good lines are stored in one transaction; bad lines are
 * answered with 400 naming each line, after the good ones were stored (see docs/INFLUX.md).
 */
export function createWriteRouter(deps: WriteRouterDeps): Router {
  const table = createRouteTable({ base: '', guards: deps.guards, bodyLimit: '1kb' })
    .on(influxRoutes.writeV2, ({ query }, req, res) => write(req, res, query.precision))
    .on(influxRoutes.writeV1, ({ query }, req, res) => write(req, res, V1_PRECISION[query.precision]!));

  async function write(req: Request, res: Response, precision: Precision): Promise<void> {
    const body = await parseLineProtocolBody(req, precision, deps.limits);
    if (body.lines === 0) throw new AppError(400, 'the body holds no lines of line protocol');
    let stored = 0;
    if (body.readings.length) {
      deps.guards.assertCanWrite(req, new Set(body.readings.map((r) => r.device_id)));
      const outcome = deps.telemetry.store(body.readings);
      stored = outcome.inserted + outcome.replaced + outcome.duplicates.length;
    }
    if (!body.rejected.length) return void res.status(204).end();
    const bad = body.rejected.length;
    const listed = body.rejected.slice(0, MAX_LISTED);
    const detail =
      stored || body.readings.length
        ? `${bad} of ${body.lines} lines were rejected; the other readings were stored (${body.readings.length}). First: line ${listed[0]!.line}: ${listed[0]!.error}`
        : `all ${body.lines} lines were rejected; nothing was stored. First: line ${listed[0]!.line}: ${listed[0]!.error}`;
    throw new AppError(400, detail, {
      // InfluxDB clients print `message` (2.x) or `error` (1.x) from an error body.
      code: 'invalid',
      message: detail,
      error: detail,
      errors: listed.map((r) => ({ path: `line ${r.line}`, message: r.error })),
      rejected_lines: listed,
      rejected: bad,
      stored: body.readings.length,
    });
  }

  return table.router;
}
