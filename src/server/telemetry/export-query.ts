import { filterSql, type Filter } from './repository';

/** The export scan, oldest first; rows come back raw (arrays) in the order RawExportRow expects. */
export function exportQuery(filter: Filter): { sql: string; params: Record<string, number> } {
  const { where, params } = filterSql(filter);
  return {
    sql: `SELECT t.id, d.device_id, t.ts, t.temperature, t.pressure, t.status, t.extra
          FROM telemetry t JOIN devices d ON d.id = t.device_ref ${where} ORDER BY t.ts, t.id`,
    params,
  };
}
