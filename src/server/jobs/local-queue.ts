import type { Logger } from '../logger';
import { executeTask, type ExecuteDeps } from './execute';
import { InvalidPayloadError, TooManyTasksError, type JobQueue, type Owner, type QueueHealth } from './queue';
import type { JobRow } from './store';

/**
 * The embedded runner: tasks run in this process (their heavy part in worker threads: the
 * export scans in its own thread with its own read-only connection), a few at a time. The queue
 * itself is the `jobs` table, so a restart loses nothing: on start, queued tasks are run and
 * tasks that were running when the station stopped are run again, or failed once out of attempts.
 *
 * Waiting tasks are taken in turns by owner (round robin), not first come first served: one user's
 * twenty exports then delay another user's one by at most one task each turn.
 */
export class LocalJobQueue implements JobQueue {
  readonly backend = 'local' as const;
  private readonly waiting = new OwnerTurns();
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly shutdown = new AbortController();
  private started = false;

  constructor(
    private readonly deps: ExecuteDeps,
    private readonly concurrency: number,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const { store, registry } = this.deps;
    for (const row of store.unfinished('local')) {
      if (row.status === 'running') {
        const attempts = registry.has(row.name) ? registry.get(row.name).attempts : 1;
        if (row.attempts >= attempts) {
          store.fail(row.id, 'interrupted: the station stopped while the task was running, and it is out of attempts');
          continue;
        }
        store.requeue(row.id, 'interrupted: the station stopped while the task was running; resumed at start');
      }
      this.waiting.push(row.id, row.owner);
    }
    if (this.waiting.size) this.logger.info({ tasks: this.waiting.size }, 'resuming unfinished tasks');
    this.started = true;
    this.pump();
  }

  async add(name: string, payload: unknown, owner: Owner): Promise<JobRow> {
    const row = this.record(name, payload, owner);
    this.enqueue(row.id);
    return row;
  }

  /**
   * Records a task without queueing it anywhere else; also used as the BullMQ fallback. Refused
   * when the owner already has its share of unfinished tasks (TooManyTasksError, a 429).
   */
  record(name: string, payload: unknown, owner: Owner, backend: 'local' | 'bullmq' = 'local'): JobRow {
    const def = this.deps.registry.get(name);
    const parsed = def.schema.safeParse(payload);
    if (!parsed.success) throw new InvalidPayloadError(parsed.error.message);
    const { store, config } = this.deps;
    // the count and the insert in one transaction, so concurrent requests cannot both slip under the cap
    return store.inTransaction(() => {
      const unfinished = store.unfinishedCount(owner);
      if (unfinished >= config.jobs.perCaller) throw new TooManyTasksError(unfinished);
      return store.create(name, owner, parsed.data, backend);
    });
  }

  enqueue(id: string): void {
    this.waiting.push(id, this.deps.store.get(id)?.owner ?? '');
    this.pump();
  }

  async cancel(id: string): Promise<boolean> {
    this.waiting.remove(id);
    // a running execution notices at its next heartbeat and stops
    return this.deps.store.cancel(id);
  }

  health(): QueueHealth {
    return { ok: true, backend: 'local', running: this.running.size, waiting: this.waiting.size };
  }

  async close(): Promise<void> {
    this.started = false;
    this.shutdown.abort(new Error('station shutting down'));
    await Promise.allSettled(this.running.values());
  }

  private pump(): void {
    while (this.started && this.running.size < this.concurrency && this.waiting.size) {
      const { id, owner } = this.waiting.next()!;
      const run = executeTask(this.deps, id, { shutdown: this.shutdown.signal })
        .then((result) => {
          if (result === 'retry') this.waiting.push(id, owner);
        })
        .catch((err: unknown) => this.logger.error({ err, task: id }, 'task runner error'))
        .finally(() => {
          this.running.delete(id);
          this.pump();
        });
      this.running.set(id, run);
    }
  }
}

/** Task ids waiting per owner, handed out one owner at a time in rotation. */
class OwnerTurns {
  private readonly byOwner = new Map<string, string[]>();
  size = 0;

  push(id: string, owner: string): void {
    const queue = this.byOwner.get(owner);
    if (queue) queue.push(id);
    else this.byOwner.set(owner, [id]);
    this.size++;
  }

  /** The oldest task of the owner whose turn it is; that owner then goes to the back of the line. */
  next(): { id: string; owner: string } | undefined {
    for (const [owner, queue] of this.byOwner) {
      const id = queue.shift()!;
      this.byOwner.delete(owner);
      if (queue.length) this.byOwner.set(owner, queue);
      this.size--;
      return { id, owner };
    }
    return undefined;
  }

  remove(id: string): void {
    for (const [owner, queue] of this.byOwner) {
      const i = queue.indexOf(id);
      if (i < 0) continue;
      queue.splice(i, 1);
      if (!queue.length) this.byOwner.delete(owner);
      this.size--;
      return;
    }
  }
}
