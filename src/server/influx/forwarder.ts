import type { ForwarderStatus } from '../../shared/influx';
import type { Db } from '../db/open';
import type { Logger } from '../logger';
import type { ReadingRow } from '../telemetry/repository';
import type { InfluxConfig, InfluxTarget } from './config';
import { createDeleteSink, type DeleteSink } from './delete-sink';
import { ForwarderRepository } from './forwarder-repository';
import { createSink, SinkHttpError, type Sink } from './sink';
import { TombstoneRepository, type Tombstone } from './tombstones';

/** How a target is named in the position table and in status: never with the token. */
function targetKey(t: InfluxTarget): string {
  return t.version === '1' ? `${t.url} db=${t.db}` : `${t.url} org=${t.org} bucket=${t.bucket}`;
}

/** A write nudge waits this long so a burst of small ingests goes out as one batch. */
const NUDGE_DELAY_MS = 50;

/**
 * Answers to a delete that retrying will not change: malformed (400, 422) or a target that has no
 * delete endpoint (404, 405, 501: InfluxDB 1.x before 1.8 behind INFLUX_VERSION=2, VictoriaMetrics
 * answers 400). The bucket itself exists: the readings before the delete were written to it.
 */
const PERMANENT_DELETE_FAILURES = new Set([400, 404, 405, 422, 501]);

/** What one round sends: readings, or deletes, never both, so their order is kept exactly. */
type Step = { kind: 'write'; rows: ReadingRow[] } | { kind: 'delete'; tombstones: Tombstone[] };

/**
 * Store-and-forward to InfluxDB. SQLite is the buffer: the forwarder sends every telemetry row
 * with an id above its position, in id order and in batches, and moves the position only after
 * the target acknowledged a batch. So an outage or a restart resumes exactly where it stopped,
 * and nothing is sent twice unless an acknowledgement itself was lost (the same point with the
 * same values then, which InfluxDB stores once). It runs on timers, never on the request path.
 *
 * Deletes travel the same way, as tombstones with a position of their own, interleaved with the
 * readings in the order things happened: a tombstone goes out once every reading stored before
 * the delete was sent, and readings stored after it wait until it was applied. So a re-ingest of
 * the deleted (device, time) always lands after the delete and is never deleted by it.
 */
export class InfluxForwarder {
  private readonly repo: ForwarderRepository;
  private readonly tombstones: TombstoneRepository;
  private readonly sink: Sink;
  private readonly deleteSink: DeleteSink;
  private position: number;
  private tombstonePosition: number;
  private batchSize: number;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = 0;
  private running: Promise<void> | undefined;
  private stopped = false;
  private retryAt: number | undefined;

  constructor(
    db: Db,
    private readonly target: InfluxTarget,
    private readonly config: InfluxConfig,
    private readonly logger: Logger,
    sink?: Sink,
  ) {
    this.repo = new ForwarderRepository(db, targetKey(target));
    this.tombstones = new TombstoneRepository(db);
    const state = this.repo.state();
    this.position = state.position;
    this.tombstonePosition = state.tombstone_position;
    // Tombstones only a target configured before this one still needed: nobody will apply them.
    this.tombstones.prune(this.tombstonePosition);
    this.batchSize = config.batchSize;
    this.sink = sink ?? createSink(target, config.batchSize, config.writeTimeoutMs, logger);
    this.deleteSink = createDeleteSink(target, config.writeTimeoutMs);
  }

  /** Remembers a deleted reading for InfluxDB; call inside the transaction that deletes it. */
  recordDelete(deviceId: string, ts: number): void {
    this.tombstones.record(deviceId, ts);
  }

  start(): void {
    this.schedule(0);
  }

  /** Readings were stored or deleted: send them soon, unless a backoff is running. */
  nudge(): void {
    if (this.stopped || this.retryAt !== undefined) return;
    this.schedule(NUDGE_DELAY_MS);
  }

  /** Waits for a batch in flight (so its acknowledgement is recorded), then stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.sink.close();
  }

  status(): ForwarderStatus {
    const s = this.repo.state();
    const pendingSince = [this.repo.firstPending(this.position)?.received_at, this.tombstones.oldestPendingCreatedAt(this.tombstonePosition)];
    const oldest = pendingSince.reduce<number | undefined>((a, b) => (b === undefined ? a : Math.min(a ?? b, b)), undefined);
    const failing = s.last_error_at !== null && (s.last_success_at === null || s.last_error_at > s.last_success_at);
    return {
      configured: true,
      ok: !failing,
      target: targetKey(this.target),
      version: this.target.version,
      position: this.position,
      backlog: this.repo.backlog(this.position),
      pending_deletes: this.tombstones.count(this.tombstonePosition),
      lag_seconds: oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest) / 1000),
      forwarded_total: s.forwarded_total,
      last_success: s.last_success_at === null ? null : new Date(s.last_success_at).toISOString(),
      last_error: s.last_error,
      last_error_at: s.last_error_at === null ? null : new Date(s.last_error_at).toISOString(),
      retry_in_ms: this.retryAt === undefined ? null : Math.max(0, this.retryAt - Date.now()),
    };
  }

  /** Keeps at most one timer, the earliest one asked for. */
  private schedule(delayMs: number): void {
    if (this.stopped) return;
    const due = Date.now() + delayMs;
    if (this.timer && this.timerDue <= due) return;
    clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, delayMs);
    this.timer.unref();
  }

  private kick(): void {
    if (this.running) {
      // The run in progress picks up new rows itself: it loops until none are left.
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
    });
  }

  /** The next readings or deletes to send, in the order they happened; undefined when all are sent. */
  private nextStep(): Step | undefined {
    const firstUnsent = this.repo.firstPending(this.position)?.id ?? Number.POSITIVE_INFINITY;
    const next = this.tombstones.pending(this.tombstonePosition, this.deleteSink.perCall);
    // A delete is due once every reading stored before it (id <= after_id) has been sent.
    const due = next.findIndex((t) => t.after_id >= firstUnsent);
    const tombstones = due === -1 ? next : next.slice(0, due);
    if (tombstones.length) return { kind: 'delete', tombstones };
    // Readings stored after the next pending delete wait for it.
    const rows = this.repo.pending(this.position, this.batchSize, next[0]?.after_id);
    return rows.length ? { kind: 'write', rows } : undefined;
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      const step = this.nextStep();
      if (!step) break;
      try {
        if (step.kind === 'write') await this.sink.write(step.rows);
        else await this.deleteSink.delete(step.tombstones);
      } catch (err) {
        if (!this.handleFailure(err as Error, step)) return;
        continue;
      }
      this.acknowledge(step, step.kind === 'write' ? step.rows.length : 0);
      this.failures = 0;
      this.retryAt = undefined;
      // Let requests in between two batches of a large backlog.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.schedule(this.config.flushIntervalMs);
  }

  /** Moves the position past a step the target took (or that was given up on). */
  private acknowledge(step: Step, forwarded: number): void {
    if (step.kind === 'write') {
      const last = step.rows[step.rows.length - 1]!.id;
      this.repo.advance(last, forwarded);
      this.position = last;
    } else {
      const last = step.tombstones[step.tombstones.length - 1]!.id;
      this.repo.advanceTombstones(last);
      this.tombstonePosition = last;
      this.tombstones.prune(last);
    }
  }

  /** Decides what a failed step means; returns true to go on at once, false after scheduling a retry. */
  private handleFailure(err: Error, step: Step): boolean {
    const status = err instanceof SinkHttpError ? err.status : undefined;
    if (step.kind === 'write' && status === 413 && this.batchSize > 1) {
      this.batchSize = Math.max(1, Math.floor(this.batchSize / 2));
      this.logger.warn({ batchSize: this.batchSize }, 'InfluxDB refused the batch as too large; sending smaller batches');
      return true;
    }
    if (step.kind === 'write' && (status === 400 || status === 422)) {
      // Bad data (e.g. a field type conflict). InfluxDB has already stored the good points of the
      // batch (partial write); resending would fail forever and stall the mirror, so move on and say so.
      this.logger.error({ err: err.message, count: step.rows.length }, 'InfluxDB refused points of a batch; skipping them');
      this.repo.fail(`skipped ${step.rows.length} readings: ${err.message}`);
      this.acknowledge(step, 0);
      return true;
    }
    if (step.kind === 'delete' && status !== undefined && PERMANENT_DELETE_FAILURES.has(status)) {
      // Holding the delete would hold every later reading with it; give it up and say so.
      this.logger.error({ err: err.message, count: step.tombstones.length }, 'InfluxDB cannot apply deletes; skipping them');
      this.repo.fail(`skipped ${step.tombstones.length} deletes: ${err.message}`);
      this.acknowledge(step, 0);
      return true;
    }
    this.failures++;
    const base = Math.min(this.config.maxBackoffMs, this.config.minBackoffMs * 2 ** Math.min(this.failures - 1, 20));
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.retryAt = Date.now() + delay;
    this.repo.fail(err.message || String(err));
    if (this.failures === 1 || this.failures % 10 === 0)
      this.logger.warn({ err: err.message, retryInMs: delay, failures: this.failures }, `InfluxDB ${step.kind} failed; will retry`);
    this.schedule(delay);
    return false;
  }
}
