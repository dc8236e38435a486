import { LRUCache } from 'lru-cache';
import type { Cache, CacheHealth } from './cache';

/**
 * The embedded cache: an LRU of JSON strings (bounded in entries, each with its own TTL). Storing
 * strings rather than objects means a caller can never mutate a cached answer in place, and
 * behaviour matches the Redis cache exactly.
 */
export class MemoryCache implements Cache {
  private readonly lru: LRUCache<string, string>;
  private readonly tags = new Map<string, Set<string>>();
  private readonly keyTags = new Map<string, readonly string[]>();

  constructor(maxEntries: number) {
    this.lru = new LRUCache<string, string>({
      max: maxEntries,
      ttlAutopurge: false,
      dispose: (_value, key) => this.untag(key),
    });
  }

  async get(key: string): Promise<unknown | undefined> {
    const text = this.lru.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    this.lru.set(key, JSON.stringify(value), { ttl: ttlSeconds * 1000 });
  }

  async del(key: string): Promise<void> {
    this.lru.delete(key);
  }

  async setTagged(key: string, value: unknown, ttlSeconds: number, tags: readonly string[]): Promise<void> {
    this.lru.set(key, JSON.stringify(value), { ttl: ttlSeconds * 1000 });
    this.keyTags.set(key, tags);
    for (const tag of tags) {
      let keys = this.tags.get(tag);
      if (!keys) this.tags.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  async invalidate(tags: readonly string[]): Promise<void> {
    for (const tag of tags) {
      const keys = this.tags.get(tag);
      if (!keys) continue;
      for (const key of [...keys]) this.lru.delete(key);
      this.tags.delete(tag);
    }
  }

  health(): CacheHealth {
    return { ok: true, backend: 'memory', entries: this.lru.size };
  }

  async close(): Promise<void> {
    this.lru.clear();
    this.tags.clear();
  }

  private untag(key: string): void {
    const tags = this.keyTags.get(key);
    if (!tags) return;
    this.keyTags.delete(key);
    for (const tag of tags) {
      const keys = this.tags.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.tags.delete(tag);
    }
  }
}
