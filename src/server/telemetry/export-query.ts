import { filterSql, type Filter } from './repository';

/**
 * The export scan, oldest first unless asked otherwise. Rows come back raw (arrays) with the device's integer key in
 * place of its id: the worker maps keys to ids from a small in-memory table, which is measurably
 * cheaper than joining `devices` for each of millions of rows.
 */
export function exportQuery(filter: Filter, order: 'asc' | 'desc' = 'asc'): { sql: string; params: Record<string, number> } {
  const { where, params } = filterSql(filter);
  const dir = order === 'desc' ? 'DESC' : 'ASC';
  return {
    sql: `SELECT t.id, t.device_ref, t.ts, t.temperature, t.pressure, t.status, t.extra
          FROM telemetry t ${where} ORDER BY t.ts ${dir}, t.id ${dir}`,
    params,
  };
}

export const DEVICE_NAMES_SQL = `SELECT id, device_id FROM devices`;
