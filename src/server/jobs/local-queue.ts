import type { Logger } from '../logger';
import { executeTask, type ExecuteDeps } from './execute';
import { InvalidPayloadError, type JobQueue, type Owner, type QueueHealth } from './queue';
import type { JobRow } from './store';

/**
 * The embedded runner: tasks run in this process (their heavy part in worker threads: the
 * export scans in its own thread with its own read-only connection), a few at a time. The queue
 * itself is the `jobs` table, so a restart loses nothing: on start, queued tasks are run and
 * tasks that were running when the station stopped are run again, or failed once out of attempts.
 */
export class LocalJobQueue implements JobQueue {
  readonly backend = 'local' as const;
  private readonly waiting: string[] = [];
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
      this.waiting.push(row.id);
    }
    if (this.waiting.length) this.logger.info({ tasks: this.waiting.length }, 'resuming unfinished tasks');
    this.started = true;
    this.pump();
  }

  async add(name: string, payload: unknown, owner: Owner): Promise<JobRow> {
    const row = this.record(name, payload, owner);
    this.enqueue(row.id);
    return row;
  }

  /** Records a task without queueing it anywhere else; also used as the BullMQ fallback. */
  record(name: string, payload: unknown, owner: Owner, backend: 'local' | 'bullmq' = 'local'): JobRow {
    const def = this.deps.registry.get(name);
    const parsed = def.schema.safeParse(payload);
    if (!parsed.success) throw new InvalidPayloadError(parsed.error.message);
    return this.deps.store.create(name, owner, parsed.data, backend);
  }

  enqueue(id: string): void {
    this.waiting.push(id);
    this.pump();
  }

  async cancel(id: string): Promise<boolean> {
    const i = this.waiting.indexOf(id);
    if (i >= 0) this.waiting.splice(i, 1);
    // a running execution notices at its next heartbeat and stops
    return this.deps.store.cancel(id);
  }

  health(): QueueHealth {
    return { ok: true, backend: 'local', running: this.running.size, waiting: this.waiting.length };
  }

  async close(): Promise<void> {
    this.started = false;
    this.shutdown.abort(new Error('station shutting down'));
    await Promise.allSettled(this.running.values());
  }

  private pump(): void {
    while (this.started && this.running.size < this.concurrency && this.waiting.length) {
      const id = this.waiting.shift()!;
      const run = executeTask(this.deps, id, { shutdown: this.shutdown.signal })
        .then((result) => {
          if (result === 'retry') this.waiting.push(id);
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
