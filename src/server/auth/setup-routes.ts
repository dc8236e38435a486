import express, { Router, type Request } from 'express';
import { setupSchema } from '../../shared/users';
import { AppError } from '../http/errors';
import { parseBody, requireContentType } from '../http/validate';
import { actorOf } from './routes';
import type { AuthService } from './service';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/** The desktop UI runs on the same machine; a LAN peer must never win the race to become admin. */
const fromThisMachine = (req: Request) => LOOPBACK.test(req.socket.remoteAddress ?? '');

/**
 * First run of the desktop app: `GET /api/setup` says whether an admin must be created,
 * `POST /api/setup {username, password}` creates it while no user exists (409 afterwards).
 * Public (nobody can sign in yet), hence mounted before authentication, and loopback only.
 */
export function createSetupRouter(auth: AuthService): Router {
  const router = Router();
  router.get('/api/setup', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ needs_admin: auth.needsAdmin() });
  });
  router.post('/api/setup', express.json({ limit: '4kb' }), async (req, res) => {
    if (!fromThisMachine(req)) throw new AppError(403, 'the first admin can only be created from the station machine itself');
    requireContentType(req, 'application/json');
    const input = parseBody(setupSchema, req);
    res.status(201).json(await auth.setupFirstAdmin(input, actorOf(req)));
  });
  return router;
}
