import type { Router } from 'express';
import { stationRoutes } from '../shared/api/station';
import type { Db } from './db/open';
import { createRouteTable } from './http/route-table';

/** A component /health reports on; `detail` must never carry secrets (URLs with passwords, keys). */
export type HealthCheck = () => { ok: boolean; [k: string]: unknown } | Promise<{ ok: boolean; [k: string]: unknown }>;

export function createHealthRouter(db: Db, version: string, checks: Record<string, HealthCheck> = {}): Router {
  const started = Date.now();
  const ping = db.prepare('SELECT 1');
  const table = createRouteTable({ base: '', bodyLimit: '1kb' });
  table.on(stationRoutes.health, async (_input, _req, res) => {
    let dbOk = true;
    try {
      ping.get();
    } catch {
      dbOk = false;
    }
    const components: Record<string, unknown> = { db: { ok: dbOk } };
    for (const [name, check] of Object.entries(checks)) {
      try {
        components[name] = await check();
      } catch (err) {
        components[name] = { ok: false, error: (err as Error).message };
      }
    }
    res.setHeader('Cache-Control', 'no-store');
    res.status(dbOk ? 200 : 503);
    return {
      status: dbOk ? 'ok' : 'degraded',
      version,
      uptime_s: Math.round((Date.now() - started) / 1000),
      database: dbOk ? 'ok' : 'unavailable',
      ...components,
    };
  });
  return table.router;
}
