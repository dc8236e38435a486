import type { Db } from '../db/open';
import { HIGHEST_ID_SQL } from '../telemetry/repository';

/** A reading deleted in the station that is still to be deleted in InfluxDB (ts in ms). */
export interface Tombstone {
  id: number;
  device_id: string;
  ts: number;
  /** the highest telemetry id handed out when the reading was deleted */
  after_id: number;
  created_at: number;
}

/**
 * The delete outbox (migration 007). `record` runs inside the transaction that deletes the
 * reading, so the delete and its tombstone commit or roll back together; the forwarder reads the
 * rest and prunes what every configured target has applied.
 */
export class TombstoneRepository {
  private readonly insert;
  private readonly after;
  private readonly countAfter;
  private readonly oldestAfter;
  private readonly lastId;
  private readonly pruneUpTo;

  constructor(db: Db) {
    // the highest telemetry id ever handed out, deleted rows included
    this.insert = db.prepare(`INSERT INTO influx_tombstones (device_id, ts, after_id, created_at) VALUES (?, ?, (${HIGHEST_ID_SQL}), ?)`);
    this.after = db.prepare(`SELECT id, device_id, ts, after_id, created_at FROM influx_tombstones WHERE id > ? ORDER BY id LIMIT ?`);
    this.countAfter = db.prepare(`SELECT COUNT(*) FROM influx_tombstones WHERE id > ?`).pluck();
    this.oldestAfter = db.prepare(`SELECT created_at FROM influx_tombstones WHERE id > ? ORDER BY id LIMIT 1`).pluck();
    this.lastId = db.prepare(`SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'influx_tombstones'), 0)`).pluck();
    this.pruneUpTo = db.prepare(`DELETE FROM influx_tombstones WHERE id <= ?`);
  }

  /** Call inside the transaction that deletes the reading. */
  record(deviceId: string, ts: number, now = Date.now()): void {
    this.insert.run(deviceId, ts, now);
  }

  /** The next tombstones after a target's position, in the order the deletes happened. */
  pending(position: number, limit: number): Tombstone[] {
    return this.after.all(position, limit) as Tombstone[];
  }

  count(position: number): number {
    return this.countAfter.get(position) as number;
  }

  /** created_at (ms) of the oldest tombstone not applied yet, or undefined. */
  oldestPendingCreatedAt(position: number): number | undefined {
    return this.oldestAfter.get(position) as number | undefined;
  }

  /** The highest tombstone id ever recorded (pruned ones included). */
  latestId(): number {
    return this.lastId.get() as number;
  }

  /** Drops tombstones the (only) configured target has applied. */
  prune(position: number): void {
    this.pruneUpTo.run(position);
  }
}
