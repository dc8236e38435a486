import { ConfigError, loadConfig } from '../config';
import { createRedisClient, closeRedisClient } from '../cache/redis-client';
import { migrate } from '../db/migrate';
import { closeDatabase, openDatabase } from '../db/open';
import { createLogger } from '../logger';
import { startBullWorker } from './bull-worker';
import { JobRegistry, type JobDefinition } from './registry';
import { JobStore } from './store';

/** How long Redis gets to let go (worker and client close) after the running jobs are done or handed back. */
const CLOSE_GRACE_MS = 5_000;

/**
 * `npm run worker`: a BullMQ worker process beside the station, on the same host and database
 * (it reads telemetry and records task state in the same SQLite file). SIGTERM/SIGINT stop taking
 * jobs and let the running ones finish; after WORKER_SHUTDOWN_TIMEOUT_MS they are handed back, and
 * the process exits at most a few seconds later whatever Redis does (BullMQ's close waits for a
 * Redis that may never answer). A second signal exits at once: the running jobs' locks expire and
 * another worker takes them.
 */
export async function workerCommand(definitions: readonly JobDefinition[]): Promise<void> {
  const config = loadConfig();
  if (!config.redis) throw new ConfigError('the worker needs Redis: set REDIS_URL (or REDIS_HOST / REDIS_PORT) to the station’s Redis');
  const logger = createLogger(config.logLevel, config.logPretty).child({ component: 'worker', pid: process.pid });
  const db = openDatabase(config.databasePath);
  migrate(db);
  const registry = new JobRegistry(definitions);
  const store = new JobStore(db);
  const connection = createRedisClient(config.redis, 'worker', logger);
  const handle = startBullWorker({ store, registry, config, logger }, connection, {
    prefix: config.redis.prefix,
    concurrency: config.jobs.workerConcurrency,
    lockMs: config.jobs.lockMs,
    logger,
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now; running jobs go back to the queue when their locks expire');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'worker stopping: finishing the running jobs');
    const deadline = setTimeout(() => {
      logger.error('Redis did not let the worker close in time; exiting anyway');
      process.exit(1);
    }, config.jobs.shutdownTimeoutMs + CLOSE_GRACE_MS);
    deadline.unref();
    handle
      .close(config.jobs.shutdownTimeoutMs)
      .then(() => closeRedisClient(connection))
      .then(
        () => {
          closeDatabase(db);
          process.exit(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'unclean worker shutdown');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  logger.info({ redis: config.redis.display, jobs: registry.names(), concurrency: config.jobs.workerConcurrency }, 'worker started; connecting to Redis');
  process.stdout.write(`worker ${process.pid} waiting for Redis at ${config.redis.display}\n`);
  // "ready" only once Redis is there: a worker that cannot reach it must not look like it works
  await handle.worker.waitUntilReady().catch(() => undefined);
  if (!stopping) process.stdout.write(`worker ${process.pid} ready (${registry.names().join(', ')})\n`);
}
