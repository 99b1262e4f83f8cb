/**
 * CORS: only the client endpoints answer browsers on other origins, and only the allowed origins.
 * `corsFor` decides the headers every later answer carries (by the path alone: before the method is
 * checked); `preflight` answers OPTIONS; `refuseForeignOrigin` stops a client call a foreign page made.
 */
import { fail, type Answer } from './answer';
import type { Access } from './route';

const FOREIGN_ORIGIN = 'This origin may not call the delivery API. Add it with --allowed-origin.';

/** The origin as a browser sends it (scheme://host[:port]); throws for anything else. */
export function normalizeOrigin(origin: string): string {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    throw new Error(`"${origin}" is not an origin such as https://app.example.com.`);
  }
  if ((parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.origin === 'null') {
    throw new Error(`"${origin}" is not an http(s) origin such as https://app.example.com.`);
  }
  return parsed.origin;
}

export interface Cors {
  /** Some route on this path is a client endpoint. */
  clientPath: boolean;
  /** The request names an Origin that may call. */
  originAllowed: boolean;
  /** Added to every answer from here on. */
  headers: Record<string, string>;
}

export function corsFor(clientPath: boolean, origin: string | undefined, allowedOrigins: ReadonlySet<string>): Cors {
  const headers: Record<string, string> = {};
  const originAllowed = origin !== undefined && allowedOrigins.has(origin);
  if (clientPath && originAllowed) {
    headers['Access-Control-Allow-Origin'] = origin;
    headers['Access-Control-Expose-Headers'] = 'Retry-After';
  }
  if (clientPath) headers.Vary = 'Origin';
  return { clientPath, originAllowed, headers };
}

/** The answer to an OPTIONS request. */
export function preflight(cors: Cors): Answer {
  if (!cors.clientPath) return fail(405, 'method_not_allowed', 'Only the client endpoints answer cross-origin requests.');
  if (!cors.originAllowed) return fail(403, 'forbidden', FOREIGN_ORIGIN);
  return {
    status: 204,
    headers: {
      'Access-Control-Allow-Methods': 'POST, OPTIONS',
      'Access-Control-Allow-Headers': 'Content-Type, X-Guidepost-Key, X-Guidepost-User-Hash',
      'Access-Control-Max-Age': '600',
    },
  };
}

/** A client call with an Origin that is not allowed (a call without one is not from a browser page). */
export function refuseForeignOrigin(access: Access, origin: string | undefined, cors: Cors): Answer | undefined {
  return access === 'client' && origin !== undefined && !cors.originAllowed ? fail(403, 'forbidden', FOREIGN_ORIGIN) : undefined;
}
