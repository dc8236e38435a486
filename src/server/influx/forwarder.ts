import type { ForwarderStatus } from '../../shared/influx';
import type { Db } from '../db/open';
import type { Logger } from '../logger';
import type { InfluxConfig, InfluxTarget } from './config';
import { ForwarderRepository } from './forwarder-repository';
import { createSink, SinkHttpError, type Sink } from './sink';

/** How a target is named in the position table and in status: never with the token. */
export function targetKey(t: InfluxTarget): string {
  return t.version === '1' ? `${t.url} db=${t.db}` : `${t.url} org=${t.org} bucket=${t.bucket}`;
}

/** A write nudge waits this long so a burst of small ingests goes out as one batch. */
const NUDGE_DELAY_MS = 50;

/**
 * Store-and-forward to InfluxDB. SQLite is the buffer: the forwarder sends every telemetry row
 * with an id above its position, in id order and in batches, and moves the position only after
 * the target acknowledged a batch. So an outage or a restart resumes exactly where it stopped,
 * and nothing is sent twice unless an acknowledgement itself was lost (the same point with the
 * same values then, which InfluxDB stores once). It runs on timers, never on the request path.
 */
export class InfluxForwarder {
  private readonly repo: ForwarderRepository;
  private readonly sink: Sink;
  private position: number;
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
    this.position = this.repo.state().position;
    this.batchSize = config.batchSize;
    this.sink = sink ?? createSink(target, config.batchSize, config.writeTimeoutMs, logger);
  }

  start(): void {
    this.schedule(0);
  }

  /** New readings were stored: send them soon, unless a backoff is running. */
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
    const oldest = this.repo.oldestPendingReceivedAt(this.position);
    const failing = s.last_error_at !== null && (s.last_success_at === null || s.last_error_at > s.last_success_at);
    return {
      configured: true,
      ok: !failing,
      target: targetKey(this.target),
      version: this.target.version,
      position: this.position,
      backlog: this.repo.backlog(this.position),
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

  private async drain(): Promise<void> {
    while (!this.stopped) {
      const rows = this.repo.pending(this.position, this.batchSize);
      if (rows.length === 0) break;
      try {
        await this.sink.write(rows);
      } catch (err) {
        if (!this.handleFailure(err as Error, rows.length)) return;
        continue;
      }
      const last = rows[rows.length - 1]!.id;
      this.repo.advance(last, rows.length);
      this.position = last;
      this.failures = 0;
      this.retryAt = undefined;
      // Let requests in between two batches of a large backlog.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.schedule(this.config.flushIntervalMs);
  }

  /** Decides what a failed batch means; returns true to go on at once, false after scheduling a retry. */
  private handleFailure(err: Error, count: number): boolean {
    const status = err instanceof SinkHttpError ? err.status : undefined;
    if (status === 413 && this.batchSize > 1) {
      this.batchSize = Math.max(1, Math.floor(this.batchSize / 2));
      this.logger.warn({ batchSize: this.batchSize }, 'InfluxDB refused the batch as too large; sending smaller batches');
      return true;
    }
    if (status === 400 || status === 422) {
      // Bad data (e.g. a field type conflict). InfluxDB has already stored the good points of the
      // batch (partial write); resending would fail forever and stall the mirror, so move on and say so.
      this.logger.error({ err: err.message, count }, 'InfluxDB refused points of a batch; skipping them');
      const rows = this.repo.pending(this.position, count);
      const last = rows[rows.length - 1]!.id;
      this.repo.fail(`skipped ${count} readings: ${err.message}`);
      this.repo.advance(last, 0);
      this.position = last;
      return true;
    }
    this.failures++;
    const base = Math.min(this.config.maxBackoffMs, this.config.minBackoffMs * 2 ** Math.min(this.failures - 1, 20));
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.retryAt = Date.now() + delay;
    this.repo.fail(err.message || String(err));
    if (this.failures === 1 || this.failures % 10 === 0) this.logger.warn({ err: err.message, retryInMs: delay, failures: this.failures }, 'InfluxDB write failed; will retry');
    this.schedule(delay);
    return false;
  }
}
