import type { RequestHandler, Router } from 'express';
import type { Redis } from 'ioredis';
import type { AuditLog } from '../audit/repository';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { authenticate } from './authenticate';
import type { Guards } from './guards';
import type { KeysRepository } from './keys-repository';
import { createGuards } from './policy';
import { createRateLimits, type SendCommand } from './rate-limits';
import type { RevokedTokens } from './revoked-tokens';
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
  revoked: RevokedTokens;
  audit: AuditLog;
  auth: AuthService;
  logger: Logger;
  /**
   * Redis raw command function for shared rate-limit counters. Default: a client of its own when
   * Redis is configured (REDIS_URL/HOST/PORT), in-memory counters otherwise.
   */
  sendCommand?: SendCommand;
}

export interface Security {
  guards: Guards;
  /** sets req.principal (AppDeps.authenticate) */
  authenticate: RequestHandler;
  /** POST /token (rate-limited) and /api/setup: mount before authentication */
  publicRouters: Router[];
  /** closes the rate limiter's Redis connection, if any */
  close(): Promise<void>;
}

/**
 * Everything station.ts needs from security, built from config in one place. The Redis client and
 * the OIDC verifier (jose) load only when configured, to keep them out of a default start-up.
 */
export async function createSecurity(deps: SecurityDeps): Promise<Security> {
  const { config, logger } = deps;
  // 'cache' role: no offline queue, so with Redis down a request passes uncounted at once
  // instead of waiting; the counters come back by themselves when Redis does.
  let redis: Redis | undefined;
  let closeRedis = async () => {};
  if (!deps.sendCommand && config.redis) {
    const { createRedisClient, closeRedisClient } = await import('../cache/redis-client');
    const client = createRedisClient(config.redis, 'cache', logger);
    redis = client;
    closeRedis = () => closeRedisClient(client);
  }
  const sendCommand: SendCommand | undefined =
    deps.sendCommand ?? (redis && ((...args: string[]) => redis.call(args[0]!, ...args.slice(1)) as ReturnType<SendCommand>));
  const limits = createRateLimits({ limits: config.rateLimits, sendCommand, redisPrefix: config.redis?.prefix, log: logger });
  const external = config.oidc ? (await import('./oidc')).createOidcVerifier(config.oidc) : undefined;
  const authn = authenticate({ tokens: deps.tokens, users: deps.users, keys: deps.keys, revoked: deps.revoked, external });
  return {
    guards: createGuards({ limits }),
    authenticate: authn,
    publicRouters: [createTokenRouter(deps.auth, limits.token), createSetupRouter(deps.auth)],
    close: closeRedis,
  };
}
