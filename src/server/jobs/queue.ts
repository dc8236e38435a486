import { AppError } from '../http/errors';
import type { JobRow } from './store';

/** Who a task belongs to: a user, or an API key (keys that read can export too). */
export type Owner = string;

export interface QueueHealth {
  ok: boolean;
  backend: 'local' | 'bullmq';
  [k: string]: unknown;
}

/**
 * Background jobs. Two implementations: `LocalJobQueue` (in the station process, state in the
 * SQLite `jobs` table) and `BullJobQueue` (Redis + BullMQ, so `npm run worker` processes can
 * share the work). Both keep the task record in the `jobs` table, which is what the API reads.
 */
export interface JobQueue {
  readonly backend: 'local' | 'bullmq';
  /** recovers unfinished tasks and starts taking work */
  start(): Promise<void>;
  /** validates the payload against the job's schema, records the task and queues it */
  add(name: string, payload: unknown, owner: Owner): Promise<JobRow>;
  /** cancels a queued or running task (a running one stops at its next heartbeat) */
  cancel(id: string): Promise<boolean>;
  health(): QueueHealth | Promise<QueueHealth>;
  /** stops taking work; running tasks are handed back (re-queued) */
  close(): Promise<void>;
}

export class InvalidPayloadError extends Error {
  override name = 'InvalidPayloadError';
}

/**
 * A caller already has as many tasks queued or running as one caller may (TASKS_PER_CALLER): one
 * account must not fill the queue and the disk and make everyone else's export wait.
 */
export class TooManyTasksError extends AppError {
  constructor(unfinished: number) {
    super(429, `you already have ${unfinished} background tasks queued or running; wait for one to finish or cancel one`, {
      headers: { 'Retry-After': '10' },
    });
  }
}
