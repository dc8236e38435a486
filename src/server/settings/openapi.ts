import type { z } from 'zod';
import { connectionResultSchema, connectionTestSchema, settingsSchema, settingsUpdateSchema } from '../../shared/settings';
import { bearer, problems, type OpenAPIRegistry } from '../openapi/registry';

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });

export function registerSettingsDocs(r: OpenAPIRegistry): void {
  r.registerPath({
    method: 'get',
    path: '/api/settings',
    summary: 'Station settings (admin): LAN access and the URLs devices use, Redis, InfluxDB, display units',
    security: bearer,
    responses: { 200: { description: 'settings', content: json(settingsSchema) }, ...problems(401, 403) },
  });
  r.registerPath({
    method: 'put',
    path: '/api/settings',
    summary: 'Change settings (admin); saved to DATA_DIR/settings.json',
    description: '`restart_required` in the answer lists what takes effect only after a restart.',
    security: bearer,
    request: { body: { content: json(settingsUpdateSchema) } },
    responses: { 200: { description: 'saved', content: json(settingsSchema) }, ...problems(401, 403, 415, 422) },
  });
  r.registerPath({
    method: 'post',
    path: '/api/settings/test',
    summary: 'Test a Redis or InfluxDB connection before saving it (admin)',
    security: bearer,
    request: { body: { content: json(connectionTestSchema) } },
    responses: { 200: { description: 'result', content: json(connectionResultSchema) }, ...problems(401, 403, 415, 422) },
  });
}
