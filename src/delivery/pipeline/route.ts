/**
 * Routing: the router table, and the two steps that read it. `matchPath` finds the routes a path
 * names (before CORS, which depends on whether any of them is a client route); `chooseRoute` picks
 * the one for the method and decodes its path parameters.
 */
import { fail, type StepResult } from './answer';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type Access = 'admin' | 'client' | 'public';

export interface RouteSpec {
  name: string;
  method: Method;
  /** OpenAPI-style template: /v1/messages/{id}. */
  path: string;
  access: Access;
  /** Largest body accepted (0: the body is not read as JSON). */
  maxBody: number;
  /** Admin changes that honour Idempotency-Key. */
  idempotent?: boolean;
}

/** A track batch may not exceed this many bytes (each event in it: MAX_RECORD_BYTES). */
export const MAX_BATCH_BYTES = 500 * 1024;
export const MAX_CLIENT_BODY = 64 * 1024;
export const MAX_ADMIN_BODY = 1024 * 1024;

/** The router table. tests/unit/delivery-openapi.test.ts holds it and openapi.json together. */
export const ROUTES = [
  { name: 'health', method: 'GET', path: '/v1/health', access: 'public', maxBody: 0 },
  { name: 'openapi', method: 'GET', path: '/v1/openapi.json', access: 'public', maxBody: 0 },
  { name: 'sdk', method: 'GET', path: '/sdk/guidepost.js', access: 'public', maxBody: 0 },
  { name: 'sdkKinds', method: 'GET', path: '/sdk/{version}/guidepost-kinds.js', access: 'public', maxBody: 0 },
  { name: 'listMessages', method: 'GET', path: '/v1/messages', access: 'admin', maxBody: 0 },
  { name: 'getMessage', method: 'GET', path: '/v1/messages/{id}', access: 'admin', maxBody: 0 },
  { name: 'publish', method: 'PUT', path: '/v1/messages/{id}', access: 'admin', maxBody: MAX_ADMIN_BODY, idempotent: true },
  { name: 'deleteMessage', method: 'DELETE', path: '/v1/messages/{id}', access: 'admin', maxBody: 0, idempotent: true },
  { name: 'pause', method: 'POST', path: '/v1/messages/{id}/pause', access: 'admin', maxBody: 0, idempotent: true },
  { name: 'resume', method: 'POST', path: '/v1/messages/{id}/resume', access: 'admin', maxBody: 0, idempotent: true },
  { name: 'end', method: 'POST', path: '/v1/messages/{id}/end', access: 'admin', maxBody: 0, idempotent: true },
  { name: 'events', method: 'GET', path: '/v1/events', access: 'admin', maxBody: 0 },
  { name: 'eraseUser', method: 'DELETE', path: '/v1/users/{userId}', access: 'admin', maxBody: 0, idempotent: true },
  { name: 'identify', method: 'POST', path: '/v1/identify', access: 'client', maxBody: MAX_CLIENT_BODY },
  { name: 'group', method: 'POST', path: '/v1/group', access: 'client', maxBody: MAX_CLIENT_BODY },
  { name: 'track', method: 'POST', path: '/v1/track', access: 'client', maxBody: MAX_BATCH_BYTES },
  { name: 'decide', method: 'POST', path: '/v1/decide', access: 'client', maxBody: MAX_CLIENT_BODY },
] as const satisfies readonly RouteSpec[];

export type Route = (typeof ROUTES)[number];
export type RouteName = Route['name'];
/** The admin changes: they run synchronously, inside the idempotency transaction. */
export type ChangeRouteName = Extract<Route, { idempotent: true }>['name'];

export interface CompiledRoute<S extends RouteSpec = Route> {
  spec: S;
  regex: RegExp;
  keys: string[];
}

export interface PathMatch<S extends RouteSpec = Route> {
  route: CompiledRoute<S>;
  match: RegExpExecArray;
}

export function compileRoutes<S extends RouteSpec>(specs: readonly S[]): CompiledRoute<S>[] {
  return specs.map((spec) => {
    const keys: string[] = [];
    const pattern = spec.path.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, (_m, key: string) => {
      keys.push(key);
      return '([^/]+)';
    });
    return { spec, regex: new RegExp(`^${pattern}$`), keys };
  });
}

/** The request target split at '?'. The path is kept as sent, never resolved: "/v1/../v1/events" is simply not a route. */
export function splitTarget(target: string): { pathname: string; queryText: string } {
  const queryAt = target.indexOf('?');
  return queryAt < 0 ? { pathname: target, queryText: '' } : { pathname: target.slice(0, queryAt), queryText: target.slice(queryAt + 1) };
}

/** Every route whose path template matches, whatever its method; none is a 404. */
export function matchPath<S extends RouteSpec>(routes: readonly CompiledRoute<S>[], pathname: string): StepResult<{ matches: PathMatch<S>[] }> {
  const matches: PathMatch<S>[] = [];
  for (const route of routes) {
    const match = route.regex.exec(pathname);
    if (match !== null) matches.push({ route, match });
  }
  if (matches.length === 0) return { ok: false, answer: fail(404, 'not_found', `There is no endpoint ${pathname.slice(0, 200)}.`) };
  return { ok: true, matches };
}

/** The matched route for the method (405 with Allow if none), with its path parameters decoded. */
export function chooseRoute<S extends RouteSpec>(
  matches: readonly PathMatch<S>[],
  method: string,
  pathname: string,
): StepResult<{ spec: S; params: Record<string, string> }> {
  // HEAD of a public GET (uptime checks): Node answers it without the body.
  const found = matches.find(
    (m) => m.route.spec.method === method || (method === 'HEAD' && m.route.spec.method === 'GET' && m.route.spec.access === 'public'),
  );
  if (!found) {
    const allow = matches.map((m) => m.route.spec.method).join(', ');
    const answer = fail(405, 'method_not_allowed', `${pathname.slice(0, 200)} answers ${allow}, not ${method.slice(0, 20)}.`);
    answer.headers = { Allow: allow };
    return { ok: false, answer };
  }
  const params: Record<string, string> = {};
  try {
    found.route.keys.forEach((key, i) => {
      params[key] = decodeURIComponent(found.match[i + 1] ?? '');
    });
  } catch {
    return { ok: false, answer: fail(400, 'invalid_argument', 'The request path is not valid percent-encoding.') };
  }
  return { ok: true, spec: found.route.spec, params };
}
