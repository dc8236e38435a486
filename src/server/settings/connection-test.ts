import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ConnectionResult } from '../../shared/settings';

/** The whole test, connect and answer included, ends within this time. */
const TIMEOUT_MS = 3000;

/**
 * Every failure is one short sentence with the same wording whatever the network did (refused,
 * filtered, reset, no such host): the test tells an admin whether the service is there, and
 * is not a port scanner for the LAN. What the target answered never goes back to the caller.
 */
const unreachable = (what: string, target: string): ConnectionResult => ({ ok: false, detail: `no ${what} answered at ${target}` });

/** Rejects after `ms`; the caller closes whatever it opened in its `finally`. */
function withinTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Connects once, PINGs and disconnects; no retries, so a wrong address answers within seconds.
 * The URL is taken apart here and ioredis gets host, port and credentials only: given the URL
 * itself it would also honour options in the query string (`?path=/x.sock` opens a Unix socket).
 */
export async function testRedis(url: string): Promise<ConnectionResult> {
  const u = new URL(url);
  const target = `${u.hostname}:${u.port || 6379}`;
  const { Redis } = await import('ioredis'); // only when asked: ioredis is not part of a default start-up
  const client = new Redis({
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: Number(u.pathname.slice(1) || 0),
    tls: u.protocol === 'rediss:' ? { servername: u.hostname } : undefined,
    lazyConnect: true,
    // connected means connected: the PING below is the check (a ready check that never
    // answers would leave the client between states, where disconnect() does not close)
    enableReadyCheck: false,
    connectTimeout: TIMEOUT_MS,
    commandTimeout: TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined); // reported through connect()'s rejection
  try {
    const pong = await withinTimeout(
      client.connect().then(() => client.ping()),
      TIMEOUT_MS,
    );
    if (pong !== 'PONG') return { ok: false, detail: `the server at ${target} did not answer like Redis` };
    const info = await withinTimeout(client.info('server'), 1000).catch(() => '');
    const version = /redis_version:([0-9.]{1,20})/.exec(info)?.[1];
    return { ok: true, detail: `Redis answered at ${target}${version ? ` (version ${version})` : ''}` };
  } catch (err) {
    const message = (err as Error).message;
    if (/NOAUTH|WRONGPASS|invalid password|invalid username/i.test(message)) return { ok: false, detail: `Redis at ${target} refused the credentials` };
    return unreachable('Redis', target);
  } finally {
    client.disconnect();
  }
}

/**
 * InfluxDB 1.x, 2.x and VictoriaMetrics all answer GET /ping with 204 (2.x: 200/204). One request
 * on a connection of its own (no keep-alive pool), destroyed when the test ends whatever happened:
 * fetch's pool kept a connection to a silent listener open after the timeout.
 */
export function testInflux(url: string, token?: string): Promise<ConnectionResult> {
  const target = new URL('/ping', url);
  const where = target.host;
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send(target, { agent: false, timeout: TIMEOUT_MS, headers: token ? { Authorization: `Token ${token}` } : {} }, (res) => {
      const status = res.statusCode ?? 0;
      const version = String(res.headers['x-influxdb-version'] ?? '').slice(0, 20);
      req.destroy();
      if (status >= 200 && status < 300) resolve({ ok: true, detail: `InfluxDB answered at ${where}${version ? ` (version ${version})` : ''}` });
      else resolve({ ok: false, detail: `the server at ${where} answered HTTP ${status}, not like InfluxDB` });
    });
    const giveUp = setTimeout(() => req.destroy(new Error('timed out')), TIMEOUT_MS);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', () => resolve(unreachable('InfluxDB', where)));
    req.on('close', () => clearTimeout(giveUp));
    req.end();
  });
}
