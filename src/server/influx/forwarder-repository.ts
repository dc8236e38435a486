import type { Db } from '../db/open';
import type { ReadingRow } from '../telemetry/repository';

export interface ForwarderState {
  position: number;
  /** highest tombstone id applied to this target */
  tombstone_position: number;
  forwarded_total: number;
  last_success_at: number | null;
  last_error: string | null;
  last_error_at: number | null;
}

/** The forwarder's SQL: the change feed (rows after a position) and the per-target positions. */
export class ForwarderRepository {
  private readonly after;
  private readonly backlogCount;
  private readonly firstPendingRow;
  private readonly getState;
  private readonly ensureState;
  private readonly advanceState;
  private readonly advanceTombstoneState;
  private readonly failState;

  constructor(
    db: Db,
    private readonly target: string,
  ) {
    this.after = db.prepare(
      `SELECT t.id, d.device_id, t.ts, t.temperature, t.pressure, t.status, t.extra, t.received_at
       FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE t.id > ? AND t.id <= ? ORDER BY t.id LIMIT ?`,
    );
    this.backlogCount = db.prepare(`SELECT COUNT(*) FROM telemetry WHERE id > ?`).pluck();
    this.firstPendingRow = db.prepare(`SELECT id, received_at FROM telemetry WHERE id > ? ORDER BY id LIMIT 1`);
    // A new target gets the whole history from telemetry, where deleted readings no longer are:
    // it needs none of the tombstones recorded before it.
    this.ensureState = db.prepare(
      `INSERT OR IGNORE INTO influx_forwarder (target, position, tombstone_position, updated_at)
       VALUES (?, 0, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'influx_tombstones'), 0), ?)`,
    );
    this.getState = db.prepare(
      `SELECT position, tombstone_position, forwarded_total, last_success_at, last_error, last_error_at FROM influx_forwarder WHERE target = ?`,
    );
    // position only moves forward, even if two runs ever raced
    this.advanceState = db.prepare(
      `UPDATE influx_forwarder SET position = MAX(position, @position), forwarded_total = forwarded_total + @count,
       last_success_at = @now, updated_at = @now WHERE target = @target`,
    );
    this.advanceTombstoneState = db.prepare(
      `UPDATE influx_forwarder SET tombstone_position = MAX(tombstone_position, @position), last_success_at = @now, updated_at = @now
       WHERE target = @target`,
    );
    this.failState = db.prepare(`UPDATE influx_forwarder SET last_error = @error, last_error_at = @now, updated_at = @now WHERE target = @target`);
    this.ensureState.run(target, Date.now());
  }

  state(): ForwarderState {
    return this.getState.get(this.target) as ForwarderState;
  }

  /** The next readings to send, in id order, none above `upTo`. */
  pending(position: number, limit: number, upTo = Number.MAX_SAFE_INTEGER): ReadingRow[] {
    return this.after.all(position, upTo, limit) as ReadingRow[];
  }

  backlog(position: number): number {
    return this.backlogCount.get(position) as number;
  }

  /** id and received_at (ms) of the oldest reading not sent yet, or undefined when all are sent. */
  firstPending(position: number): { id: number; received_at: number } | undefined {
    return this.firstPendingRow.get(position) as { id: number; received_at: number } | undefined;
  }

  advance(position: number, count: number, now = Date.now()): void {
    this.advanceState.run({ position, count, now, target: this.target });
  }

  advanceTombstones(position: number, now = Date.now()): void {
    this.advanceTombstoneState.run({ position, now, target: this.target });
  }

  fail(error: string, now = Date.now()): void {
    this.failState.run({ error: error.slice(0, 1000), now, target: this.target });
  }
}
