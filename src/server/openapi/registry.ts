import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { VERSION } from '../version';

export { OpenAPIRegistry };

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

/** Standard error responses every route may answer with. */
export function problems(...statuses: number[]) {
  return Object.fromEntries(statuses.map((s) => [s, { description: `problem (${s})`, content: { 'application/problem+json': { schema: problemSchema } } }]));
}

export const bearer: Record<string, string[]>[] = [{ bearerAuth: [] }, { apiKey: [] }];

/** Builds the OpenAPI 3.1 document from what each feature registered. */
export function buildDocument(registry: OpenAPIRegistry) {
  registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  registry.registerComponent('securitySchemes', 'apiKey', { type: 'apiKey', in: 'header', name: 'x-api-key' });
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
