import type { z } from 'zod';

/**
 * Who may call a route; the server maps each onto a guard, the OpenAPI document onto its security.
 * `signed-in`: any valid credentials (a user's token or any key).
 */
type Access = 'public' | 'signed-in' | 'read' | 'user' | 'admin' | 'ingest';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A response the document lists besides the success body and the problems (CSV, 207, redirects). */
interface ExtraResponse {
  description: string;
  schema?: z.ZodType;
  /** default application/json */
  contentType?: string;
}

/**
 * One HTTP route, declared once. The server derives its guard and input validation from it, the
 * OpenAPI document its entry, and the renderer a typed call. Paths use OpenAPI's `{name}` form.
 */
export interface RouteDef {
  method: Method;
  path: `/${string}`;
  summary: string;
  description?: string;
  access: Access;
  /** the document's security schemes, when not the usual bearer token or x-api-key */
  authSchemes?: string[];
  /** path parameters; a value that does not parse names no resource, so it answers 404 */
  params?: z.ZodType<Record<string, unknown>, Record<string, string>>;
  /** what a path parameter names, for the 404 wording ("batch \"x\" not found") */
  resource?: string;
  query?: z.ZodType;
  /** a JSON body, validated before the handler runs (415 unless application/json, 422 on mismatch) */
  body?: z.ZodType;
  /** other request media types the handler reads itself (NDJSON, line protocol, forms), for the document */
  otherBodies?: Record<string, z.ZodType>;
  /** success status; default 200 */
  status?: number;
  /** the success body (JSON); none for 204 and for routes that stream */
  response?: z.ZodType;
  responseDescription?: string;
  /** further responses for the document */
  responses?: Record<number, ExtraResponse>;
  /** the problem+json statuses the route may answer with */
  problems: number[];
}

/** Keeps the literal types of a declaration, so the server and the renderer see its exact schemas. */
export const defineRoute = <const R extends RouteDef>(route: R): R => route;

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;
type Input<S> = S extends z.ZodType ? z.input<S> : undefined;

/** What a route answers on success, as the renderer reads it. */
export type RouteResponse<R extends RouteDef> = R['response'] extends z.ZodType ? z.output<R['response']> : undefined;

/** What the server's handler receives, already validated. */
export interface RouteInput<R extends RouteDef> {
  params: Output<R['params']>;
  query: Output<R['query']>;
  body: Output<R['body']>;
}

type OptionalKeys<T> = { [K in keyof T as undefined extends T[K] ? K : never]?: T[K] };
type RequiredKeys<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] };

/** What a caller sends: only the parts the route declares, as it writes them. */
/** A declared JSON body as written; for a route that reads other media types itself, one of those (a form as URLSearchParams). */
type BodyOf<R extends RouteDef> = R['body'] extends z.ZodType
  ? z.input<R['body']>
  : R['otherBodies'] extends Record<string, z.ZodType>
    ? z.input<R['otherBodies'][keyof R['otherBodies']]> | URLSearchParams | undefined
    : undefined;
type Parts<R extends RouteDef> = { params: Input<R['params']>; body: BodyOf<R>; query: Input<R['query']> | undefined };
export type RouteRequest<R extends RouteDef> = RequiredKeys<Parts<R>> & OptionalKeys<Parts<R>>;

/** `/api/oil/batches/{batch_id}` with `{batch_id: 'B-1'}` -> `/api/oil/batches/B-1`. */
export function fillPath(path: string, params: Record<string, unknown> | undefined): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === null) throw new Error(`${path}: the ${name} parameter is missing`);
    return encodeURIComponent(String(value));
  });
}
