import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RedisConfig } from '../config';
import { closeRedisClient, createRedisClient } from '../cache/redis-client';
import type { Logger } from '../logger';
import { startBullWorker, bullPrefix, QUEUE_NAME, type BullWorkerHandle } from './bull-worker';
import type { ExecuteDeps } from './execute';
import type { LocalJobQueue } from './local-queue';
import type { JobQueue, Owner, QueueHealth } from './queue';
import type { JobRow } from './store';

/**
 * Jobs over BullMQ. The station is a producer and, unless JOB_WORKERS=0, also a worker; more
 * workers run as `npm run worker` processes. When Redis cannot take a job (down, unreachable)
 * the task runs on the local runner instead, so an export never waits on Redis coming back.
 */
export class BullJobQueue implements JobQueue {
  readonly backend = 'bullmq' as const;
  private readonly producer: Redis;
  private readonly queue: Queue;
  private workerConnection: Redis | undefined;
  private worker: BullWorkerHandle | undefined;

  constructor(
    private readonly deps: ExecuteDeps,
    private readonly redis: RedisConfig,
    private readonly local: LocalJobQueue,
    private readonly logger: Logger,
  ) {
    this.producer = createRedisClient(redis, 'queue', logger);
    this.queue = new Queue(QUEUE_NAME, { connection: this.producer, prefix: bullPrefix(redis.prefix) });
    this.queue.on('error', () => undefined); // the client logs connection errors once
    // Redis without persistence forgets jobs when it restarts; the table remembers them.
    this.producer.on('ready', () => void this.resubmit());
  }

  async start(): Promise<void> {
    await this.local.start();
    const { config } = this.deps;
    if (config.jobs.stationWorkers > 0) {
      this.workerConnection = createRedisClient(this.redis, 'worker', this.logger);
      this.worker = startBullWorker(this.deps, this.workerConnection, {
        prefix: this.redis.prefix,
        concurrency: config.jobs.stationWorkers,
        lockMs: config.jobs.lockMs,
        logger: this.logger,
      });
    }
  }

  async add(name: string, payload: unknown, owner: Owner): Promise<JobRow> {
    const row = this.local.record(name, payload, owner, 'bullmq');
    try {
      await this.submit(row);
    } catch (err) {
      this.logger.warn({ task: row.id, err: (err as Error).message }, 'redis cannot take the job; running it locally');
      this.deps.store.setBackend(row.id, 'local');
      this.local.enqueue(row.id);
    }
    return this.deps.store.get(row.id)!;
  }

  async cancel(id: string): Promise<boolean> {
    const cancelled = await this.local.cancel(id);
    // a waiting job is removed; an active one stops at its next heartbeat
    await this.queue.remove(id).catch(() => undefined);
    return cancelled;
  }

  async health(): Promise<QueueHealth> {
    const status = this.producer.status;
    const ok = status === 'ready';
    let counts: Record<string, number> | undefined;
    if (ok) counts = await withTimeout(this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed'), 1000).catch(() => undefined);
    return { ok, backend: 'bullmq', status, station_workers: this.deps.config.jobs.stationWorkers, ...(counts ? { counts } : {}) };
  }

  async close(): Promise<void> {
    // With Redis gone, BullMQ's close waits for a connection that is not coming back: every step is
    // bounded, so a station whose Redis died still shuts down (its tasks are safe in SQLite).
    const bounded = (p: Promise<unknown>, ms: number) => Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, ms).unref())]);
    if (this.worker) {
      const grace = Math.min(this.deps.config.jobs.shutdownTimeoutMs, 5000);
      await bounded(this.worker.close(grace), grace + 1000);
      await bounded(this.worker.worker.disconnect(), 1000);
    }
    await this.local.close();
    await bounded(this.queue.close(), 1000);
    if (this.workerConnection) await closeRedisClient(this.workerConnection);
    await closeRedisClient(this.producer);
  }

  private async submit(row: JobRow): Promise<void> {
    const def = this.deps.registry.get(row.name);
    await withTimeout(
      this.queue.add(row.name, JSON.parse(row.payload) as unknown, {
        jobId: row.id,
        // Fair turns between callers: a caller's n-th unfinished task waits behind every caller's
        // first (BullMQ takes lower priorities first, FIFO within one).
        priority: Math.max(1, this.deps.store.unfinishedCount(row.owner)),
        // the table's attempts decide failure; these only bound redeliveries
        attempts: def.attempts + 3,
        backoff: { type: 'fixed', delay: 1000 },
        removeOnComplete: true,
        removeOnFail: { count: 1000 },
      }),
      this.redis.connectTimeoutMs,
    );
  }

  /** Puts unfinished BullMQ tasks back on the queue (a no-op for jobs Redis still has: same id). */
  private async resubmit(): Promise<void> {
    for (const row of this.deps.store.unfinished('bullmq')) {
      await this.submit(row).catch(() => undefined);
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`redis did not answer within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}
