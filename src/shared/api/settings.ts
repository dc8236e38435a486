import { connectionResultSchema, connectionTestSchema, settingsSchema, settingsUpdateSchema } from '../settings';
import { defineRoute } from './route';

/** Station settings (admins only). */
export const settingsRoutes = {
  get: defineRoute({
    method: 'get',
    path: '/api/settings',
    summary: 'Station settings (admin): LAN access and the URLs devices use, Redis, InfluxDB, display units',
    access: 'admin',
    response: settingsSchema,
    responseDescription: 'settings',
    problems: [401, 403],
  }),
  update: defineRoute({
    method: 'put',
    path: '/api/settings',
    summary: 'Change settings (admin); saved to DATA_DIR/settings.json',
    description: '`restart_required` in the answer lists what takes effect only after a restart.',
    access: 'admin',
    body: settingsUpdateSchema,
    response: settingsSchema,
    responseDescription: 'saved',
    problems: [401, 403, 415, 422],
  }),
  testConnection: defineRoute({
    method: 'post',
    path: '/api/settings/test',
    summary: 'Test a Redis or InfluxDB connection before saving it (admin)',
    access: 'admin',
    body: connectionTestSchema,
    response: connectionResultSchema,
    responseDescription: 'result',
    problems: [401, 403, 415, 422],
  }),
};
