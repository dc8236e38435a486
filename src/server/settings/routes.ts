import express, { Router, type Request } from 'express';
import { connectionTestSchema, settingsUpdateSchema } from '../../shared/settings';
import type { AuditLog } from '../audit/repository';
import type { Guards } from '../auth/guards';
import { parseBody, requireContentType } from '../http/validate';
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
  const router = Router();
  const json = express.json({ limit: '16kb', strict: true });
  const running = (req: Request): RunningListener => ({ host: deps.host, port: req.socket.localPort ?? 0 });

  router.get('/', guards.admin, (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(service.view(running(req)));
  });

  router.put('/', guards.admin, json, (req, res) => {
    requireContentType(req, 'application/json');
    const update = parseBody(settingsUpdateSchema, req);
    const changed = service.update(update);
    if (changed.length) {
      audit.record({ actor: req.principal?.subject ?? null, action: 'settings.update', ip: req.ip, detail: { changed } });
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json(service.view(running(req)));
  });

  router.post('/test', guards.admin, json, async (req, res) => {
    requireContentType(req, 'application/json');
    const t = parseBody(connectionTestSchema, req);
    res.json(t.kind === 'redis' ? await testRedis(t.url) : await testInflux(t.url, t.token));
  });

  return router;
}
