import type { z } from 'zod';
import type { FieldError } from '../../../shared/problem';

export type FieldErrors = Record<string, string>;

/** zod's generic wording, and what a person reads next to the field instead. */
const PLAIN: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^Invalid input: expected \w+, received (undefined|null)$/, () => 'Required'],
  [/^Invalid input: expected (number|int), received \w+$/, () => 'Must be a number'],
  [/^Invalid input: expected (string|boolean|array|object), received \w+$/, () => 'Not a valid value'],
  [/^Too small: expected string to have >=1 characters?$/, () => 'Required'],
  [/^Too small: expected string to have >=(\d+) characters?$/, (m) => `At least ${m[1]} characters`],
  [/^Too big: expected string to have <=(\d+) characters?$/, (m) => `At most ${Number(m[1]).toLocaleString()} characters`],
  [/^Too small: expected (?:number|int) to be >=?(-?[\d.e+]+)$/, (m) => `Must be at least ${Number(m[1]).toLocaleString()}`],
  [/^Too small: expected (?:number|int) to be >(-?[\d.e+]+)$/, (m) => `Must be more than ${Number(m[1]).toLocaleString()}`],
  [/^Too big: expected (?:number|int) to be <=?(-?[\d.e+]+)$/, (m) => `Must be at most ${Number(m[1]).toLocaleString()}`],
  [/^Too big: expected (?:number|int) to be <(-?[\d.e+]+)$/, (m) => `Must be less than ${Number(m[1]).toLocaleString()}`],
  [/^Invalid option: expected one of (.+)$/, (m) => `Choose one of ${m[1]!.replace(/"/g, '').replace(/\|/g, ', ')}`],
];

/**
 * One message in plain words for the field it belongs to: zod's generic wording is replaced, and a
 * message that starts with the API's own name for the field ("gross_volume_bbl must be a number")
 * loses that name, since it is shown next to the field's label. Every form goes through this, for
 * its own validation and for a 422 from the station alike.
 */
function plainMessage(message: string, key: string): string {
  // before the table: zod says "expected int, received number" for 1.5
  if (/^Invalid input: expected int, received number$/.test(message)) return 'Must be a whole number';
  for (const [pattern, say] of PLAIN) {
    const m = pattern.exec(message);
    if (m) return say(m);
  }
  const withoutName = message.startsWith(`${key} `) ? message.slice(key.length + 1) : message;
  // other fields it names read as words: "below temperature_max" -> "below temperature max"
  const words = withoutName.replace(/\b[a-z]+(?:_[a-z0-9]+)+\b/g, (name) => name.replace(/_/g, ' '));
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Validates with the same shared schema the station uses; errors keyed by the first path segment.
 * `input` is the value itself once it is valid, typed as the schema's input: what a form sends
 * (not `data`, whose transforms, such as timestamps to milliseconds, the station applies itself).
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown): { data?: z.output<S>; input?: z.input<S>; errors: FieldErrors } {
  const r = schema.safeParse(value);
  if (r.success) return { data: r.data, input: value as z.input<S>, errors: {} };
  const errors: FieldErrors = {};
  for (const issue of r.error.issues) {
    const key = String(issue.path[0] ?? '_');
    errors[key] ??= plainMessage(issue.message, key);
  }
  return { errors };
}

/** Field errors of a 422 problem body (paths like "temperature" or "body.temperature"). */
export function serverFieldErrors(errors: FieldError[]): FieldErrors {
  const out: FieldErrors = {};
  for (const e of errors) {
    const key = e.path.replace(/^(body\.)?/, '').split('.')[0] || '_';
    out[key] ??= plainMessage(e.message, key);
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
