/**
 * The station's cache. Values are JSON (what HTTP handlers send anyway), so the in-memory and the
 * Redis implementations behave the same. A cache never throws: when its backend is unavailable a
 * read is a miss and a write is dropped, because a cache outage must not become an API outage.
 */
export interface Cache {
  /** undefined on a miss (or when the backend is down) */
  get(key: string): Promise<unknown | undefined>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  del(key: string): Promise<void>;
  /** like set, and remembers the key under each tag so `invalidate(tag)` can drop it */
  setTagged(key: string, value: unknown, ttlSeconds: number, tags: readonly string[]): Promise<void>;
  /** drops every key stored under any of the tags */
  invalidate(tags: readonly string[]): Promise<void>;
  health(): CacheHealth;
  close(): Promise<void>;
}

export interface CacheHealth {
  ok: boolean;
  backend: 'memory' | 'redis';
  [k: string]: unknown;
}
