import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import type { Cache, CacheHealth } from './cache';
import { closeRedisClient } from './redis-client';

// Drops every key listed in the tag sets, then the sets. One script, so no write can slip
// between reading a tag's members and deleting them.
const INVALIDATE = `
for _, tag in ipairs(KEYS) do
  local members = redis.call('SMEMBERS', tag)
  for i = 1, #members, 500 do
    redis.call('UNLINK', unpack(members, i, math.min(i + 499, #members)))
  end
  redis.call('UNLINK', tag)
end
return 1`;

/**
 * The Redis cache. Reads and writes fail soft (miss / dropped). An invalidation that could not
 * reach Redis would leave stale answers behind when it comes back, so after any failed
 * invalidation (or any reconnect) the cache serves misses until it has flushed its own keys.
 */
export class RedisCache implements Cache {
  private readonly keyPrefix: string;
  private readonly tagPrefix: string;
  /** true once the cache's keys are known to be consistent with the database */
  private trusted = false;
  private flushing: Promise<void> | undefined;
  private lastError: string | undefined;
  /** the last cache failure logged, so an outage is one log line, not one per request */
  private lastLogged: string | undefined;

  constructor(
    private readonly client: Redis,
    prefix: string,
    private readonly logger: Logger,
  ) {
    this.keyPrefix = `${prefix}:cache:`;
    this.tagPrefix = `${prefix}:cache-tag:`;
    client.on('ready', () => (this.lastLogged = undefined));
    client.on('ready', () => this.flush());
    client.on('close', () => (this.trusted = false));
    client.on('error', (err: Error) => (this.lastError = err.message));
    if (client.status === 'ready') this.flush();
  }

  async get(key: string): Promise<unknown | undefined> {
    if (!this.trusted) return undefined;
    try {
      const text = await this.client.get(this.keyPrefix + key);
      return text === null ? undefined : (JSON.parse(text) as unknown);
    } catch (err) {
      this.failed('read', err);
      return undefined;
    }
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    if (!this.trusted) return;
    await this.client.set(this.keyPrefix + key, JSON.stringify(value), 'EX', ttlSeconds).catch((err: unknown) => this.failed('write', err));
  }

  async del(key: string): Promise<void> {
    try {
      await this.client.unlink(this.keyPrefix + key);
    } catch (err) {
      this.failed('delete', err);
      this.distrust();
    }
  }

  async setTagged(key: string, value: unknown, ttlSeconds: number, tags: readonly string[]): Promise<void> {
    if (!this.trusted) return;
    const k = this.keyPrefix + key;
    const multi = this.client.multi().set(k, JSON.stringify(value), 'EX', ttlSeconds);
    // a tag set outlives its keys a little, so it never forgets a key that is still cached
    for (const tag of tags) multi.sadd(this.tagPrefix + tag, k).expire(this.tagPrefix + tag, ttlSeconds + 60);
    await multi.exec().catch((err: unknown) => this.failed('write', err));
  }

  async invalidate(tags: readonly string[]): Promise<void> {
    if (!tags.length) return;
    try {
      await this.client.eval(INVALIDATE, tags.length, ...tags.map((t) => this.tagPrefix + t));
    } catch (err) {
      this.failed('invalidate', err);
      this.distrust();
    }
  }

  health(): CacheHealth {
    const ok = this.client.status === 'ready';
    return { ok, backend: 'redis', status: this.client.status, consistent: this.trusted, ...(ok ? {} : { error: this.lastError ?? 'not connected' }) };
  }

  async close(): Promise<void> {
    await closeRedisClient(this.client);
  }

  /**
   * A cache operation failed: the request is served without the cache (a miss, or a write that did
   * not happen), and the log says so once per distinct error rather than once per request.
   */
  private failed(op: string, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    if (message === this.lastLogged) return;
    this.lastLogged = message;
    this.logger.warn({ op, err: message }, 'cache operation failed; served without the cache');
  }

  private distrust(): void {
    this.trusted = false;
    if (this.client.status === 'ready') this.flush();
  }

  /** Deletes this station's cache keys (SCAN, never KEYS), then trusts the cache again. */
  private flush(): void {
    this.flushing ??= (async () => {
      try {
        for (const pattern of [`${this.keyPrefix}*`, `${this.tagPrefix}*`]) {
          let cursor = '0';
          do {
            const [next, keys] = await this.client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
            if (keys.length) await this.client.unlink(...keys);
            cursor = next;
          } while (cursor !== '0');
        }
        this.trusted = this.client.status === 'ready';
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'cache flush failed; serving misses until Redis is back');
      } finally {
        this.flushing = undefined;
      }
    })();
  }
}
