import { AppError } from '../http/errors';

type Order = 'asc' | 'desc';

const invalid = (message: string) => new AppError(422, `cursor: ${message}`, { errors: [{ path: 'query.cursor', message }] });

/**
 * Keyset cursor: the (ts, id) of the last row served and the order it was served in, opaque to
 * clients (base64url). The order is inside so that a cursor used with the other order is refused
 * instead of silently answering a different slice.
 */
export function encodeCursor(ts: number, id: number, order: Order): string {
  return Buffer.from(`${ts}.${id}.${order === 'asc' ? 'a' : 'd'}`).toString('base64url');
}

export function decodeCursor(cursor: string, order: Order): { ts: number; id: number } {
  const m = /^(-?\d{1,16})\.(\d{1,16})\.([ad])$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw invalid('is not a cursor this station issued');
  const issued: Order = m[3] === 'a' ? 'asc' : 'desc';
  if (issued !== order) throw invalid(`was issued for order=${issued}; ask with the same order, or start again without a cursor`);
  return { ts: Number(m[1]), id: Number(m[2]) };
}
