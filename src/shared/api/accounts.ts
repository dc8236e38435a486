import { z } from 'zod';
import { timestampSchema } from '../telemetry';
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
} from '../users';
import { defineRoute } from './route';

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
const grant = z.union([passwordGrant, clientCredentialsGrant]);
const oauthError = z.object({ error: z.string(), error_description: z.string() });
const idParams = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,15}$/)
    .transform(Number),
});

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

const auditQuerySchema = z.strictObject({
  action: z
    .string()
    .regex(/^[a-z_.]{1,64}$/)
    .optional(),
  actor: z.string().max(128).optional(),
  ts_from: timestampSchema.optional(),
  ts_to: timestampSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z
    .string()
    .regex(/^[1-9]\d{0,15}$/, 'is not a cursor this station issued')
    .optional()
    .describe('next_cursor of the previous page'),
});

/** Sign-in, first run, users, keys and the audit log. */
export const accountRoutes = {
  token: defineRoute({
    method: 'post',
    path: '/token',
    summary: 'OAuth2 token: password grant (form or JSON) or client_credentials with an API key',
    access: 'public',
    otherBodies: { 'application/x-www-form-urlencoded': grant, 'application/json': grant },
    response: tokenResponseSchema,
    responseDescription: 'a bearer token',
    responses: {
      400: { description: 'invalid_request, invalid_grant, unsupported_grant_type', schema: oauthError },
      401: { description: 'invalid_client', schema: oauthError },
      429: { description: 'too many failed sign-ins (Retry-After)', schema: oauthError },
    },
    problems: [],
  }),
  setupStatus: defineRoute({
    method: 'get',
    path: '/api/setup',
    summary: 'Whether the station still needs its first admin (the desktop first-run screen)',
    access: 'public',
    response: setupStatusSchema,
    responseDescription: 'status',
    problems: [],
  }),
  setup: defineRoute({
    method: 'post',
    path: '/api/setup',
    summary: 'Create the first admin; only while no user exists, only from the station machine',
    access: 'public',
    body: setupSchema,
    status: 201,
    response: userSchema,
    responseDescription: 'the new admin; sign in with POST /token',
    problems: [403, 409, 415, 422],
  }),
  signOut: defineRoute({
    method: 'post',
    path: '/api/sign-out',
    summary: 'Sign out: the bearer token this is called with stops working at once',
    access: 'signed-in',
    status: 204,
    responseDescription: 'signed out',
    problems: [400, 401],
  }),
  me: defineRoute({
    method: 'get',
    path: '/api/me',
    summary: 'Who the credentials belong to',
    access: 'signed-in',
    response: meSchema,
    responseDescription: 'identity',
    problems: [401],
  }),
  users: defineRoute({
    method: 'get',
    path: '/api/users',
    summary: 'Users (admin)',
    access: 'admin',
    response: z.array(userSchema),
    responseDescription: 'users',
    problems: [401, 403],
  }),
  createUser: defineRoute({
    method: 'post',
    path: '/api/users',
    summary: 'Create a user (admin)',
    access: 'admin',
    body: createUserSchema,
    status: 201,
    response: userSchema,
    responseDescription: 'created',
    problems: [401, 403, 409, 415, 422],
  }),
  updateUser: defineRoute({
    method: 'patch',
    path: '/api/users/{id}',
    summary: 'Change role, disable, or reset the password of a user (admin)',
    access: 'admin',
    params: idParams,
    resource: 'user',
    body: updateUserSchema,
    response: userSchema,
    responseDescription: 'updated',
    problems: [401, 403, 404, 409, 415, 422],
  }),
  keys: defineRoute({
    method: 'get',
    path: '/api/keys',
    summary: 'API keys, without their secrets (admin)',
    access: 'admin',
    response: z.array(apiKeySchema),
    responseDescription: 'keys',
    problems: [401, 403],
  }),
  createKey: defineRoute({
    method: 'post',
    path: '/api/keys',
    summary: 'Create an API key; the key is in this answer only (admin)',
    access: 'admin',
    body: createKeySchema,
    status: 201,
    response: createdKeySchema,
    responseDescription: 'created',
    problems: [401, 403, 415, 422],
  }),
  revokeKey: defineRoute({
    method: 'delete',
    path: '/api/keys/{id}',
    summary: 'Revoke an API key (admin)',
    access: 'admin',
    params: idParams,
    resource: 'API key',
    status: 204,
    responseDescription: 'revoked',
    problems: [401, 403, 404],
  }),
  audit: defineRoute({
    method: 'get',
    path: '/api/audit',
    summary: 'Audit log, newest first (admin); page with cursor',
    access: 'admin',
    query: auditQuerySchema,
    response: z.object({ items: z.array(auditEntry), next_cursor: z.string().nullable().describe('pass as `cursor` for the next (older) page') }),
    responseDescription: 'entries',
    problems: [401, 403, 422],
  }),
};
