import type { Reading } from '../../shared/telemetry';
import type { ReadingRow } from './repository';

/** Stored row -> API shape: `ts` in Unix seconds and `time` in ISO, as existing clients expect. */
export function toReading(row: ReadingRow): Reading {
  return {
    id: row.id,
    device_id: row.device_id,
    ts: row.ts / 1000,
    time: new Date(row.ts).toISOString(),
    temperature: row.temperature,
    pressure: row.pressure,
    status: row.status,
    extra: row.extra ? (JSON.parse(row.extra) as Reading['extra']) : null,
    received_at: new Date(row.received_at).toISOString(),
  };
}
