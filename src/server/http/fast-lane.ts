import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, Express, Request, RequestHandler, Response } from 'express';

/** One route taken past Express's router: its exact method and path, and every middleware it runs, in order. */
export interface FastLane {
  method: 'POST' | 'GET' | 'PUT' | 'PATCH' | 'DELETE';
  /** matched against the whole request target: a query string sends the request the long way */
  path: string;
  chain: RequestHandler[];
}

/**
 * A request listener for the station's server: requests for the lane's route run straight through
 * its middleware chain; everything else goes to the app.
 *
 * Why: `POST /api/telemetry` is what a field of devices calls thousands of times a second, and
 * through the app a request walks every earlier layer (health, sign-in, setup, docs, the InfluxDB
 * write routes, three /api/telemetry/... routers), each a path match and a closure in Express's
 * router, before its own. A CPU profile of a station under `wrk` put the router and Express at
 * ~14 % of busy time; with the lane, CPU per request fell by about a fifth (docs/PERFORMANCE.md).
 * The lane runs the very middleware instances the app runs for that request, in the same order,
 * with the same request and response objects (the prototypes `app.handle` gives them), so answers
 * are the same: test/server/fast-lane.test.ts sends the same requests both ways and compares them.
 */
export function withFastLane(app: Express, lane: FastLane, handlers: { notFound: RequestHandler; error: ErrorRequestHandler }): RequestListener {
  return (req, res) => {
    if (req.method !== lane.method || req.url !== lane.path) return void app(req, res);
    const request = asExpress(app, req, res);
    runChain(lane.chain, request, request.res!, handlers);
  };
}

/** What `app.handle` and the router do to a request before the first middleware. */
function asExpress(app: Express, req: IncomingMessage, res: ServerResponse): Request {
  Object.setPrototypeOf(req, app.request);
  Object.setPrototypeOf(res, app.response);
  const request = req as Request;
  const response = res as Response;
  request.res = response;
  response.req = request;
  response.locals = Object.create(null) as Response['locals'];
  request.originalUrl = req.url!;
  request.baseUrl = '';
  request.params = {};
  return request;
}

/**
 * Express 5's rules for one flat chain: `next()` runs the next middleware, `next(err)` or a throw
 * or a rejected promise goes to the error handler, and a chain that ends without answering is a 404.
 * `next('route')` has no other route to go to here, so it is a 404 as well.
 */
function runChain(chain: RequestHandler[], req: Request, res: Response, handlers: { notFound: RequestHandler; error: ErrorRequestHandler }): void {
  let index = 0;
  const fail = (err: unknown): void => void handlers.error(err, req, res, () => {});
  const next = (err?: unknown): void => {
    if (err === 'route' || err === 'router') return void handlers.notFound(req, res, fail);
    if (err !== undefined && err !== null) return void fail(err);
    const middleware = chain[index++];
    if (!middleware) return void handlers.notFound(req, res, fail);
    try {
      // Express 5 handlers may be async: a rejection is an error like a throw
      const result = middleware(req, res, next) as unknown;
      if (result instanceof Promise) result.catch(fail);
    } catch (thrown) {
      fail(thrown);
    }
  };
  next();
}
