import { Redis, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '../config';
import type { Logger } from '../logger';

export type RedisRole = 'cache' | 'queue' | 'worker' | 'events';

/**
 * One place that knows how the station talks to Redis. Every client connects in the background
 * with a bounded connect timeout and keeps reconnecting (capped back-off) for as long as the
 * station runs, so Redis can be started after the station, or restarted under it.
 *
 * - cache: no offline queue, short command timeout, no replay: a command that cannot run now
 *   fails at once and the cache treats it as a miss.
 * - queue (producer): no offline queue, so adding a job while Redis is down fails fast and the
 *   station can run the task locally instead.
 * - worker/events: what BullMQ requires for blocking connections (`maxRetriesPerRequest: null`).
 */
export function createRedisClient(config: RedisConfig, role: RedisRole, logger: Logger): Redis {
  const base: RedisOptions = {
    connectTimeout: config.connectTimeoutMs,
    connectionName: `oilfield-${role}`,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    lazyConnect: false,
  };
  const byRole: Record<RedisRole, RedisOptions> = {
    cache: {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: Math.min(config.connectTimeoutMs, 1000),
      autoResendUnfulfilledCommands: false,
    },
    queue: { enableOfflineQueue: false, maxRetriesPerRequest: null },
    worker: { enableOfflineQueue: true, maxRetriesPerRequest: null },
    events: { enableOfflineQueue: true, maxRetriesPerRequest: null },
  };
  const client = new Redis(config.url, { ...base, ...byRole[role] });
  let lastError = '';
  client.on('error', (err: Error) => {
    // ioredis repeats the same error on every reconnect attempt; log each distinct one once
    if (err.message !== lastError) logger.warn({ redis: config.display, role, err: err.message }, 'redis unavailable');
    lastError = err.message;
  });
  client.on('ready', () => {
    if (lastError) logger.info({ redis: config.display, role }, 'redis connection restored');
    lastError = '';
  });
  return client;
}

/** Closes a client without waiting on a server that may be gone. */
export async function closeRedisClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') return void client.disconnect();
  await Promise.race([client.quit().catch(() => client.disconnect()), new Promise((r) => setTimeout(r, 1000).unref())]);
  client.disconnect();
}
