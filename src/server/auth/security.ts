import type { RequestHandler, Router } from 'express';
import { auditDeletes } from '../audit/deletes';
import type { AuditLog } from '../audit/repository';
import type { Config } from '../config';
import { authenticate } from './authenticate';
import type { Guards } from './guards';
import type { KeysRepository } from './keys-repository';
import { createOidcVerifier } from './oidc';
import { createGuards } from './policy';
import { createRateLimits, type SendCommand } from './rate-limits';
import { createTokenRouter } from './routes';
import type { AuthService } from './service';
import { createSetupRouter } from './setup-routes';
import type { TokenIssuer } from './tokens';
import type { UsersRepository } from './users-repository';

export interface SecurityDeps {
  config: Config;
  tokens: TokenIssuer;
  users: UsersRepository;
  keys: KeysRepository;
  audit: AuditLog;
  auth: AuthService;
  /**
   * Redis raw command function for shared rate-limit counters, e.g. with the cache's ioredis
   * client: `(...args) => client.call(...args)`. Undefined keeps the counters in memory.
   */
  sendCommand?: SendCommand;
}

export interface Security {
  guards: Guards;
  /** authentication, then the delete audit hook: one middleware for AppDeps.authenticate */
  authenticate: RequestHandler;
  /** POST /token (rate-limited) and /api/setup: mount before authentication */
  publicRouters: Router[];
}

/** Everything station.ts needs from security, built from config in one place. */
export function createSecurity(deps: SecurityDeps): Security {
  const { config } = deps;
  const limits = createRateLimits({ limits: config.rateLimits, sendCommand: deps.sendCommand });
  const external = config.oidc ? createOidcVerifier(config.oidc) : undefined;
  const authn = authenticate({ tokens: deps.tokens, users: deps.users, keys: deps.keys, external });
  const audited = auditDeletes(deps.audit);
  return {
    guards: createGuards({ limits }),
    authenticate: (req, res, next) => authn(req, res, (err?: unknown) => (err ? next(err) : audited(req, res, next))),
    publicRouters: [createTokenRouter(deps.auth, limits.token), createSetupRouter(deps.auth)],
  };
}
