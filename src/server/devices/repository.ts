import type { Db } from '../db/open';
import type { Device } from '../../shared/telemetry';

interface DeviceRow {
  id: number;
  device_id: string;
  first_seen_at: number;
  last_seen_at: number;
  reading_count: number;
}

/** Devices the station has heard from; first/last reading time come from the (device, ts) index. */
export class DeviceRepository {
  private readonly all;
  private readonly edges;

  constructor(db: Db) {
    this.all = db.prepare(`SELECT id, device_id, first_seen_at, last_seen_at, reading_count FROM devices ORDER BY device_id`);
    this.edges = db.prepare(
      `SELECT (SELECT MIN(ts) FROM telemetry WHERE device_ref = @id) AS first_ts,
              (SELECT MAX(ts) FROM telemetry WHERE device_ref = @id) AS last_ts`,
    );
  }

  list(): Device[] {
    return (this.all.all() as DeviceRow[]).map((d) => {
      const e = this.edges.get({ id: d.id }) as { first_ts: number | null; last_ts: number | null };
      return {
        device_id: d.device_id,
        first_seen: new Date(d.first_seen_at).toISOString(),
        last_seen: new Date(d.last_seen_at).toISOString(),
        first_ts: e.first_ts === null ? null : e.first_ts / 1000,
        last_ts: e.last_ts === null ? null : e.last_ts / 1000,
        reading_count: d.reading_count,
      };
    });
  }
}
