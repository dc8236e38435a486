import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Cache } from './cache';
import { MemoryCache } from './memory-cache';
import { RedisCache } from './redis-cache';
import { createRedisClient } from './redis-client';

export type { Cache, CacheHealth, SimpleCache } from './cache';

/** Redis when configured (even if it is down right now), the in-memory LRU otherwise. */
export function createCache(config: Config, logger: Logger): Cache {
  if (!config.redis) return new MemoryCache(config.cache.maxEntries);
  return new RedisCache(createRedisClient(config.redis, 'cache', logger), config.redis.prefix, logger);
}
