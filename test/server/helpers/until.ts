import { vi } from 'vitest';

/**
 * Polls `fn` until `ok` holds (the forwarder and InfluxDB catch up in the background), with
 * vi.waitFor; a timeout fails with the last value seen. A bound on waiting, not an assertion on time.
 */
export function until<T>(what: string, fn: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  return vi.waitFor(
    async () => {
      const v = await fn();
      if (!ok(v)) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 500)}`);
      return v;
    },
    { timeout: timeoutMs, interval: 100 },
  );
}
