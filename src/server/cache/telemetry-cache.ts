import type { TelemetryService } from '../telemetry/service';
import type { Cache } from './cache';

const ALL_DEVICES = 'telemetry:all-devices';
const deviceTag = (deviceId: string) => `telemetry:device:${deviceId}`;

/**
 * The tag of a stats key. The telemetry router builds keys as `stats:<device|*>:<from>:<to>`;
 * device ids may contain ':' but the two range parts never do, so the device is what lies
 * between the prefix and the last two separators.
 */
export function statsTag(key: string): string {
  const end = key.lastIndexOf(':', key.lastIndexOf(':') - 1);
  const device = key.slice('stats:'.length, end);
  return device === '*' ? ALL_DEVICES : deviceTag(device);
}

/**
 * Caches GET /api/telemetry/stats (the router's `cachedStats` dep) and keeps it fresh: every
 * stored or deleted reading drops the keys of its device and the all-devices keys. Invalidation is
 * issued synchronously inside the write (before its response is sent), and a miss computes and
 * stores without yielding in between, so a client never reads its own write stale.
 */
export function cacheTelemetryStats(cache: Cache, telemetry: TelemetryService, ttlSeconds: number) {
  const invalidate = (deviceIds: Iterable<string>) => void cache.invalidate([...[...deviceIds].map(deviceTag), ALL_DEVICES]);
  telemetry.onWrite((deviceIds) => invalidate(deviceIds));
  telemetry.onDelete((deviceId) => invalidate([deviceId]));

  const cachedStats = async (key: string, compute: () => unknown): Promise<{ value: unknown; hit: boolean }> => {
    const cacheKey = `telemetry:${key}`;
    const cached = await cache.get(cacheKey);
    if (cached !== undefined) return { value: cached, hit: true };
    const value = compute();
    void cache.setTagged(cacheKey, value, ttlSeconds, [statsTag(key)]);
    return { value, hit: false };
  };

  return { cachedStats, invalidate };
}
