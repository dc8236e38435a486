import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { RouteDef } from '../../shared/api/route';
import { problemSchema } from '../../shared/problem';
import { VERSION } from '../version';

export { OpenAPIRegistry };

/** Standard error responses every route may answer with. */
function problems(...statuses: number[]) {
  return Object.fromEntries(statuses.map((s) => [s, { description: `problem (${s})`, content: { 'application/problem+json': { schema: problemSchema } } }]));
}

const bearer: Record<string, string[]>[] = [{ bearerAuth: [] }, { apiKey: [] }];

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });

/** A query schema as a parameter list: the object inside any refinement or transform. */
function queryObject(schema: z.ZodType): z.ZodObject {
  let s: unknown = schema;
  while (s && !(s instanceof z.ZodObject) && (s as z.ZodPipe).def?.type === 'pipe') s = (s as z.ZodPipe).def.in;
  if (!(s instanceof z.ZodObject)) throw new Error('a route query must be an object schema');
  return s;
}

/** Registers each declared route: the same schemas the server validates with. */
export function registerRoutes(registry: OpenAPIRegistry, routes: readonly RouteDef[]): void {
  for (const route of routes) {
    const bodies = {
      ...(route.body ? json(route.body) : {}),
      ...Object.fromEntries(Object.entries(route.otherBodies ?? {}).map(([t, schema]) => [t, { schema }])),
    };
    const responses: Record<string, { description: string; content?: Record<string, { schema: z.ZodType }> }> = {};
    const status = route.status ?? 200;
    if (route.response || status === 204 || !route.responses?.[status]) {
      responses[status] = { description: route.responseDescription ?? 'success', ...(route.response ? { content: json(route.response) } : {}) };
    }
    // a status listed twice (JSON and CSV of the same answer) keeps both media types
    for (const [code, r] of Object.entries(route.responses ?? {})) {
      const content = r.schema ? { [r.contentType ?? 'application/json']: { schema: r.schema } } : undefined;
      const seen = responses[code];
      responses[code] = seen ? { ...seen, content: { ...seen.content, ...content } } : { description: r.description, ...(content ? { content } : {}) };
    }
    registry.registerPath({
      method: route.method,
      path: route.path,
      summary: route.summary,
      description: route.description,
      security: route.access === 'public' ? undefined : route.authSchemes ? route.authSchemes.map((scheme) => ({ [scheme]: [] })) : bearer,
      request: {
        params: route.params ? queryObject(route.params) : undefined,
        query: route.query ? queryObject(route.query) : undefined,
        body: Object.keys(bodies).length ? { content: bodies } : undefined,
      },
      responses: { ...responses, ...problems(...route.problems) },
    });
  }
}

/** Builds the OpenAPI 3.1 document from what each feature registered. */
export function buildDocument(registry: OpenAPIRegistry) {
  registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  registry.registerComponent('securitySchemes', 'apiKey', { type: 'apiKey', in: 'header', name: 'x-api-key' });
  registry.registerComponent('securitySchemes', 'influxToken', {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: 'Token <API key>, as InfluxDB clients send it',
  });
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'SMART Oilfield station API',
      version: VERSION,
      description: 'Local HTTP API of the SMART Oilfield station. Errors are application/problem+json.',
    },
    servers: [{ url: '/' }],
  });
}
