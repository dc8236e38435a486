import { AppError } from '../http/errors';

/** Keyset cursor: the (ts, id) of the last row served, opaque to clients (base64url). */
export function encodeCursor(ts: number, id: number): string {
  return Buffer.from(`${ts}.${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { ts: number; id: number } {
  const m = /^(-?\d{1,16})\.(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new AppError(422, 'cursor: is not a cursor this station issued', { errors: [{ path: 'query.cursor', message: 'invalid cursor' }] });
  return { ts: Number(m[1]), id: Number(m[2]) };
}
