/**
 * What the batch routes need from a cache: the station's cache (src/server/cache, its SimpleCache)
 * satisfies it structurally, so this folder does not depend on that module or its backend.
 */
export interface TrackCache {
  get(key: string): Promise<unknown | undefined>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  del(key: string): Promise<void>;
}
