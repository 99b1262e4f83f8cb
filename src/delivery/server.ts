/**
 * The delivery API server: plain node:http, JSON only. Admin endpoints (the companion publishes
 * messages and exports events) take `Authorization: Bearer <admin token>`; client endpoints (the
 * in-app SDK identifies, tracks and asks what to show) take `X-Guidepost-Key: <public key>` and answer
 * CORS only for the allowed origins. The two credentials never stand in for each other.
 *
 * Every body is size-capped and validated; nothing authored is ever served as HTML. Time is a
 * parameter (`clock`), so tests simulate days. Published messages live in memory, compiled, and are
 * reloaded on every change; user profiles come from SQLite through a small LRU (profiles.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { hashHex } from '../shared/hash';
import { normalizeRecord, utcInstant } from '../shared/event-spec';
import type { DeliveryDb } from './db';
import { byPriority, chooseMessages, compileMessage, decideAnswerJson, neededEventNames, type LiveMessage } from './decide';
import openapi from './openapi.json';
import { ProfileCache } from './profiles';
import { RateLimiter } from './rate-limit';
import {
  decideSchema,
  describeIssues,
  exportQuerySchema,
  identifySchema,
  isPlainObject,
  MESSAGE_ID,
  publishSchema,
  trackSchema,
  type PublishBody,
} from './schemas';
import { createStore, type IncomingRecord, type MessageRow, type RecordRow, type RecordType, type StoredState } from './store';

export interface DeliveryServerOptions {
  db: DeliveryDb;
  adminToken: string;
  publicKey: string;
  /** Origins (scheme://host[:port]) whose pages may call the client endpoints from a browser. */
  allowedOrigins?: readonly string[];
  /** Requests per minute per credential and client address; 0 turns the limit off. */
  rateLimit?: number;
  /** Milliseconds since the epoch; every decision and timestamp default reads it. */
  clock?: () => number;
  /** The built SDK served at /sdk/guidepost.js (null: not available). */
  sdkFile?: string | null;
  /** Take the client address from X-Forwarded-For (set this behind a reverse proxy, never without one). */
  trustProxy?: boolean;
  /** Users whose profiles stay in memory. */
  profileCacheSize?: number;
  /** Where unexpected errors are reported (default: stderr). */
  log?: (line: string) => void;
}

export interface DeliveryServer {
  /** Starts listening; resolves with the base URL. Port 0 picks a free port. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /** The base URL once listening ('' before). */
  readonly url: string;
}

export const DEFAULT_RATE_LIMIT = 1200;
export const MAX_EXPORT_PAGE = 1000;
/** A track batch may not exceed this many bytes (each event in it: MAX_RECORD_BYTES). */
export const MAX_BATCH_BYTES = 500 * 1024;
const MAX_CLIENT_BODY = 64 * 1024;
const MAX_ADMIN_BODY = 1024 * 1024;
/** After a body passes its cap, at most this much more is read (and dropped) so the client still gets its 413. */
const MAX_DRAIN_BYTES = 4 * 1024 * 1024;
const IDEMPOTENCY_TTL_MS = 30 * 86_400_000;
/** Timestamps the export can write as ISO 8601 with a four-digit year. */
const MIN_TS = utcInstant(0, 1, 1);
const MAX_TS = utcInstant(10000, 1, 1) - 1;

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
type Access = 'admin' | 'client' | 'public';

interface RouteSpec {
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

/** The router table. tests/unit/delivery-openapi.test.ts holds it and openapi.json together. */
export const ROUTES = [
  { name: 'health', method: 'GET', path: '/v1/health', access: 'public', maxBody: 0 },
  { name: 'openapi', method: 'GET', path: '/v1/openapi.json', access: 'public', maxBody: 0 },
  { name: 'sdk', method: 'GET', path: '/sdk/guidepost.js', access: 'public', maxBody: 0 },
  { name: 'listMessages', method: 'GET', path: '/v1/messages', access: 'admin', maxBody: 0 },
  { name: 'getMessage', method: 'GET', path: '/v1/messages/{id}', access: 'admin', maxBody: 0 },
  { name: 'publish', method: 'PUT', path: '/v1/messages/{id}', access: 'admin', maxBody: MAX_ADMIN_BODY, idempotent: true },
  { name: 'deleteMessage', method: 'DELETE', path: '/v1/messages/{id}', access: 'admin', maxBody: 0, idempotent: true },
  { name: 'pause', method: 'POST', path: '/v1/messages/{id}/pause', access: 'admin', maxBody: 0, idempotent: true },
  { name: 'resume', method: 'POST', path: '/v1/messages/{id}/resume', access: 'admin', maxBody: 0, idempotent: true },
  { name: 'end', method: 'POST', path: '/v1/messages/{id}/end', access: 'admin', maxBody: 0, idempotent: true },
  { name: 'events', method: 'GET', path: '/v1/events', access: 'admin', maxBody: 0 },
  { name: 'identify', method: 'POST', path: '/v1/identify', access: 'client', maxBody: MAX_CLIENT_BODY },
  { name: 'track', method: 'POST', path: '/v1/track', access: 'client', maxBody: MAX_BATCH_BYTES },
  { name: 'decide', method: 'POST', path: '/v1/decide', access: 'client', maxBody: MAX_CLIENT_BODY },
] as const satisfies readonly RouteSpec[];

type RouteName = (typeof ROUTES)[number]['name'];

interface Answer {
  status: number;
  /** A JSON value, or JSON text already serialized. */
  body?: unknown;
  jsonText?: string;
  headers?: Record<string, string>;
  /** A non-JSON body (the SDK file). */
  raw?: { contentType: string; data: Buffer };
}

interface Context {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  now: number;
}

type Handler = (ctx: Context) => Answer | Promise<Answer>;
type SyncHandler = (ctx: Context) => Answer;

const BASE_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  // A JSON answer opened as a page runs nothing and cannot be framed.
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
};

function fail(status: number, code: string, error: string, extra: Record<string, unknown> = {}): Answer {
  return { status, body: { error, code, ...extra } };
}

const iso = (ts: number): string => new Date(ts).toISOString();

/**
 * Constant-time comparison (crypto.timingSafeEqual on equal-length buffers). A different length is
 * refused after a comparison of the same cost, so timing says nothing about the secret's content.
 */
function sameSecret(given: string | undefined, expected: Buffer): boolean {
  if (given === undefined || given === '') return false;
  const buffer = Buffer.from(given, 'utf8');
  if (buffer.length !== expected.length) {
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(buffer, expected);
}

function normalizeOrigin(origin: string): string {
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

/** The Segment-spec type a raw record arrives as (normalizeRecord accepted it). */
function recordType(raw: Record<string, unknown>): RecordType {
  const type = raw.type;
  if (typeof type === 'string' && type !== '') return type.toLowerCase() as RecordType;
  return raw.event !== undefined ? 'track' : 'identify';
}

/** One record of the export as JSON text, its stored properties spliced in without a parse. */
function exportJson(row: RecordRow): string {
  const head = `{"type":${JSON.stringify(row.type)},"messageId":${JSON.stringify(row.record_id)},"userId":${JSON.stringify(row.user_id)}`;
  const timestamp = `"timestamp":"${iso(row.ts)}"`;
  if (row.type === 'identify') return `${head},"traits":${row.data ?? '{}'},${timestamp}}`;
  return `${head},"event":${JSON.stringify(row.name)},"properties":${row.data ?? '{}'},${timestamp}}`;
}

type BodyResult = { ok: true; data: Buffer } | { ok: false };

/** Reads a body up to `max` bytes; a larger one is drained (up to a bound) and reported as too large. */
function readBody(req: IncomingMessage, max: number): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (tooLarge) {
        if (size > max + MAX_DRAIN_BYTES) req.destroy();
        return;
      }
      if (size > max) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? { ok: false } : { ok: true, data: Buffer.concat(chunks) }));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('the client went away'));
    });
  });
}

function compileRoute(spec: RouteSpec): { spec: RouteSpec; regex: RegExp; keys: string[] } {
  const keys: string[] = [];
  const pattern = spec.path.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, (_m, key: string) => {
    keys.push(key);
    return '([^/]+)';
  });
  return { spec, regex: new RegExp(`^${pattern}$`), keys };
}

export function createDeliveryServer(options: DeliveryServerOptions): DeliveryServer {
  const { db } = options;
  if (options.adminToken.length < 16) throw new Error('The admin token must be at least 16 characters long.');
  if (options.publicKey.length < 8) throw new Error('The public key must be at least 8 characters long.');
  if (options.adminToken === options.publicKey) throw new Error('The admin token and the public key must differ.');
  const clock = options.clock ?? Date.now;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const adminSecret = Buffer.from(options.adminToken, 'utf8');
  const publicSecret = Buffer.from(options.publicKey, 'utf8');
  const origins = new Set((options.allowedOrigins ?? []).map(normalizeOrigin));
  const limiter = new RateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT, clock);
  const store = createStore(db);
  const profiles = new ProfileCache(store, options.profileCacheSize ?? 200_000);
  const routes = ROUTES.map(compileRoute);

  let live: LiveMessage[] = [];
  /** Compiles the stored messages again: after every change, so decide never reads SQL for them. */
  const reload = (): void => {
    live = store
      .messages()
      .filter((row) => row.state !== 'deleted')
      .map((row) => compileMessage(row.id, row.version, row.state as LiveMessage['state'], JSON.parse(row.body) as PublishBody))
      .sort(byPriority);
    profiles.setNeededNames(neededEventNames(live));
  };
  reload();

  const present = (row: MessageRow): Record<string, unknown> => {
    const body = JSON.parse(row.body) as PublishBody;
    return {
      id: row.id,
      ...body,
      version: row.version,
      state: row.state,
      publishedAt: iso(row.published_at),
      updatedAt: iso(row.updated_at),
      results: store.results(row.id),
    };
  };

  const messageId = (ctx: Context): string | Answer => {
    const id = ctx.params.id ?? '';
    if (!MESSAGE_ID.test(id)) {
      return fail(400, 'invalid_argument', 'A message id is 1 to 128 characters: letters, digits, and . _ : - (not first).');
    }
    return id;
  };

  const existing = (ctx: Context): MessageRow | Answer => {
    const id = messageId(ctx);
    if (typeof id !== 'string') return id;
    const row = store.message(id);
    if (!row || row.state === 'deleted') return fail(404, 'not_found', `There is no message "${id}".`);
    return row;
  };

  const transition = (to: StoredState): SyncHandler => (ctx) => {
    const row = existing(ctx);
    if ('status' in row) return row;
    if (row.state === 'ended' && to !== 'ended') {
      return fail(409, 'conflict', `Message "${row.id}" has ended; an ended message cannot be ${to === 'paused' ? 'paused' : 'resumed'}.`, {
        message: present(row),
      });
    }
    if (row.state !== to) store.setState(row.id, to, ctx.now);
    return { status: 200, body: { message: present(store.message(row.id) as MessageRow) } };
  };

  /** Validates and stores records; per-record rejections are reported, not fatal. */
  const ingest = (raws: readonly unknown[], now: number): { accepted: number; duplicates: number; rejected: { index: number; reason: string }[] } => {
    const rejected: { index: number; reason: string }[] = [];
    const valid: IncomingRecord[] = [];
    raws.forEach((item, index) => {
      let raw = item;
      // A record without a timestamp happened when it arrived.
      if (isPlainObject(raw) && (raw.timestamp === undefined || raw.timestamp === null)) raw = { ...raw, timestamp: iso(now) };
      const result = normalizeRecord(raw);
      if (!result.ok) rejected.push({ index, reason: result.reason });
      else if (result.record.ts < MIN_TS || result.record.ts > MAX_TS) {
        rejected.push({ index, reason: 'timestamp is outside the years 0000 to 9999' });
      } else valid.push({ type: recordType(raw as Record<string, unknown>), record: result.record });
    });
    const applied = store.transaction(() => valid.map((incoming) => store.ingest(incoming, now)));
    let accepted = 0;
    for (const change of applied) {
      if (change === null) continue;
      accepted += 1;
      profiles.apply(change);
    }
    return { accepted, duplicates: applied.length - accepted, rejected };
  };

  const invalid = (what: string, issues: string[]): Answer =>
    fail(400, 'invalid_argument', `${what} is not valid: ${issues.join('; ')}`, { issues });

  const handlers: Record<RouteName, Handler> = {
    health: (ctx) => ({ status: 200, body: { ok: true, time: iso(ctx.now) } }),
    openapi: () => ({ status: 200, body: openapi }),
    sdk: async () => {
      const missing = fail(404, 'not_found', 'The SDK is not built on this server yet (out/sdk/guidepost.js is missing). Build the SDK and try again.');
      if (!options.sdkFile) return missing;
      try {
        const data = await readFile(options.sdkFile);
        return {
          status: 200,
          raw: { contentType: 'text/javascript; charset=utf-8', data },
          headers: { 'Cache-Control': 'public, max-age=300', 'Cross-Origin-Resource-Policy': 'cross-origin' },
        };
      } catch {
        return missing;
      }
    },
    listMessages: () => ({ status: 200, body: { messages: store.messages().map(present) } }),
    getMessage: (ctx) => {
      const row = existing(ctx);
      return 'status' in row ? row : { status: 200, body: { message: present(row) } };
    },
    publish: (ctx) => {
      const id = messageId(ctx);
      if (typeof id !== 'string') return id;
      const parsed = publishSchema.safeParse(ctx.body);
      if (!parsed.success) return invalid('The message', describeIssues(parsed.error));
      const body = parsed.data;
      const stored = store.message(id);
      if (stored && stored.version >= body.version) {
        return fail(409, 'conflict', `Version ${body.version} of message "${id}" is not newer than the stored version ${stored.version}.`, {
          message: present(stored),
        });
      }
      const state: StoredState = stored && stored.state !== 'deleted' ? stored.state : 'running';
      store.publish(id, body.version, JSON.stringify(body), state, ctx.now);
      const created = !stored || stored.state === 'deleted';
      return { status: created ? 201 : 200, body: { message: present(store.message(id) as MessageRow), created } };
    },
    deleteMessage: (ctx) => {
      const row = existing(ctx);
      if ('status' in row) return row;
      store.setState(row.id, 'deleted', ctx.now);
      return { status: 200, body: { id: row.id, deleted: true } };
    },
    pause: transition('paused'),
    resume: transition('running'),
    end: transition('ended'),
    events: (ctx) => {
      const query = exportQuerySchema.safeParse({
        after: ctx.query.get('after') ?? undefined,
        limit: ctx.query.get('limit') ?? undefined,
      });
      if (!query.success) return invalid('The query', describeIssues(query.error));
      const after = Number(query.data.after ?? '0');
      const limit = Math.min(query.data.limit ?? MAX_EXPORT_PAGE, MAX_EXPORT_PAGE);
      const rows = store.exportPage(after, limit + 1);
      const page = rows.slice(0, limit);
      const hasMore = rows.length > limit;
      const next = page.length > 0 ? String((page[page.length - 1] as RecordRow).seq) : String(after);
      return { status: 200, jsonText: `{"events":[${page.map(exportJson).join(',')}],"next":${JSON.stringify(next)},"hasMore":${hasMore}}` };
    },
    identify: (ctx) => {
      const parsed = identifySchema.safeParse(ctx.body);
      if (!parsed.success) return invalid('The identify call', describeIssues(parsed.error));
      const { userId, traits, timestamp, messageId: recordId } = parsed.data;
      const raw = { type: 'identify', userId, traits: traits ?? {}, timestamp, ...(recordId === undefined ? {} : { messageId: recordId }) };
      const result = ingest([raw], ctx.now);
      const rejection = result.rejected[0];
      if (rejection) return fail(400, 'invalid_argument', `The identify call is not valid: ${rejection.reason}`);
      return { status: 200, body: { accepted: result.accepted, duplicates: result.duplicates } };
    },
    track: (ctx) => {
      const parsed = trackSchema.safeParse(ctx.body);
      if (!parsed.success) return invalid('The batch', describeIssues(parsed.error));
      return { status: 200, body: ingest(parsed.data.batch, ctx.now) };
    },
    decide: (ctx) => {
      const parsed = decideSchema.safeParse(ctx.body);
      if (!parsed.success) return invalid('The decide call', describeIssues(parsed.error));
      const request = parsed.data;
      const chosen = chooseMessages(live, request, () => profiles.get(request.userId), ctx.now);
      return { status: 200, jsonText: decideAnswerJson(chosen) };
    },
  };

  /** Runs an admin change once per Idempotency-Key: a repeat replays the stored answer and changes nothing. */
  const runIdempotent = (handler: SyncHandler, ctx: Context, key: string | undefined, requestHash: string): Answer => {
    if (key === undefined) return handler(ctx);
    const prior = store.idempotent(key);
    if (prior) {
      if (prior.request_hash !== requestHash) {
        return fail(422, 'invalid_argument', 'This Idempotency-Key was already used for a different request. Use a new key for a new request.');
      }
      return { status: prior.status, jsonText: prior.body, headers: { 'Idempotent-Replayed': 'true' } };
    }
    return store.transaction(() => {
      const answer = handler(ctx);
      // Only what was applied is remembered: a refused request changed nothing and may be corrected.
      if (answer.status >= 200 && answer.status < 300) {
        store.saveIdempotent(key, requestHash, answer.status, answer.jsonText ?? JSON.stringify(answer.body), ctx.now);
        store.pruneIdempotency(ctx.now - IDEMPOTENCY_TTL_MS);
      }
      return answer;
    });
  };

  const send = (res: ServerResponse, answer: Answer, extraHeaders: Record<string, string>): void => {
    if (res.headersSent || res.destroyed) return;
    if (answer.raw) {
      res.writeHead(answer.status, {
        ...BASE_HEADERS,
        ...extraHeaders,
        ...answer.headers,
        'Content-Type': answer.raw.contentType,
        'Content-Length': answer.raw.data.length,
      });
      res.end(answer.raw.data);
      return;
    }
    if (answer.status === 204) {
      res.writeHead(204, { ...BASE_HEADERS, ...extraHeaders, ...answer.headers });
      res.end();
      return;
    }
    // '<' only ever stands inside JSON strings, where \u003c means the same: no answer can read as markup.
    const text = (answer.jsonText ?? JSON.stringify(answer.body ?? null)).replace(/</g, '\\u003c');
    res.writeHead(answer.status, {
      ...BASE_HEADERS,
      ...extraHeaders,
      ...answer.headers,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
  };

  const clientAddress = (req: IncomingMessage): string => {
    if (options.trustProxy) {
      const forwarded = req.headers['x-forwarded-for'];
      const list = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',');
      // The proxy appends the address it saw: the last entry is the one nobody upstream could forge.
      const last = list[list.length - 1]?.trim();
      if (last) return last;
    }
    return req.socket.remoteAddress ?? 'unknown';
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const cors: Record<string, string> = {};
    // The path as sent, never resolved: "/v1/../v1/events" is simply not a route.
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const pathname = queryAt < 0 ? target : target.slice(0, queryAt);
    const method = req.method ?? 'GET';
    const matches = routes
      .map((route) => ({ route, match: route.regex.exec(pathname) }))
      .filter((m): m is { route: (typeof routes)[number]; match: RegExpExecArray } => m.match !== null);
    if (matches.length === 0) {
      send(res, fail(404, 'not_found', `There is no endpoint ${pathname.slice(0, 200)}.`), cors);
      return;
    }
    const isClientPath = matches.some((m) => m.route.spec.access === 'client');
    const origin = req.headers.origin;
    const originAllowed = origin !== undefined && origins.has(origin);
    if (isClientPath && originAllowed) {
      cors['Access-Control-Allow-Origin'] = origin;
      cors['Access-Control-Expose-Headers'] = 'Retry-After';
    }
    if (isClientPath) cors.Vary = 'Origin';

    if (method === 'OPTIONS') {
      if (!isClientPath) {
        send(res, fail(405, 'method_not_allowed', 'Only the client endpoints answer cross-origin requests.'), cors);
        return;
      }
      if (!originAllowed) {
        send(res, fail(403, 'forbidden', 'This origin may not call the delivery API. Add it with --allowed-origin.'), cors);
        return;
      }
      send(
        res,
        {
          status: 204,
          headers: {
            'Access-Control-Allow-Methods': 'POST, OPTIONS',
            'Access-Control-Allow-Headers': 'Content-Type, X-Guidepost-Key',
            'Access-Control-Max-Age': '600',
          },
        },
        cors,
      );
      return;
    }

    // HEAD of a public GET (uptime checks): Node answers it without the body.
    const found = matches.find(
      (m) => m.route.spec.method === method || (method === 'HEAD' && m.route.spec.method === 'GET' && m.route.spec.access === 'public'),
    );
    if (!found) {
      const allow = matches.map((m) => m.route.spec.method).join(', ');
      send(res, fail(405, 'method_not_allowed', `${pathname.slice(0, 200)} answers ${allow}, not ${method.slice(0, 20)}.`), { ...cors, Allow: allow });
      return;
    }
    const { spec } = found.route;
    const params: Record<string, string> = {};
    try {
      found.route.keys.forEach((key, i) => {
        params[key] = decodeURIComponent(found.match[i + 1] ?? '');
      });
    } catch {
      send(res, fail(400, 'invalid_argument', 'The request path is not valid percent-encoding.'), cors);
      return;
    }

    if (spec.access !== 'public') {
      const authorization = req.headers.authorization;
      const bearer = typeof authorization === 'string' && authorization.startsWith('Bearer ') ? authorization.slice(7) : undefined;
      const key = req.headers['x-guidepost-key'];
      const authorized =
        spec.access === 'admin' ? sameSecret(bearer, adminSecret) : sameSecret(typeof key === 'string' ? key : undefined, publicSecret);
      // Failed attempts from one address share one bucket: guessing keys is rate limited too.
      const rate = limiter.take(`${authorized ? spec.access : 'unauthorized'}|${clientAddress(req)}`);
      if (!rate.ok) {
        const seconds = String(rate.retryAfterSeconds);
        send(res, fail(429, 'rate_limited', `Too many requests: try again in ${seconds} s.`), { ...cors, 'Retry-After': seconds });
        return;
      }
      if (!authorized) {
        const message =
          spec.access === 'admin'
            ? 'Missing or wrong admin token (send Authorization: Bearer <admin token>; the public key does not work here)'
            : 'Missing or wrong public key (send X-Guidepost-Key: <public key>; the admin token does not work here)';
        send(res, fail(401, 'unauthorized', message), { ...cors, ...(spec.access === 'admin' ? { 'WWW-Authenticate': 'Bearer' } : {}) });
        return;
      }
      if (spec.access === 'client' && origin !== undefined && !originAllowed) {
        send(res, fail(403, 'forbidden', 'This origin may not call the delivery API. Add it with --allowed-origin.'), cors);
        return;
      }
    }

    let bodyText = '';
    let body: unknown = undefined;
    if (method === 'POST' || method === 'PUT' || method === 'DELETE') {
      const limit = spec.maxBody > 0 ? spec.maxBody : MAX_CLIENT_BODY;
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > limit + MAX_DRAIN_BYTES) {
        // Not worth reading: answer at once and close the connection.
        send(res, fail(413, 'too_large', `The body is larger than ${limit} bytes.`), { ...cors, Connection: 'close' });
        return;
      }
      let read: BodyResult;
      try {
        read = await readBody(req, limit);
      } catch {
        return; // The client went away mid-body: nobody to answer.
      }
      if (!read.ok) {
        send(res, fail(413, 'too_large', `The body is larger than ${limit} bytes.`), cors);
        return;
      }
      bodyText = read.data.toString('utf8');
      if (spec.maxBody > 0) {
        if (bodyText.trim() === '') {
          send(res, fail(400, 'invalid_argument', 'The body is empty: send a JSON object.'), cors);
          return;
        }
        try {
          body = JSON.parse(bodyText);
        } catch (err) {
          send(res, fail(400, 'invalid_argument', `The body is not valid JSON: ${(err as Error).message}`), cors);
          return;
        }
      }
    }

    const ctx: Context = { params, query: new URLSearchParams(queryAt < 0 ? '' : target.slice(queryAt + 1)), body, now: clock() };
    let answer: Answer;
    if (spec.idempotent === true) {
      const header = req.headers['idempotency-key'];
      const key = typeof header === 'string' ? header : undefined;
      if (key !== undefined && (key.length < 1 || key.length > 255 || !/^[\x21-\x7e]+$/.test(key))) {
        send(res, fail(400, 'invalid_argument', 'An Idempotency-Key is 1 to 255 visible ASCII characters.'), cors);
        return;
      }
      try {
        answer = runIdempotent(handlers[spec.name as RouteName] as SyncHandler, ctx, key, hashHex(`${method} ${pathname}\n${bodyText}`));
      } finally {
        reload();
      }
    } else {
      answer = await handlers[spec.name as RouteName](ctx);
    }
    send(res, answer, cors);
  };

  const server: Server = createServer((req, res) => {
    res.on('error', () => undefined);
    req.on('error', () => undefined);
    handle(req, res).catch((err: unknown) => {
      log(`guidepost delivery: ${req.method} ${req.url}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      if (!res.headersSent) send(res, fail(500, 'internal', 'The server failed to answer this request.'), {});
      else res.destroy();
    });
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  // A request the HTTP parser cannot read gets a plain 400 and a closed connection; nothing more.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  let baseUrl = '';
  return {
    get url() {
      return baseUrl;
    },
    listen: (port = 0, host = '127.0.0.1') =>
      new Promise<string>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          baseUrl = `http://${shownHost}:${address.port}`;
          resolve(baseUrl);
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
