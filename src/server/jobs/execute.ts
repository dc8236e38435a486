import type { Config } from '../config';
import type { Logger } from '../logger';
import { describeFileFault } from '../http/errors';
import type { JobRegistry } from './registry';
import type { JobStore } from './store';

export interface ExecuteDeps {
  store: JobStore;
  registry: JobRegistry;
  config: Config;
  logger: Logger;
}

export type ExecuteResult = 'completed' | 'failed' | 'cancelled' | 'skipped' | 'retry' | 'shutdown';

const PROGRESS_EVERY_MS = 250;

/** Why an execution was aborted: the task was cancelled/taken over, or the process is stopping. */
class LostClaim extends Error {}

/**
 * Runs one task to its end, the same way for both backends: claim the row, validate the payload,
 * run the handler with a heartbeat, record the outcome. The heartbeat doubles as the cancel check:
 * DELETE /api/tasks/{id} flips the row (possibly from another process) and the next beat aborts.
 */
export async function executeTask(
  deps: ExecuteDeps,
  taskId: string,
  opts: { shutdown?: AbortSignal; isFinalAttempt?: (attempts: number) => boolean } = {},
): Promise<ExecuteResult> {
  const { store, registry, config, logger } = deps;
  const claim = store.claim(taskId, config.jobs.staleMs);
  if (!claim) return 'skipped';
  const row = store.get(taskId)!;
  const log = logger.child({ task: taskId, job: row.name, attempt: row.attempts });

  if (!registry.has(row.name)) {
    store.fail(taskId, `no handler for job ${row.name}`, claim);
    return 'failed';
  }
  const def = registry.get(row.name);
  const parsed = def.schema.safeParse(safeJson(row.payload));
  if (!parsed.success) {
    store.fail(taskId, `invalid payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, claim);
    return 'failed';
  }

  const ac = new AbortController();
  const onShutdown = () => ac.abort(opts.shutdown?.reason ?? new Error('worker shutting down'));
  if (opts.shutdown?.aborted) onShutdown();
  opts.shutdown?.addEventListener('abort', onShutdown, { once: true });
  const lost = () => ac.abort(new LostClaim('the task was cancelled or taken over'));
  const beat = setInterval(() => {
    if (!store.heartbeat(taskId, claim)) lost();
  }, config.jobs.heartbeatMs);
  beat.unref();

  let lastWrite = 0;
  const progress = (rows: number, pct: number | null) => {
    const now = Date.now();
    if (now - lastWrite < PROGRESS_EVERY_MS) return;
    lastWrite = now;
    if (!store.progress(taskId, claim, rows, pct)) lost();
  };

  log.info('task started');
  try {
    const outcome = await def.handler(parsed.data, { taskId, signal: ac.signal, progress, config, logger: log });
    if (ac.signal.aborted) throw ac.signal.reason;
    if (!store.complete(taskId, claim, outcome.result, outcome.rows)) {
      def.cleanup?.(taskId, config);
      return 'cancelled';
    }
    log.info({ rows: outcome.rows }, 'task completed');
    return 'completed';
  } catch (err) {
    const reason = ac.signal.aborted ? ac.signal.reason : err;
    if (reason instanceof LostClaim) {
      log.info('task stopped: cancelled or taken over');
      return 'cancelled';
    }
    if (opts.shutdown?.aborted) {
      store.requeue(taskId, 'handed back: the worker was shutting down', claim);
      log.warn('task handed back on shutdown');
      return 'shutdown';
    }
    // a file fault's message names a server path: users see what happened, the log keeps the path
    const message = describeFileFault(err) ?? (err as Error)?.message ?? String(err);
    const final = opts.isFinalAttempt ? opts.isFinalAttempt(row.attempts) : row.attempts >= def.attempts;
    if (final) {
      store.fail(taskId, message, claim);
      log.error({ err }, 'task failed');
      return 'failed';
    }
    store.requeue(taskId, `attempt ${row.attempts} failed (${message}); retrying`, claim);
    log.warn({ err }, 'task attempt failed; will retry');
    return 'retry';
  } finally {
    clearInterval(beat);
    opts.shutdown?.removeEventListener('abort', onShutdown);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
