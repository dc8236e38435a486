import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, MemoryStore, rateLimit, type Options, type Store } from 'express-rate-limit';
import { LRUCache } from 'lru-cache';
import { RedisStore } from 'rate-limit-redis';
import type { RateLimitConfig } from '../config';
import { problemBody } from '../http/errors';

/** How rate-limit-redis talks to Redis; with ioredis: `(...args) => client.call(...args)`. */
export type SendCommand = (...args: string[]) => Promise<boolean | number | string | (boolean | number | string)[]>;

export interface RateLimits {
  /** /token: failed sign-ins per IP + user name, and per IP; runs after the body is parsed */
  token: RequestHandler;
  /** reads per caller; a no-op when the limit is 0 */
  read: RequestHandler;
  /** ingest per caller; a no-op when the limit is 0 */
  ingest: RequestHandler;
}

export interface RateLimitDeps {
  limits: RateLimitConfig;
  /**
   * When Redis is configured, pass its raw command function: counters then live in Redis and
   * every station process behind the same Redis shares them. Undefined = in-memory counters.
   */
  sendCommand?: SendCommand;
  /** Redis key prefix (REDIS_PREFIX); counters go under `<prefix>:rl:<limiter>:` */
  redisPrefix?: string;
  log?: { warn(obj: object, msg: string): void };
}

const pass: RequestHandler = (_req, _res, next) => next();

/** The client's address, with IPv6 folded to its /56 so one host cannot rotate through addresses. */
const ipOf = (req: Request) => ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');

/** Rate limits key on who is calling when we know it, else on where the request comes from. */
function callerKey(req: Request): string {
  const p = req.principal;
  if (p?.keyId !== undefined) return `key:${p.keyId}`;
  if (p?.userId !== undefined) return `user:${p.userId}`;
  if (p) return `${p.kind}:${p.subject}`;
  return `ip:${ipOf(req)}`;
}

/** The user name or client id a /token request is about (lower-cased, like the users table). */
function signInName(req: Request): string {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const name = body.username ?? body.client_id;
  return typeof name === 'string' ? name.slice(0, 128).toLowerCase() : '';
}

/**
 * rate-limit-redis loads its Lua scripts once, at start; if Redis was not reachable then (the
 * client still connecting, or Redis down), the failed load is kept forever and the limiter never
 * counts again. Here a failure reloads the scripts and retries once: a stale load heals at once,
 * while a Redis that is really down fails fast again and the request passes uncounted.
 */
class SelfHealingRedisStore extends RedisStore {
  override async increment(key: string) {
    try {
      return await super.increment(key);
    } catch {
      this.reloadScripts();
      return super.increment(key);
    }
  }

  override async get(key: string) {
    try {
      return await super.get(key);
    } catch {
      this.reloadScripts();
      return super.get(key);
    }
  }

  private reloadScripts(): void {
    this.incrementScriptSha = this.loadIncrementScript();
    this.getScriptSha = this.loadGetScript();
    // observed by the retry; a failure here must not also surface as an unhandled rejection
    this.incrementScriptSha.catch(() => undefined);
    this.getScriptSha.catch(() => undefined);
  }
}

function storeFor(name: string, deps: RateLimitDeps): Store {
  // Each limiter needs its own store (express-rate-limit refuses a shared one): the prefix keeps
  // their Redis keys apart.
  const prefix = `${deps.redisPrefix ?? 'oilfield'}:rl:${name}:`;
  return deps.sendCommand ? new SelfHealingRedisStore({ sendCommand: deps.sendCommand, prefix }) : new MemoryStore();
}

/** Store errors (Redis down) are logged once per distinct message, not once per request. */
function storeLogger(log: RateLimitDeps['log']): Options['logger'] {
  let last = '';
  const error = (err: unknown, message?: string) => {
    const text = err instanceof Error ? err.message : String(err);
    if (text === last) return;
    last = text;
    if (log) log.warn({ err: text }, message ?? 'rate limit store error; requests pass uncounted');
  };
  return { error, warn: error };
}

/** 429 as a problem body; /token callers also find the OAuth2 `error` fields they look for. */
function tooMany(oauth: boolean): Options['handler'] {
  return (req: Request, res: Response, _next, options) => {
    const resetTime = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
    const seconds = Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now() + options.windowMs) - Date.now()) / 1000));
    const detail = `too many requests; try again in ${seconds} s`;
    res.setHeader('Retry-After', String(seconds));
    res.setHeader('Cache-Control', 'no-store');
    const extra = oauth ? { error: 'too_many_requests', error_description: detail } : {};
    res
      .status(429)
      .type('application/problem+json')
      .send(JSON.stringify(problemBody(429, detail, extra)));
  };
}

function limiter(name: string, deps: RateLimitDeps, limit: number, o: Partial<Options> & { oauth?: boolean }): RequestHandler {
  const { oauth = false, ...options } = o;
  return rateLimit({
    windowMs: deps.limits.windowMs,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: name,
    store: storeFor(name, deps),
    logger: storeLogger(deps.log),
    handler: tooMany(oauth),
    // Redis down must not lock every device out of a wellsite station: count nothing and serve.
    passOnStoreError: true,
    ...options,
  });
}

/** How long a successful sign-in exempts its (address, user name) pair from the per-address limit. */
const KNOWN_SIGN_IN_MS = 30 * 24 * 3600 * 1000;

/**
 * The station's rate limits. Only failed sign-ins count on /token (password guessing is what it
 * stops; a script that signs in correctly every minute is not an attacker), so the 11th wrong
 * password within a window is refused even when it would have been right.
 *
 * Two counters: failures per address and user name (guessing one account's password), and
 * failures per address whatever the name (spraying many accounts). The per-address one would let
 * a neighbour behind the same address lock the engineer out by spraying, so a user name that has
 * signed in correctly from that address before is exempt from it (the "device cookie" of OWASP's
 * credential-stuffing advice, kept per address here: the API has no cookies). Its own counter
 * still stops guessing its password.
 */
export function createRateLimits(deps: RateLimitDeps): RateLimits {
  const { limits } = deps;
  const perUser = limiter('token', deps, limits.token, {
    oauth: true,
    skipSuccessfulRequests: true,
    keyGenerator: (req) => `${ipOf(req)}|${signInName(req)}`,
  });
  const perIp = limiter('token-ip', deps, limits.tokenPerIp, { oauth: true, skipSuccessfulRequests: true, keyGenerator: (req) => ipOf(req) });
  const known = new LRUCache<string, true>({ max: 10_000, ttl: KNOWN_SIGN_IN_MS });
  return {
    token: (req, res, next) => {
      const name = signInName(req);
      const pair = `${ipOf(req)}|${name}`;
      res.on('finish', () => {
        if (res.statusCode === 200 && name) known.set(pair, true);
      });
      if (name && known.has(pair)) return perUser(req, res, next);
      perIp(req, res, (err?: unknown) => (err ? next(err) : perUser(req, res, next)));
    },
    read: limits.read > 0 ? limiter('read', deps, limits.read, { keyGenerator: callerKey }) : pass,
    ingest: limits.ingest > 0 ? limiter('ingest', deps, limits.ingest, { keyGenerator: callerKey }) : pass,
  };
}
