import { z } from 'zod';
import { preferencesSchema, preferencesUpdateSchema } from '../preferences';
import { defineRoute } from './route';

const healthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    version: z.string(),
    uptime_s: z.number().int(),
    database: z.enum(['ok', 'unavailable']),
  })
  .catchall(z.unknown())
  .describe('plus one entry per component (db, redis, cache, jobs, influx) with its own ok');

/** The station itself: health, and the signed-in user's own preferences. */
export const stationRoutes = {
  health: defineRoute({
    method: 'get',
    path: '/health',
    summary: 'Whether the station and its components answer (no credentials needed, nothing secret)',
    access: 'public',
    response: healthSchema,
    responseDescription: 'healthy',
    responses: { 503: { description: 'the database does not answer', schema: healthSchema } },
    problems: [],
  }),
  preferences: defineRoute({
    method: 'get',
    path: '/api/me/preferences',
    summary: "The signed-in user's display units (the station default where none is chosen)",
    access: 'signed-in',
    response: preferencesSchema,
    responseDescription: 'preferences',
    problems: [401],
  }),
  setPreferences: defineRoute({
    method: 'put',
    path: '/api/me/preferences',
    summary: "Change the signed-in user's display units; null goes back to the station default",
    description: 'Only station users have preferences: an API key or a single-sign-on principal gets 409.',
    access: 'signed-in',
    body: preferencesUpdateSchema,
    response: preferencesSchema,
    responseDescription: 'saved',
    problems: [401, 409, 415, 422],
  }),
};
