import type { Request, Router } from 'express';
import { settingsRoutes } from '../../shared/api/settings';
import type { AuditLog } from '../audit/repository';
import type { Guards } from '../auth/guards';
import { createRouteTable } from '../http/route-table';
import { testInflux, testRedis } from './connection-test';
import type { RunningListener, SettingsService } from './service';

export interface SettingsRouterDeps {
  service: SettingsService;
  guards: Guards;
  audit: AuditLog;
  /** the listen address in effect; the port is read from the request's socket (port 0 in tests) */
  host: string;
}

/** GET/PUT /api/settings and POST /api/settings/test (admins only). */
export function createSettingsRouter(deps: SettingsRouterDeps): Router {
  const { service, guards, audit } = deps;
  const running = (req: Request): RunningListener => ({ host: deps.host, port: req.socket.localPort ?? 0 });
  return createRouteTable({ base: '/api/settings', guards, bodyLimit: '16kb', strictJson: true })
    .on(settingsRoutes.get, (_input, req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      return service.view(running(req));
    })
    .on(settingsRoutes.update, ({ body }, req, res) => {
      const changed = service.update(body);
      if (changed.length) {
        audit.record({ actor: req.principal?.subject ?? null, action: 'settings.update', ip: req.ip, detail: { changed } });
      }
      res.setHeader('Cache-Control', 'no-store');
      return service.view(running(req));
    })
    .on(settingsRoutes.testConnection, async ({ body: t }) => (t.kind === 'redis' ? await testRedis(t.url) : await testInflux(t.url, t.token))).router;
}
