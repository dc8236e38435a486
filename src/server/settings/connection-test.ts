import type { ConnectionResult } from '../../shared/settings';

const TIMEOUT_MS = 3000;

/** Connects once, PINGs and disconnects; no retries, so a wrong address answers within seconds. */
export async function testRedis(url: string): Promise<ConnectionResult> {
  const { Redis } = await import('ioredis'); // only when asked: ioredis is not part of a default start-up
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined); // reported through connect()'s rejection
  try {
    await client.connect();
    const pong = await client.ping();
    const info = await client.info('server').catch(() => '');
    const version = /redis_version:(\S+)/.exec(info)?.[1];
    return { ok: pong === 'PONG', detail: `Redis answered ${pong}${version ? ` (version ${version})` : ''}` };
  } catch (err) {
    return { ok: false, detail: `cannot reach Redis: ${(err as Error).message}` };
  } finally {
    client.disconnect();
  }
}

/** InfluxDB 1.x, 2.x and VictoriaMetrics all answer GET /ping with 204 (2.x: 200/204). */
export async function testInflux(url: string, token?: string): Promise<ConnectionResult> {
  const target = new URL('/ping', url);
  try {
    const res = await fetch(target, {
      signal: AbortSignal.timeout(TIMEOUT_MS),
      headers: token ? { Authorization: `Token ${token}` } : {},
      redirect: 'manual',
    });
    const version = res.headers.get('x-influxdb-version');
    const ok = res.status >= 200 && res.status < 300;
    return { ok, detail: ok ? `answered ${res.status}${version ? ` (InfluxDB ${version})` : ''}` : `answered HTTP ${res.status}` };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { ok: false, detail: `cannot reach ${target.origin}: ${cause ?? (err as Error).message}` };
  }
}
