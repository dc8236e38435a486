import type { Db } from '../db/open';
import { StatementCache } from '../db/statement-cache';
import type { Series, Stats } from '../../shared/telemetry';
import { toReading } from './mapping';
import { filterSql, type Filter, type ReadingRow } from './repository';

interface AggregateRow {
  device_ref: number;
  device_id: string;
  count: number;
  first_ts: number | null;
  last_ts: number | null;
  t_min: number | null;
  t_max: number | null;
  t_avg: number | null;
  p_min: number | null;
  p_max: number | null;
  p_avg: number | null;
}

const round = (v: number | null) => (v === null ? null : Math.round(v * 1e6) / 1e6);

/** Aggregates for dashboards: one grouped scan plus an index seek per device for its last reading. */
export class TelemetryStats {
  private readonly lastOf;
  private readonly queries;

  constructor(db: Db) {
    this.queries = new StatementCache(db);
    this.lastOf = db.prepare(
      `SELECT t.id, d.device_id, t.ts, t.temperature, t.pressure, t.status, t.extra, t.received_at
       FROM telemetry t JOIN devices d ON d.id = t.device_ref
       WHERE t.device_ref = @ref AND t.ts <= @tsTo AND t.ts >= @tsFrom ORDER BY t.ts DESC LIMIT 1`,
    );
  }

  stats(filter: Filter | undefined): Stats {
    if (!filter) return { count: 0, first_ts: null, last_ts: null, first_time: null, last_time: null, devices: [] };
    const { where, params } = filterSql(filter);
    const rows = this.queries
      .get(
        `SELECT t.device_ref, d.device_id, COUNT(*) AS count, MIN(t.ts) AS first_ts, MAX(t.ts) AS last_ts,
                MIN(t.temperature) AS t_min, MAX(t.temperature) AS t_max, AVG(t.temperature) AS t_avg,
                MIN(t.pressure) AS p_min, MAX(t.pressure) AS p_max, AVG(t.pressure) AS p_avg
         FROM telemetry t JOIN devices d ON d.id = t.device_ref ${where}
         GROUP BY t.device_ref ORDER BY d.device_id`,
      )
      .all(params) as AggregateRow[];
    let count = 0;
    let first: number | null = null;
    let last: number | null = null;
    const devices = rows.map((r) => {
      count += r.count;
      if (r.first_ts !== null && (first === null || r.first_ts < first)) first = r.first_ts;
      if (r.last_ts !== null && (last === null || r.last_ts > last)) last = r.last_ts;
      const lastRow = this.lastOf.get({ ref: r.device_ref, tsFrom: filter.tsFrom ?? -8.64e15, tsTo: filter.tsTo ?? 8.64e15 }) as ReadingRow | undefined;
      return {
        device_id: r.device_id,
        count: r.count,
        first_ts: r.first_ts === null ? null : r.first_ts / 1000,
        last_ts: r.last_ts === null ? null : r.last_ts / 1000,
        temperature: { min: r.t_min, max: r.t_max, avg: round(r.t_avg) },
        pressure: { min: r.p_min, max: r.p_max, avg: round(r.p_avg) },
        last: lastRow ? toReading(lastRow) : null,
      };
    });
    const f = first as number | null;
    const l = last as number | null;
    return {
      count,
      first_ts: f === null ? null : f / 1000,
      last_ts: l === null ? null : l / 1000,
      first_time: f === null ? null : new Date(f).toISOString(),
      last_time: l === null ? null : new Date(l).toISOString(),
      devices,
    };
  }

  /**
   * Downsampled series for charts: the range is cut into `buckets` equal spans and SQLite returns
   * min/avg/max per span, so a chart never receives more points than it has pixels.
   */
  series(deviceRef: number | undefined, deviceId: string, tsFrom: number, tsTo: number, buckets: number): Series {
    // Whole seconds per bucket, so bucket edges line up with the readings devices send.
    const bucketMs = Math.max(1, Math.ceil((tsTo - tsFrom + 1) / buckets / 1000)) * 1000;
    if (deviceRef === undefined) return { device_id: deviceId, bucket_seconds: bucketMs / 1000, points: [] };
    const rows = this.queries
      .get(
        `SELECT CAST((ts - @tsFrom) / @bucketMs AS INTEGER) AS b, COUNT(*) AS n,
                MIN(temperature) AS t_min, AVG(temperature) AS t_avg, MAX(temperature) AS t_max,
                MIN(pressure) AS p_min, AVG(pressure) AS p_avg, MAX(pressure) AS p_max
         FROM telemetry WHERE device_ref = @ref AND ts >= @tsFrom AND ts <= @tsTo
         GROUP BY b ORDER BY b`,
      )
      .all({ ref: deviceRef, tsFrom, tsTo, bucketMs }) as {
      b: number;
      n: number;
      t_min: number | null;
      t_avg: number | null;
      t_max: number | null;
      p_min: number | null;
      p_avg: number | null;
      p_max: number | null;
    }[];
    return {
      device_id: deviceId,
      bucket_seconds: bucketMs / 1000,
      points: rows.map((r) => ({
        ts: (tsFrom + r.b * bucketMs) / 1000,
        count: r.n,
        temperature: { min: r.t_min, avg: round(r.t_avg), max: r.t_max },
        pressure: { min: r.p_min, avg: round(r.p_avg), max: r.p_max },
      })),
    };
  }
}
