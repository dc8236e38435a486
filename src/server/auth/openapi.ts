import { z } from 'zod';
import {
  apiKeySchema,
  createdKeySchema,
  createKeySchema,
  createUserSchema,
  meSchema,
  setupSchema,
  setupStatusSchema,
  tokenResponseSchema,
  updateUserSchema,
  userSchema,
} from '../../shared/users';
import { bearer, problems, type OpenAPIRegistry } from '../openapi/registry';

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
const idParam = z.object({ id: z.string().regex(/^\d+$/) });

const passwordGrant = z.object({
  grant_type: z.literal('password').optional().describe('may be left out (password is assumed)'),
  username: z.string(),
  password: z.string(),
});
const clientCredentialsGrant = z.object({
  grant_type: z.literal('client_credentials'),
  client_id: z.string().describe("the API key's id or prefix (or HTTP Basic)"),
  client_secret: z.string().describe('the API key itself'),
});
const oauthError = z.object({ error: z.string(), error_description: z.string() });

const auditEntry = z.object({
  id: z.number().int(),
  ts: z.number().describe('Unix seconds'),
  time: z.string(),
  actor: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  ip: z.string().nullable(),
  detail: z.unknown().nullable(),
});

/** Sign-in, first run, users, keys and the audit log. */
export function registerAuthDocs(r: OpenAPIRegistry): void {
  r.registerPath({
    method: 'post',
    path: '/token',
    summary: 'OAuth2 token: password grant (form or JSON) or client_credentials with an API key',
    request: {
      body: {
        content: {
          'application/x-www-form-urlencoded': { schema: z.union([passwordGrant, clientCredentialsGrant]) },
          ...json(z.union([passwordGrant, clientCredentialsGrant])),
        },
      },
    },
    responses: {
      200: { description: 'a bearer token', content: json(tokenResponseSchema) },
      400: { description: 'invalid_request, invalid_grant, unsupported_grant_type', content: json(oauthError) },
      401: { description: 'invalid_client', content: json(oauthError) },
      429: { description: 'too many failed sign-ins (Retry-After)', content: json(oauthError) },
    },
  });
  r.registerPath({
    method: 'get',
    path: '/api/setup',
    summary: 'Whether the station still needs its first admin (the desktop first-run screen)',
    responses: { 200: { description: 'status', content: json(setupStatusSchema) } },
  });
  r.registerPath({
    method: 'post',
    path: '/api/setup',
    summary: 'Create the first admin; only while no user exists, only from the station machine',
    request: { body: { content: json(setupSchema) } },
    responses: { 201: { description: 'the new admin; sign in with POST /token', content: json(userSchema) }, ...problems(403, 409, 415, 422) },
  });
  r.registerPath({
    method: 'post',
    path: '/api/sign-out',
    summary: 'Sign out: the bearer token this is called with stops working at once',
    security: bearer,
    responses: { 204: { description: 'signed out' }, ...problems(400, 401) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/me',
    summary: 'Who the credentials belong to',
    security: bearer,
    responses: { 200: { description: 'identity', content: json(meSchema) }, ...problems(401) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/users',
    summary: 'Users (admin)',
    security: bearer,
    responses: { 200: { description: 'users', content: json(z.array(userSchema)) }, ...problems(401, 403) },
  });
  r.registerPath({
    method: 'post',
    path: '/api/users',
    summary: 'Create a user (admin)',
    security: bearer,
    request: { body: { content: json(createUserSchema) } },
    responses: { 201: { description: 'created', content: json(userSchema) }, ...problems(401, 403, 409, 415, 422) },
  });
  r.registerPath({
    method: 'patch',
    path: '/api/users/{id}',
    summary: 'Change role, disable, or reset the password of a user (admin)',
    security: bearer,
    request: { params: idParam, body: { content: json(updateUserSchema) } },
    responses: { 200: { description: 'updated', content: json(userSchema) }, ...problems(401, 403, 404, 409, 415, 422) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/keys',
    summary: 'API keys, without their secrets (admin)',
    security: bearer,
    responses: { 200: { description: 'keys', content: json(z.array(apiKeySchema)) }, ...problems(401, 403) },
  });
  r.registerPath({
    method: 'post',
    path: '/api/keys',
    summary: 'Create an API key; the key is in this answer only (admin)',
    security: bearer,
    request: { body: { content: json(createKeySchema) } },
    responses: { 201: { description: 'created', content: json(createdKeySchema) }, ...problems(401, 403, 415, 422) },
  });
  r.registerPath({
    method: 'delete',
    path: '/api/keys/{id}',
    summary: 'Revoke an API key (admin)',
    security: bearer,
    request: { params: idParam },
    responses: { 204: { description: 'revoked' }, ...problems(401, 403, 404) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/audit',
    summary: 'Audit log, newest first (admin); page with before_id',
    security: bearer,
    request: {
      query: z.object({
        action: z.string().optional(),
        actor: z.string().optional(),
        ts_from: z.string().optional(),
        ts_to: z.string().optional(),
        limit: z.string().optional(),
        before_id: z.string().optional(),
      }),
    },
    responses: {
      200: { description: 'entries', content: json(z.object({ items: z.array(auditEntry), next_before_id: z.number().int().nullable() })) },
      ...problems(401, 403, 422),
    },
  });
}
