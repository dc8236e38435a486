import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import { executeTask, type ExecuteDeps } from './execute';

export const QUEUE_NAME = 'oilfield-jobs';
export const bullPrefix = (prefix: string) => `${prefix}:bull`;

export interface BullWorkerHandle {
  worker: Worker;
  /**
   * Stops taking jobs and waits for the running ones; after `timeoutMs` they are aborted and
   * handed back (delayed by a second, without using up an attempt) for another worker.
   */
  close(timeoutMs: number): Promise<void>;
}

/**
 * A BullMQ worker that runs tasks through the same executor as the local runner. BullMQ is the
 * transport (delivery, locks, stall detection); the task's state lives in the `jobs` table, whose
 * `attempts` decide when a task has failed for good.
 */
export function startBullWorker(
  deps: ExecuteDeps,
  connection: Redis,
  opts: { prefix: string; concurrency: number; lockMs: number; logger: Logger },
): BullWorkerHandle {
  const shutdown = new AbortController();
  const processor = async (job: Job, token?: string): Promise<void> => {
    const id = job.id!;
    const result = await executeTask(deps, id, { shutdown: shutdown.signal });
    if (result === 'retry') throw new Error(deps.store.get(id)?.error ?? 'attempt failed; retrying');
    if (result === 'shutdown') {
      await job.moveToDelayed(Date.now() + 1000, token);
      throw new DelayedError();
    }
    if (result === 'skipped') {
      const row = deps.store.get(id);
      // held by a live execution elsewhere (a redelivery that came early): try again later
      if (row && (row.status === 'running' || row.status === 'queued')) throw new Error('task is held by another execution; will retry');
    }
  };
  const worker = new Worker(QUEUE_NAME, processor, {
    connection,
    prefix: bullPrefix(opts.prefix),
    concurrency: opts.concurrency,
    lockDuration: opts.lockMs,
    stalledInterval: opts.lockMs,
    maxStalledCount: 2,
  });
  let lastError = '';
  worker.on('error', (err) => {
    if (err.message !== lastError) opts.logger.warn({ err: err.message }, 'job worker error');
    lastError = err.message;
  });
  return {
    worker,
    async close(timeoutMs: number) {
      const timer = setTimeout(() => shutdown.abort(new Error('worker shutting down')), timeoutMs);
      try {
        await worker.close();
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
