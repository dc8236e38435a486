import type { InfluxPoint, InfluxQuery, InfluxQueryResult } from '../../shared/influx';
import type { Logger } from '../logger';
import type { TelemetryService } from '../telemetry/service';
import type { InfluxTarget } from './config';
import { MEASUREMENT } from './sink';

const WINDOW_MS = 30 * 24 * 3600 * 1000;

/** An InfluxQL string literal; device ids are already restricted to safe characters, this is belt and braces. */
export const literal = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function recentPointsQuery(q: InfluxQuery): string {
  const device = q.device_id === undefined ? '' : ` AND "device_id" = ${literal(q.device_id)}`;
  return `SELECT * FROM "${MEASUREMENT}" WHERE time > now() - 30d${device} ORDER BY time DESC LIMIT ${q.limit}`;
}

interface InfluxQlResponse {
  results?: { error?: string; series?: { name?: string; columns: string[]; values: unknown[][] }[] }[];
  error?: string;
}

/**
 * A failed InfluxDB query: `message` is the short reason callers see; `detail` (which may hold
 * whatever the target answered) goes to the log only.
 */
class QueryFailure extends Error {
  constructor(
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

/**
 * The most recent points of the last 30 days, from InfluxDB through InfluxQL over /query (1.x,
 * and the v1-compatible API of 2.x/3.x with the bucket mapped as a database). Any failure,
 * including a slow answer past the short timeout, falls back to the station's own SQLite.
 */
export class InfluxQueryService {
  constructor(
    private readonly telemetry: TelemetryService,
    private readonly target: InfluxTarget | undefined,
    private readonly timeoutMs: number,
    private readonly logger?: Logger,
  ) {}

  async recent(q: InfluxQuery): Promise<InfluxQueryResult> {
    if (!this.target) return this.fromSqlite(q, 'InfluxDB is not configured (INFLUX_URL)');
    try {
      return { source: 'influxdb', fallback_reason: null, points: await this.fromInflux(this.target, q) };
    } catch (err) {
      const reason =
        err instanceof QueryFailure
          ? err.message
          : (err as Error).name === 'TimeoutError'
            ? `InfluxDB did not answer within ${this.timeoutMs} ms`
            : 'InfluxDB could not be reached';
      this.logger?.warn({ reason, detail: err instanceof QueryFailure ? err.detail : (err as Error).message }, 'InfluxDB query failed; answered from SQLite');
      return this.fromSqlite(q, `InfluxDB query failed: ${reason}`);
    }
  }

  private async fromInflux(target: InfluxTarget, q: InfluxQuery): Promise<InfluxPoint[]> {
    const params = new URLSearchParams({ db: target.db, q: recentPointsQuery(q), epoch: 'ms' });
    const headers: Record<string, string> = { accept: 'application/json' };
    if (target.token) headers.authorization = `Token ${target.token}`;
    const res = await fetch(`${target.url}/query?${params}`, { headers, signal: AbortSignal.timeout(this.timeoutMs) });
    const text = await res.text();
    if (!res.ok) throw new QueryFailure(`InfluxDB answered HTTP ${res.status}`, text.slice(0, 500));
    let body: InfluxQlResponse;
    try {
      body = JSON.parse(text) as InfluxQlResponse;
    } catch {
      throw new QueryFailure('the answer was not InfluxQL JSON', text.slice(0, 500));
    }
    const result = body.results?.[0];
    const error = body.error ?? result?.error;
    if (error) throw new QueryFailure('InfluxDB refused the query', String(error).slice(0, 500));
    if (!result) throw new QueryFailure('the answer held no result');
    const series = result.series ?? [];
    // Servers that only imitate InfluxDB (VictoriaMetrics answers every /query with a list of
    // databases) must not pass for an empty or odd result: the answer has to be about telemetry.
    if (series.some((s) => s.name !== MEASUREMENT || !s.columns.includes('time') || !s.columns.includes('device_id'))) {
      throw new QueryFailure(`the answer is not about the ${MEASUREMENT} measurement`);
    }
    return series.flatMap((s) => s.values.map((v) => toPoint(s.columns, v)));
  }

  private fromSqlite(q: InfluxQuery, reason: string): InfluxQueryResult {
    const page = this.telemetry.list({
      device_id: q.device_id,
      ts_from: Date.now() - WINDOW_MS,
      ts_to: undefined,
      limit: q.limit,
      page: 1,
      cursor: undefined,
      order: 'desc',
    });
    const points = page.items.map(({ device_id, ts, time, temperature, pressure, status, extra }) => ({
      device_id,
      ts,
      time,
      temperature,
      pressure,
      status,
      extra,
    }));
    return { source: 'sqlite', fallback_reason: reason, points };
  }
}

function toPoint(columns: string[], values: unknown[]): InfluxPoint {
  const point: InfluxPoint = { device_id: '', ts: 0, time: '', temperature: null, pressure: null, status: null, extra: null };
  for (let i = 0; i < columns.length; i++) {
    const name = columns[i]!;
    const v = values[i];
    if (v === null || v === undefined) continue;
    if (name === 'time') {
      point.ts = Number(v) / 1000;
      point.time = new Date(Number(v)).toISOString();
    } else if (name === 'device_id') point.device_id = String(v);
    else if (name === 'temperature' || name === 'pressure') point[name] = Number(v);
    else if (name === 'status') point.status = String(v);
    else if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') (point.extra ??= {})[name] = v;
  }
  return point;
}
