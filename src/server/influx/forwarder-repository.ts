import type { Db } from '../db/open';
import type { ReadingRow } from '../telemetry/repository';

export interface ForwarderState {
  position: number;
  forwarded_total: number;
  last_success_at: number | null;
  last_error: string | null;
  last_error_at: number | null;
}

/** The forwarder's SQL: the change feed (rows after a position) and the per-target position. */
export class ForwarderRepository {
  private readonly after;
  private readonly backlogCount;
  private readonly oldestPending;
  private readonly getState;
  private readonly ensureState;
  private readonly advanceState;
  private readonly failState;

  constructor(
    db: Db,
    private readonly target: string,
  ) {
    this.after = db.prepare(
      `SELECT t.id, d.device_id, t.ts, t.temperature, t.pressure, t.status, t.extra, t.received_at
       FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE t.id > ? ORDER BY t.id LIMIT ?`,
    );
    this.backlogCount = db.prepare(`SELECT COUNT(*) FROM telemetry WHERE id > ?`).pluck();
    this.oldestPending = db.prepare(`SELECT received_at FROM telemetry WHERE id > ? ORDER BY id LIMIT 1`).pluck();
    this.ensureState = db.prepare(`INSERT OR IGNORE INTO influx_forwarder (target, position, updated_at) VALUES (?, 0, ?)`);
    this.getState = db.prepare(
      `SELECT position, forwarded_total, last_success_at, last_error, last_error_at FROM influx_forwarder WHERE target = ?`,
    );
    // position only moves forward, even if two runs ever raced
    this.advanceState = db.prepare(
      `UPDATE influx_forwarder SET position = MAX(position, @position), forwarded_total = forwarded_total + @count,
       last_success_at = @now, updated_at = @now WHERE target = @target`,
    );
    this.failState = db.prepare(
      `UPDATE influx_forwarder SET last_error = @error, last_error_at = @now, updated_at = @now WHERE target = @target`,
    );
    this.ensureState.run(target, Date.now());
  }

  state(): ForwarderState {
    return this.getState.get(this.target) as ForwarderState;
  }

  /** The next readings to send, in id order. */
  pending(position: number, limit: number): ReadingRow[] {
    return this.after.all(position, limit) as ReadingRow[];
  }

  backlog(position: number): number {
    return this.backlogCount.get(position) as number;
  }

  /** received_at (ms) of the oldest reading not sent yet, or undefined when all are sent. */
  oldestPendingReceivedAt(position: number): number | undefined {
    return this.oldestPending.get(position) as number | undefined;
  }

  advance(position: number, count: number, now = Date.now()): void {
    this.advanceState.run({ position, count, now, target: this.target });
  }

  fail(error: string, now = Date.now()): void {
    this.failState.run({ error: error.slice(0, 1000), now, target: this.target });
  }
}
