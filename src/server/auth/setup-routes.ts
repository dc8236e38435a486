import type { Request, RequestHandler, Router } from 'express';
import { accountRoutes } from '../../shared/api/accounts';
import { AppError } from '../http/errors';
import { createRouteTable } from '../http/route-table';
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
  const loopbackOnly: RequestHandler = (req, _res, next) =>
    next(fromThisMachine(req) ? undefined : new AppError(403, 'the first admin can only be created from the station machine itself'));
  return createRouteTable({ base: '', bodyLimit: '4kb' })
    .on(accountRoutes.setupStatus, (_input, _req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      return { needs_admin: auth.needsAdmin() };
    })
    .on(accountRoutes.setup, ({ body }, req) => auth.setupFirstAdmin(body, actorOf(req)), { before: [loopbackOnly] }).router;
}
