import { existsSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import { join } from 'node:path';
import express, { type Express, type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import swaggerUiPath from 'swagger-ui-dist/absolute-path.js';
import type { Logger } from './logger';
import { errorHandler, notFoundHandler } from './http/errors';
import { withFastLane, type FastLane } from './http/fast-lane';
import { requestLog } from './http/request-log';

export interface AppDeps {
  logger: Logger;
  /** sets req.principal; runs before every router */
  authenticate: RequestHandler;
  /** routers that need no credentials (health, /token); mounted before authentication */
  publicRouters: Router[];
  /** routers mounted at the root after authentication, each with its own guards (e.g. /write) */
  rootRouters: Router[];
  /** routers mounted under /api, by path */
  apiRouters: Record<string, Router>;
  openApiDocument: () => object;
  rendererDir?: string;
  corsOrigins: string[];
  /** refuses requests whose Host header names something other than this station (DNS rebinding) */
  hostCheck: RequestHandler;
  /** one route (single-reading ingest) taken past the router, with the chain its router runs (http/fast-lane.ts) */
  fastLane?: FastLane;
}

/**
 * Express wiring only: middleware order, routers, the UI, errors. The result is the server's
 * request listener: the app, or the app behind a fast lane for the hottest route.
 */
export function createApp(deps: AppDeps): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  // what every request gets before any route: the fast lane runs these too, so add such middleware here
  const everyRequest = [requestLog(deps.logger), deps.hostCheck, securityHeaders(), cors(deps.corsOrigins)];
  app.use(...everyRequest);

  for (const router of deps.publicRouters) app.use(router);
  app.get('/openapi.json', (_req, res) => void res.json(deps.openApiDocument()));
  mountDocs(app);

  app.use(deps.authenticate);
  for (const router of deps.rootRouters) app.use(router);
  for (const [path, router] of Object.entries(deps.apiRouters)) app.use(`/api${path}`, router);

  app.use('/api', notFoundHandler);
  if (deps.rendererDir && existsSync(join(deps.rendererDir, 'index.html'))) mountRenderer(app, deps.rendererDir);
  app.use(notFoundHandler);
  const onError = errorHandler(deps.logger);
  app.use(onError);
  if (!deps.fastLane) return app;
  // the lane's route runs what the app would run for it: the common middleware, authentication
  // (nothing between them matches the route), then the route's own chain
  const chain = [...everyRequest, deps.authenticate, ...deps.fastLane.chain];
  return withFastLane(app, { ...deps.fastLane, chain }, { notFound: notFoundHandler, error: onError });
}

function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:', 'blob:'],
        'connect-src': ["'self'"],
        'font-src': ["'self'", 'data:'],
        'frame-ancestors': ["'none'"],
        'upgrade-insecure-requests': null,
      },
    },
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: false,
  });
}

/**
 * No cross-origin access unless origins are configured (CORS_ORIGINS). No credentials mode: the
 * API authenticates by headers, never cookies, so a foreign page cannot ride on a session.
 */
function cors(origins: string[]): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    // answers differ by Origin, so caches must key on it even when this origin is refused
    if (allowed.size) res.vary('Origin');
    if (!origin || !allowed.has(origin)) return next();
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, x-api-key');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE');
    res.setHeader('Access-Control-Expose-Headers', 'RateLimit, RateLimit-Policy, Retry-After, Content-Disposition, Location');
    res.setHeader('Access-Control-Max-Age', '600');
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next();
  };
}

/** /docs: Swagger UI from the bundled swagger-ui-dist package, so it works offline. */
function mountDocs(app: Express): void {
  const assets = swaggerUiPath();
  app.use('/docs/assets', express.static(assets, { index: false, maxAge: '1h' }));
  app.get('/docs/init.js', (_req, res) => {
    res
      .type('application/javascript')
      .send(`window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: false });`);
  });
  app.get('/docs', (_req, res) => {
    res.type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SMART Oilfield API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head><body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script></body></html>`);
  });
}

/** The built React UI, with client-side routes falling back to index.html. */
function mountRenderer(app: Express, dir: string): void {
  app.use(
    express.static(dir, {
      index: 'index.html',
      maxAge: '1h',
      setHeaders: (res, file) => file.endsWith('index.html') && res.setHeader('Cache-Control', 'no-cache'),
    }),
  );
  app.get(/^\/(?!api\/|docs|openapi\.json|health|token).*/, (req, res, next) => {
    if (req.method !== 'GET' || !req.accepts('html')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(join(dir, 'index.html'));
  });
}
