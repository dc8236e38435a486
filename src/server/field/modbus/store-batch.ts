import type { NewReading } from '../../../shared/telemetry';
import type { TelemetryService } from '../../telemetry/service';

/** How long a poll's reading may wait for others to share its commit. */
const WINDOW_MS = 50;
/** A batch this big is written at once. */
const MAX_BATCH = 1000;

/**
 * The readings of polls that finish within a short window, stored in one transaction. Polls of
 * devices are spread over their interval (and one port answers one request at a time), so they
 * seldom finish in the same event-loop turn and a per-turn group commit wrote one row per commit:
 * ~200 µs each, most of what a poll cost the station. Waiting up to WINDOW_MS shares the commit;
 * a reading's time is its poll's, so the wait shows in no timestamp, and `submit` resolves only
 * after the commit, so a poll is counted ok only once it is stored.
 */
export class StoreBatch {
  private pending: { reading: NewReading; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly telemetry: Pick<TelemetryService, 'store'>) {}

  submit(reading: NewReading): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ reading, resolve, reject });
      if (this.pending.length >= MAX_BATCH) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), WINDOW_MS);
    });
  }

  /** Writes what is waiting now (also on stop). If the shared write fails, each reading is tried on its own. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (!batch.length) return;
    try {
      this.telemetry.store(batch.map((p) => p.reading));
      for (const p of batch) p.resolve();
      return;
    } catch {
      // rolled back as a whole: one reading's fault must not fail the others
    }
    for (const p of batch) {
      try {
        this.telemetry.store([p.reading]);
        p.resolve();
      } catch (err) {
        p.reject(err);
      }
    }
  }
}
