import { z } from 'zod';
import { roleSchema } from './auth';

export const usernameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$/, 'must be 2-64 characters: letters, digits, _ . @ -');
export const passwordSchema = z.string().min(8, 'must be at least 8 characters').max(256, 'must be at most 256 characters');

export const userSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  role: roleSchema,
  disabled: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type User = z.infer<typeof userSchema>;

export const createUserSchema = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
  role: z.enum(['admin', 'user']).default('user'),
});

/** First-run: the desktop app's create-admin screen (POST /api/setup). */
export const setupSchema = z.strictObject({ username: usernameSchema, password: passwordSchema });
export const setupStatusSchema = z.object({ needs_admin: z.boolean() });

export const updateUserSchema = z
  .strictObject({
    role: z.enum(['admin', 'user']).optional(),
    disabled: z.boolean().optional(),
    password: passwordSchema.optional(),
  })
  .refine((u) => Object.keys(u).length > 0, 'nothing to change');
export type UserUpdate = z.input<typeof updateUserSchema>;

/** A device scope entry: an exact id or a glob with `*` (e.g. `well-*`). */
const deviceScopeSchema = z
  .array(z.string().regex(/^[A-Za-z0-9_.:*-]{1,64}$/, 'device ids or globs with *'))
  .min(1)
  .max(1000);

export const createKeySchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role: roleSchema.default('device'),
  devices: deviceScopeSchema.nullable().optional(),
});

export const apiKeySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  prefix: z.string(),
  role: roleSchema,
  devices: z.array(z.string()).nullable(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

export const createdKeySchema = apiKeySchema.extend({ key: z.string().describe('shown only once') });

export const tokenResponseSchema = z.object({
  access_token: z.string(),
  token_type: z.literal('bearer'),
  expires_in: z.number().int(),
});

export const meSchema = z.object({
  kind: z.enum(['user', 'key', 'oidc']),
  subject: z.string(),
  role: roleSchema,
  user_id: z.number().int().nullable(),
  key_id: z.number().int().nullable(),
  devices: z.array(z.string()).nullable(),
});
