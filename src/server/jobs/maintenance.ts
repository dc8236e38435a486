import type { Config } from '../config';
import type { Logger } from '../logger';
import { removeExportFiles } from './export-job';
import type { JobStore } from './store';

/**
 * Housekeeping the station runs on a timer: a task whose execution stopped beating long ago
 * (its worker process was killed and nobody took it over) is failed with a reason instead of
 * showing "running" forever; finished tasks past the retention period lose their file and record.
 */
export function startJobMaintenance(store: JobStore, config: Config, logger: Logger): { sweep(): void; stop(): void } {
  const sweep = () => {
    try {
      const now = Date.now();
      for (const row of store.abandoned(now - config.jobs.abandonedMs)) {
        if (store.fail(row.id, 'the worker running this task stopped responding (killed or disconnected) and no other worker took it over')) {
          removeExportFiles(config, row.id);
          logger.warn({ task: row.id }, 'abandoned task failed');
        }
      }
      for (const row of store.finishedBefore(now - config.jobs.retentionMs)) {
        removeExportFiles(config, row.id);
        store.remove(row.id);
      }
    } catch (err) {
      logger.error({ err }, 'job maintenance failed');
    }
  };
  sweep();
  const timer = setInterval(sweep, Math.max(1000, Math.min(config.jobs.abandonedMs / 2, 60_000)));
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
