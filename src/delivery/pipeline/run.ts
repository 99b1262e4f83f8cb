/**
 * The request pipeline: the named steps in their order, each one able to stop the request with its
 * answer. The order is part of the behaviour: CORS is decided from the path alone (so a 405 and a
 * preflight carry it); the rate limit counts before the credential is refused (guessing is limited
 * too); the body is read only for a request that may run.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Answer } from './answer';
import { isAuthorized, refuseUnauthorized, type Credentials } from './auth';
import { takeBody, type BodySource } from './body';
import { corsFor, preflight, refuseForeignOrigin } from './cors';
import { userHashOf } from './identity';
import { idempotencyKey, requestHash, runOnce, type IdempotencyStore } from './idempotency';
import { clientAddress, rateKey, recordsIn, refuseOverLimit, refuseOverVolume, type RateLimiter, type VolumeLimits } from './rate-limit';
import { chooseRoute, matchPath, splitTarget, type ChangeRouteName, type CompiledRoute, type RouteName } from './route';

/** What a route handler reads of its request. */
export interface Context {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  now: number;
  /** X-Guidepost-User-Hash as sent (identity.ts): the client handlers check it when identities are verified. */
  userHash?: string;
}

export type Handler = (ctx: Context) => Answer | Promise<Answer>;
/** An admin change: runs once per Idempotency-Key (idempotency.ts). */
export type ChangeHandler = (ctx: Context) => Answer | Promise<Answer>;
export type Handlers = { [K in RouteName]: K extends ChangeRouteName ? ChangeHandler : Handler };

/** What the pipeline reads of a request (an IncomingMessage is one). */
export interface RequestFacts extends BodySource {
  readonly method?: string;
  readonly url?: string;
  readonly headers: IncomingHttpHeaders;
  readonly socket: { readonly remoteAddress?: string };
}

export interface PipelineConfig {
  routes: readonly CompiledRoute[];
  allowedOrigins: ReadonlySet<string>;
  credentials: Credentials;
  limiter: RateLimiter;
  /** Take the client address from X-Forwarded-For. */
  /** Records and bytes per minute per key (after the body is read); absent: not limited. */
  volume?: VolumeLimits;
  /** Trusted reverse proxies in front (0: none): where the client address is read (clientAddress). */
  proxyHops: number;
  clock: () => number;
  idempotency: IdempotencyStore;
  handlers: Handlers;
  /** Runs after every admin change, applied, replayed or failed, before its answer is sent; `answer` is null when the change threw. */
  afterChange: (answer: Answer | null) => void | Promise<void>;
}

/** The answer, and the headers (CORS) that go with it. */
export interface Reply {
  answer: Answer;
  headers: Record<string, string>;
}

/** The pipeline for one server: answers a request, or null when the client went away mid-body. */
export function createPipeline(config: PipelineConfig): (request: RequestFacts) => Promise<Reply | null> {
  const { routes, allowedOrigins, credentials, limiter, volume, proxyHops, clock, idempotency, handlers, afterChange } = config;
  return async (request) => {
    const method = request.method ?? 'GET';
    const { pathname, queryText } = splitTarget(request.url ?? '/');
    const matched = matchPath(routes, pathname);
    if (!matched.ok) return { answer: matched.answer, headers: {} };

    const origin = request.headers.origin;
    const cors = corsFor(
      matched.matches.some((m) => m.route.spec.access === 'client'),
      origin,
      allowedOrigins,
    );
    const reply = (answer: Answer): Reply => ({ answer, headers: cors.headers });
    if (method === 'OPTIONS') return reply(preflight(cors));

    const chosen = chooseRoute(matched.matches, method, pathname);
    if (!chosen.ok) return reply(chosen.answer);
    const { spec } = chosen;

    let limitKey: string | null = null;
    if (spec.access !== 'public') {
      const authorized = isAuthorized(spec.access, request.headers, credentials);
      limitKey = rateKey(spec.access, authorized, clientAddress(request.headers, request.socket.remoteAddress, proxyHops));
      const refusal = refuseOverLimit(limiter, limitKey) ?? refuseUnauthorized(spec.access, authorized) ?? refuseForeignOrigin(spec.access, origin, cors);
      if (refusal) return reply(refusal);
    }

    const body = await takeBody(request, method, spec, request.headers['content-length']);
    if (!body.ok) return body.answer === null ? null : reply(body.answer);
    if (volume && limitKey !== null && body.text !== '') {
      const refusal = refuseOverVolume(volume, limitKey, recordsIn(body.json), Buffer.byteLength(body.text));
      if (refusal) return reply(refusal);
    }

    const ctx: Context = { params: chosen.params, query: new URLSearchParams(queryText), body: body.json, now: clock(), userHash: userHashOf(request.headers) };
    if (!('idempotent' in spec)) return reply(await handlers[spec.name](ctx));
    const key = idempotencyKey(request.headers);
    if (!key.ok) return reply(key.answer);
    let answer: Answer | null = null;
    try {
      answer = await runOnce(idempotency, key.key, requestHash(method, pathname, body.text), ctx.now, () => handlers[spec.name](ctx));
      return reply(answer);
    } finally {
      await afterChange(answer);
    }
  };
}
