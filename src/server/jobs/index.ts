import type { AuditEntry } from '../audit/repository';
import type { Guards } from '../auth/guards';
import type { Config } from '../config';
import type { Db } from '../db/open';
import type { Logger } from '../logger';
import { LocalJobQueue } from './local-queue';
import { startJobMaintenance } from './maintenance';
import type { JobQueue } from './queue';
import { JobRegistry, type JobDefinition } from './registry';
import { createExportAsyncRouter, createTasksRouter } from './routes';
import { JobStore } from './store';

export interface Jobs {
  queue: JobQueue;
  store: JobStore;
  registry: JobRegistry;
  exportAsyncRouter: ReturnType<typeof createExportAsyncRouter>;
  tasksRouter: ReturnType<typeof createTasksRouter>;
  close(): Promise<void>;
}

/**
 * Background jobs for the station: BullMQ when Redis is configured, the local runner otherwise
 * (and as BullMQ's fallback while Redis cannot take work). Call `start()` on the queue once the
 * HTTP server listens; `close()` hands running tasks back.
 */
export async function startJobs(
  config: Config,
  db: Db,
  logger: Logger,
  guards: Guards,
  audit: { record(e: AuditEntry): void },
  definitions: readonly JobDefinition[],
): Promise<Jobs> {
  const registry = new JobRegistry(definitions);
  const store = new JobStore(db);
  const log = logger.child({ component: 'jobs' });
  const deps = { store, registry, config, logger: log };
  const local = new LocalJobQueue(deps, Math.max(1, config.jobs.stationWorkers), log);
  // BullMQ (and ioredis) load only when Redis is configured: they are a second of start-up on a slow machine.
  const queue: JobQueue = config.redis ? new (await import('./bull-queue')).BullJobQueue(deps, config.redis, local, log) : local;
  await queue.start();
  const maintenance = startJobMaintenance(store, config, log);
  const routeDeps = { config, queue, store, guards, audit };
  return {
    queue,
    store,
    registry,
    exportAsyncRouter: createExportAsyncRouter(routeDeps),
    tasksRouter: createTasksRouter(routeDeps),
    async close() {
      maintenance.stop();
      await queue.close();
    },
  };
}
