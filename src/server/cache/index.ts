import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Cache } from './cache';
import { MemoryCache } from './memory-cache';

export type { Cache } from './cache';

/**
 * Redis when configured (even if it is down right now), the in-memory LRU otherwise. The Redis
 * modules load only when configured, to keep ioredis out of a default start-up.
 */
export async function createCache(config: Config, logger: Logger): Promise<Cache> {
  if (!config.redis) return new MemoryCache(config.cache.maxEntries);
  const [{ RedisCache }, { createRedisClient }] = await Promise.all([import('./redis-cache'), import('./redis-client')]);
  return new RedisCache(createRedisClient(config.redis, 'cache', logger), config.redis.prefix, logger);
}
