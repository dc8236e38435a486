import express, { Router, type ErrorRequestHandler, type Request } from 'express';
import { z } from 'zod';
import { createKeySchema, createUserSchema, updateUserSchema } from '../../shared/users';
import type { Guards } from './guards';
import { AppError } from '../http/errors';
import { parseBody, parseId, requireContentType } from '../http/validate';
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
  const router = Router();
  const parsers = [express.urlencoded({ extended: false, limit: '8kb' }), express.json({ limit: '8kb' })];
  // The limiter runs after the parsers: it keys on the user name in the body.
  router.post('/token', ...parsers, ...(limiter ? [limiter] : []), async (req, res) => {
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
    if (g.grant_type === 'password') return void res.json(await auth.passwordGrant(g.username, g.password, req.ip));
    const basic = basicAuth(req);
    const id = g.client_id ?? basic?.id;
    const secret = g.client_secret ?? basic?.secret;
    if (!id || !secret) throw new OAuthError(401, 'invalid_client', 'client_id and client_secret are required');
    res.json(auth.clientCredentialsGrant(id, secret, req.ip));
  });
  const oauthErrors: ErrorRequestHandler = (err, _req, res, next) => {
    if (!(err instanceof OAuthError)) return next(err);
    if (err.status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="smart-oilfield"');
    res.status(err.status).json({ error: err.error, error_description: err.description, detail: err.description });
  };
  router.use('/token', oauthErrors);
  return router;
}

/** /api/me, /api/users, /api/keys. */
export function createAccountsRouter(auth: AuthService, guards: Guards): Router {
  const router = Router();
  const json = express.json({ limit: '16kb' });

  router.get('/me', (req, res) => {
    const p = req.principal;
    if (!p) throw new AppError(401, 'not signed in');
    res.json({ kind: p.kind, subject: p.subject, role: p.role, user_id: p.userId ?? null, key_id: p.keyId ?? null, devices: p.devices ?? null });
  });

  // Signing out ends the token it is called with; the client forgets it too.
  router.post('/sign-out', (req, res) => {
    const p = req.principal;
    if (!p) throw new AppError(401, 'not signed in');
    if (!p.token) throw new AppError(400, 'only a token this station issued can be signed out (API keys are revoked by an admin)');
    auth.signOut(p.token, actorOf(req));
    res.status(204).end();
  });

  router.get('/users', guards.admin, (_req, res) => void res.json(auth.listUsers()));
  router.post('/users', guards.admin, json, async (req, res) => {
    requireContentType(req, 'application/json');
    res.status(201).json(await auth.createUser(parseBody(createUserSchema, req), actorOf(req)));
  });
  router.patch('/users/:id', guards.admin, json, async (req, res) => {
    requireContentType(req, 'application/json');
    res.json(await auth.updateUser(parseId(req.params.id, 'user'), parseBody(updateUserSchema, req), actorOf(req)));
  });

  router.get('/keys', guards.admin, (_req, res) => void res.json(auth.listKeys()));
  router.post('/keys', guards.admin, json, (req, res) => {
    requireContentType(req, 'application/json');
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(auth.createKey(parseBody(createKeySchema, req), actorOf(req)));
  });
  router.delete('/keys/:id', guards.admin, (req, res) => {
    auth.revokeKey(parseId(req.params.id, 'API key'), actorOf(req));
    res.status(204).end();
  });
  return router;
}
