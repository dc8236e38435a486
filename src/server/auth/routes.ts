import express, { type ErrorRequestHandler, type Request, type Router } from 'express';
import { z } from 'zod';
import { accountRoutes } from '../../shared/api/accounts';
import type { Guards } from './guards';
import { AppError } from '../http/errors';
import { createRouteTable } from '../http/route-table';
import { requireContentType } from '../http/validate';
import { OAuthError, type Actor, type AuthService } from './service';

export const actorOf = (req: Request): Actor => ({ name: req.principal?.subject ?? null, userId: req.principal?.userId, ip: req.ip });

const grantSchema = z.discriminatedUnion('grant_type', [
  z.object({ grant_type: z.literal('password'), username: z.string().min(1).max(128), password: z.string().min(1).max(256), scope: z.string().optional() }),
  z.object({
    grant_type: z.literal('client_credentials'),
    client_id: z.string().min(1).max(128).optional(),
    client_secret: z.string().min(1).max(256).optional(),
    scope: z.string().optional(),
  }),
]);

/** Credentials of a client_credentials grant may also come as HTTP Basic (RFC 6749 2.3.1). */
function basicAuth(req: Request): { id: string; secret: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return undefined;
  const [id, ...rest] = Buffer.from(m[1]!, 'base64').toString().split(':');
  if (!id || !rest.length) return undefined;
  // both parts may be percent-encoded (RFC 6749 2.3.1); a broken escape is the client's fault, not a 500
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw new OAuthError(400, 'invalid_request', 'the Basic credentials are not valid form encoding (a % must start an escape like %3A)');
    }
  };
  return { id: decode(id), secret: decode(rest.join(':')) };
}

/** POST /token, the OAuth2 token endpoint (form or JSON); answers OAuth2 error bodies. */
export function createTokenRouter(auth: AuthService, limiter?: express.RequestHandler): Router {
  const parsers = [express.urlencoded({ extended: false, limit: '8kb' }), express.json({ limit: '8kb' })];
  // The limiter runs after the parsers: it keys on the user name in the body.
  const table = createRouteTable({ base: '', bodyLimit: '8kb' }).on(
    accountRoutes.token,
    async (_input, req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      requireContentType(req, 'application/x-www-form-urlencoded', 'application/json');
      const body = { grant_type: 'password', ...(req.body as object) } as Record<string, unknown>;
      const parsed = grantSchema.safeParse(body);
      if (!parsed.success) {
        const unsupported = typeof body.grant_type === 'string' && !['password', 'client_credentials'].includes(body.grant_type);
        throw unsupported
          ? new OAuthError(400, 'unsupported_grant_type', `grant_type ${String(body.grant_type).slice(0, 40)} is not supported`)
          : new OAuthError(400, 'invalid_request', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      }
      const g = parsed.data;
      if (g.grant_type === 'password') return auth.passwordGrant(g.username, g.password, req.ip);
      const basic = basicAuth(req);
      const id = g.client_id ?? basic?.id;
      const secret = g.client_secret ?? basic?.secret;
      if (!id || !secret) throw new OAuthError(401, 'invalid_client', 'client_id and client_secret are required');
      return auth.clientCredentialsGrant(id, secret, req.ip);
    },
    { before: [...parsers, ...(limiter ? [limiter] : [])] },
  );
  const oauthErrors: ErrorRequestHandler = (err, _req, res, next) => {
    if (!(err instanceof OAuthError)) return next(err);
    if (err.status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="smart-oilfield"');
    res.status(err.status).json({ error: err.error, error_description: err.description, detail: err.description });
  };
  table.router.use('/token', oauthErrors);
  return table.router;
}

/** /api/me, /api/sign-out, /api/users, /api/keys. */
export function createAccountsRouter(auth: AuthService, guards: Guards): Router {
  const routes = accountRoutes;
  return createRouteTable({ base: '/api', guards, bodyLimit: '16kb' })
    .on(routes.me, (_input, req) => {
      const p = req.principal!;
      return { kind: p.kind, subject: p.subject, role: p.role, user_id: p.userId ?? null, key_id: p.keyId ?? null, devices: p.devices ?? null };
    })
    .on(routes.signOut, (_input, req) => {
      // Signing out ends the token it is called with; the client forgets it too.
      const p = req.principal!;
      if (!p.token) throw new AppError(400, 'only a token this station issued can be signed out (API keys are revoked by an admin)');
      auth.signOut(p.token, actorOf(req));
    })
    .on(routes.users, () => auth.listUsers())
    .on(routes.createUser, ({ body }, req) => auth.createUser(body, actorOf(req)))
    .on(routes.updateUser, ({ params, body }, req) => auth.updateUser(params.id, body, actorOf(req)))
    .on(routes.keys, () => auth.listKeys())
    .on(routes.createKey, ({ body }, req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      return auth.createKey(body, actorOf(req));
    })
    .on(routes.revokeKey, ({ params }, req) => {
      auth.revokeKey(params.id, actorOf(req));
    }).router;
}
