import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { RouteDef, RouteInput } from '../../shared/api/route';
import type { Guards } from '../auth/guards';
import { AppError } from './errors';
import { parse, requireContentType } from './validate';

/**
 * What a handler returns: the success body (sent as JSON with the route's status), or nothing when
 * it has answered itself (a stream, a CSV, a status chosen at run time with `res.status().json()`).
 */
type Handler<R extends RouteDef> = (input: RouteInput<R>, req: Request, res: Response) => unknown;

export interface RouteTable {
  router: Router;
  /** Mounts one declared route: its guard, its validation, then the handler. */
  on<R extends RouteDef>(route: R, handler: Handler<R>, options?: RouteOptions<R>): RouteTable;
  /** The middleware a mounted route runs (guard, parsers, handler), for a lane that skips the router (http/fast-lane.ts). */
  chainOf(route: RouteDef): RequestHandler[];
}

interface RouteOptions<R extends RouteDef> {
  /** middleware between the guard and validation (body parsers of other media types, a limiter, a locality check) */
  before?: RequestHandler[];
  /** a faster parse of the body with the same rules, for a hot path; it may defer to the schema */
  parseBody?: (raw: unknown) => RouteInput<R>['body'];
}

interface RouteTableOptions {
  /** where the station mounts this router (`/api/oil`); declared paths start with it */
  base: string;
  /** the policy's guards; a table of public routes only (health, sign-in) needs none */
  guards?: Pick<Guards, 'read' | 'user' | 'admin' | 'ingest'>;
  /** the JSON body limit (BODY_LIMIT) */
  bodyLimit: string;
  /** only objects and arrays at the top of a JSON body (a bare string is a 400) */
  strictJson?: boolean;
}

const open: RequestHandler = (_req, _res, next) => next();
const signedIn: RequestHandler = (req, _res, next) => next(req.principal ? undefined : new AppError(401, 'not signed in'));

function guardOf(guards: RouteTableOptions['guards'], route: RouteDef): RequestHandler {
  if (route.access === 'public') return open;
  if (route.access === 'signed-in') return signedIn;
  if (!guards) throw new Error(`${route.method.toUpperCase()} ${route.path} needs the ${route.access} guard`);
  return guards[route.access];
}

/** `/api/oil/batches/{batch_id}` under `/api/oil` -> `/batches/:batch_id`. */
function localPath(base: string, path: string): string {
  if (!path.startsWith(base)) throw new Error(`${path} is not under ${base}`);
  return (path.slice(base.length) || '/').replace(/\{(\w+)\}/g, ':$1');
}

/** A path value that cannot be an id names nothing: 404 with the value, like an unknown id. */
function parseParams(route: RouteDef, req: Request): unknown {
  if (!route.params) return undefined;
  const result = route.params.safeParse({ ...req.params });
  if (result.success) return result.data;
  const value = Object.values(req.params)[0] ?? '';
  throw new AppError(404, `${route.resource ?? 'resource'} ${JSON.stringify(String(value)).slice(0, 70)} not found`);
}

/** A router whose routes are the shared declarations, so validation and the document cannot drift apart. */
export function createRouteTable(options: RouteTableOptions): RouteTable {
  const router = Router();
  const json = express.json({ limit: options.bodyLimit, strict: options.strictJson ?? false });
  const chains = new Map<RouteDef, RequestHandler[]>();
  const table: RouteTable = {
    router,
    chainOf(route) {
      const chain = chains.get(route);
      if (!chain) throw new Error(`${route.method.toUpperCase()} ${route.path} is not mounted here`);
      return chain;
    },
    on(route, handler, routeOptions) {
      const chain: RequestHandler[] = [guardOf(options.guards, route), ...(routeOptions?.before ?? [])];
      if (route.body) chain.push(json);
      chain.push(async (req, res) => {
        const params = parseParams(route, req);
        const query = route.query ? parse(route.query, { ...req.query }, 'query') : undefined;
        let body: unknown;
        if (route.body) {
          requireContentType(req, 'application/json');
          body = routeOptions?.parseBody ? routeOptions.parseBody(req.body) : parse(route.body, req.body, 'body');
        }
        // the declared status, unless the handler chooses another (a duplicate's 200, a 207)
        res.status(route.status ?? 200);
        const result = await handler({ params, query, body } as RouteInput<typeof route>, req, res);
        if (res.headersSent) return;
        if (result !== undefined) res.json(result);
        else if (res.statusCode === 204) res.end();
      });
      router[route.method](localPath(options.base, route.path), ...chain);
      chains.set(route, chain);
      return table;
    },
  };
  return table;
}

/** Runs a body parser inside a handler, for routes that pick their parser by media type. */
export function runMiddleware(middleware: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => middleware(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
}
