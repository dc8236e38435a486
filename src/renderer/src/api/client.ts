import { fillPath, type RouteDef, type RouteRequest, type RouteResponse } from '../../../shared/api/route';
import type { FieldError, Problem } from '../../../shared/problem';
import { session } from './session';

/** An API failure in words a field engineer can act on, with the field errors of a 422. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: FieldError[] = [],
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  headers?: Record<string, string>;
  /** send the ingest API key too (x-api-key) */
  withIngestKey?: boolean;
  /** send only the API key, no bearer token (an engineer's token plus a key is refused by policy) */
  keyOnly?: boolean;
  signal?: AbortSignal;
}

export function buildUrl(path: string, query?: CallOptions['query']): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export function authHeaders(withIngestKey = false, keyOnly = false): Record<string, string> {
  const h: Record<string, string> = {};
  const token = session.token();
  if (token && !keyOnly) h.authorization = `Bearer ${token}`;
  const key = withIngestKey ? session.ingestKey() : null;
  if (key) h['x-api-key'] = key;
  return h;
}

/** Turns any error body (problem+json, OAuth2 error, plain text) into a sentence. */
async function toError(res: Response): Promise<ApiError> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  const p = body as Partial<Problem> & { error_description?: string };
  const detail = (typeof p === 'object' && p && (p.detail || p.error_description || p.title)) || text || res.statusText;
  // People read `detail`; the status stays on the error for code that branches on it.
  const text404 = res.status === 404 && res.url.includes('/api/') ? `Not found: ${detail}` : String(detail);
  return new ApiError(res.status, text404.charAt(0).toUpperCase() + text404.slice(1), (typeof p === 'object' && p?.errors) || [], body);
}

export async function request(path: string, o: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders(o.withIngestKey, o.keyOnly), ...o.headers };
  let body: BodyInit | undefined;
  if (o.body instanceof URLSearchParams) body = o.body;
  else if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(buildUrl(path, o.query), { method: o.method ?? 'GET', headers, body, signal: o.signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'The station does not answer. Is it running?');
  }
  // A 401 of a request that carried the ingest key is about that key (mistyped, revoked), not the
  // session: the page says so and keeps what was typed. Only a refused token ends the session.
  const sentKey = Boolean(o.withIngestKey && session.ingestKey());
  if (res.status === 401 && session.token() && path !== '/token' && !sentKey) {
    session.signOut();
    throw new ApiError(401, 'Your session has expired. Sign in again.');
  }
  if (!res.ok && res.status !== 207) throw await toError(res);
  return res;
}

/** JSON call; 204 answers undefined. */
async function api<T>(path: string, o: CallOptions = {}): Promise<T> {
  const res = await request(path, o);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * A typed call of a declared route: the path, query and body are checked against the shared
 * declaration at compile time, and the answer has the type of the route's response schema.
 */
export async function call<R extends RouteDef>(
  route: R,
  input: RouteRequest<R>,
  o: Omit<CallOptions, 'method' | 'body' | 'query'> = {},
): Promise<RouteResponse<R>> {
  const parts = input as { params?: Record<string, unknown>; query?: CallOptions['query']; body?: unknown };
  return api<RouteResponse<R>>(fillPath(route.path, parts.params), { ...o, method: route.method.toUpperCase(), query: parts.query, body: parts.body });
}
