import { ConfigError, loadConfig } from '../config';
import { createRedisClient, closeRedisClient } from '../cache/redis-client';
import { migrate } from '../db/migrate';
import { closeDatabase, openDatabase } from '../db/open';
import { createLogger } from '../logger';
import { startBullWorker } from './bull-worker';
import { ALL_JOBS } from './export-job';
import { JobRegistry } from './registry';
import { JobStore } from './store';

/**
 * `npm run worker`: a BullMQ worker process beside the station, on the same host and database
 * (it reads telemetry and records task state in the same SQLite file). SIGTERM/SIGINT stop taking
 * jobs and let the running ones finish; after WORKER_SHUTDOWN_TIMEOUT_MS they are handed back.
 */
export async function workerCommand(): Promise<void> {
  const config = loadConfig();
  if (!config.redis) throw new ConfigError('the worker needs Redis: set REDIS_URL (or REDIS_HOST / REDIS_PORT) to the station’s Redis');
  const logger = createLogger(config.logLevel, config.logPretty).child({ component: 'worker', pid: process.pid });
  const db = openDatabase(config.databasePath);
  migrate(db);
  const registry = new JobRegistry(ALL_JOBS);
  const store = new JobStore(db);
  const connection = createRedisClient(config.redis, 'worker', logger);
  const handle = startBullWorker({ store, registry, config, logger }, connection, {
    prefix: config.redis.prefix,
    concurrency: config.jobs.workerConcurrency,
    lockMs: config.jobs.lockMs,
    logger,
  });
  logger.info({ redis: config.redis.display, jobs: registry.names(), concurrency: config.jobs.workerConcurrency }, 'worker started');
  process.stdout.write(`worker ${process.pid} ready (${registry.names().join(', ')})\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker stopping: finishing the running jobs');
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
}
