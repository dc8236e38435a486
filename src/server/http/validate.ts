import type { Request } from 'express';
import type { z } from 'zod';
import { AppError, fieldErrors } from './errors';

/** Parses a request part against a shared schema; a mismatch is a 422 naming every bad field. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'path'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = fieldErrors(result.error, where === 'body' ? '' : where);
  const first = errors[0];
  const detail = first ? `${first.path}: ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}` : 'invalid input';
  throw new AppError(422, detail, { errors });
}

/** Refuses bodies of the wrong media type with 415 instead of parsing them as something else. */
export function requireContentType(req: Request, ...types: string[]): void {
  if (!req.is(types)) {
    throw new AppError(415, `Content-Type must be ${types.join(' or ')}${req.headers['content-type'] ? `, not ${req.headers['content-type']}` : ''}`);
  }
}
