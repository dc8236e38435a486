import type { Db } from '../db/open';
import { groupSeries, type LabelledSeries } from './dataset';

/**
 * Labelled readings from the station's own database: readings that carry an integer `label` extra
 * field (0 normal, anything else anomalous), one series per device. Lets a site train on events
 * its engineers have labelled, with the same features and split as the 3W training.
 */
export function loadSeriesFromDb(db: Db): LabelledSeries[] {
  const rows = db
    .prepare<[], { id: string; ts: number; temperature: number | null; pressure: number | null; label: number }>(
      `SELECT d.device_id AS id, t.ts, t.temperature, t.pressure, CAST(json_extract(t.extra, '$.label') AS INTEGER) AS label
       FROM telemetry t JOIN devices d ON d.id = t.device_ref
       WHERE t.extra IS NOT NULL AND json_type(t.extra, '$.label') IN ('integer', 'real', 'text')
       ORDER BY d.device_id, t.ts`,
    )
    .all()
    .filter((r) => Number.isInteger(r.label) && r.label >= 0);
  return groupSeries(rows);
}
