import type { z } from 'zod';
import type { FieldError } from '../../../shared/problem';

export type FieldErrors = Record<string, string>;

/** Validates with the same shared schema the station uses; errors keyed by the first path segment. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): { data?: z.output<S>; errors: FieldErrors } {
  const r = schema.safeParse(value);
  if (r.success) return { data: r.data, errors: {} };
  const errors: FieldErrors = {};
  for (const issue of r.error.issues) {
    const key = String(issue.path[0] ?? '_');
    errors[key] ??= issue.message;
  }
  return { errors };
}

/** Field errors of a 422 problem body (paths like "temperature" or "body.temperature"). */
export function serverFieldErrors(errors: FieldError[]): FieldErrors {
  const out: FieldErrors = {};
  for (const e of errors) {
    const key = e.path.replace(/^(body\.)?/, '').split('.')[0] || '_';
    out[key] ??= e.message;
  }
  return out;
}

/** A number input: empty means absent; anything else must parse. */
export function numberOrUndefined(text: string): number | undefined | string {
  const t = text.trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isNaN(n) ? t : n;
}
