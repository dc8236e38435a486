import type { Db } from '../db/open';
import { groupSeries, type LabelledSeries } from './dataset';

/**
 * Labelled readings from the station's own database, one series per device: readings inside a span
 * engineers labelled from the UI or API (ml_spans, kind 'label'; the newest span wins where two
 * overlap), and readings that carry an integer `label` extra field (0 normal, anything else
 * anomalous) where no span covers them. Lets a site train on events its engineers have labelled,
 * with the same features and cross-validation as the 3W training.
 */
export function loadSeriesFromDb(db: Db): LabelledSeries[] {
  const rows = db
    .prepare<[], { id: string; ts: number; temperature: number | null; pressure: number | null; label: number | null }>(
      `SELECT d.device_id AS id, t.ts, t.temperature, t.pressure,
         coalesce(
           (SELECT s.label FROM ml_spans s WHERE s.kind = 'label' AND s.device_id = d.device_id AND t.ts BETWEEN s.ts_from AND s.ts_to
            ORDER BY s.id DESC LIMIT 1),
           CASE WHEN t.extra IS NOT NULL AND json_type(t.extra, '$.label') IN ('integer', 'real', 'text')
             THEN CAST(json_extract(t.extra, '$.label') AS INTEGER) END
         ) AS label
       FROM telemetry t JOIN devices d ON d.id = t.device_ref
       WHERE (t.extra IS NOT NULL AND json_type(t.extra, '$.label') IN ('integer', 'real', 'text'))
          OR EXISTS (SELECT 1 FROM ml_spans s WHERE s.kind = 'label' AND s.device_id = d.device_id AND t.ts BETWEEN s.ts_from AND s.ts_to)
       ORDER BY d.device_id, t.ts`,
    )
    .all()
    .filter((r): r is typeof r & { label: number } => r.label !== null && Number.isInteger(r.label) && r.label >= 0);
  return groupSeries(rows);
}
