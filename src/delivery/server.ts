/**
 * The delivery API server: plain node:http, JSON only. Admin endpoints (the companion publishes
 * messages and exports events) take `Authorization: Bearer <admin token>`; client endpoints (the
 * in-app SDK identifies, tracks and asks what to show) take `X-Guidepost-Key: <public key>` and answer
 * CORS only for the allowed origins. The two credentials never stand in for each other.
 *
 * Every body is size-capped and validated; nothing authored is ever served as HTML. Time is a
 * parameter (`clock`), so tests simulate days. Published messages live in memory, compiled, and are
 * reloaded on every change; user profiles come from SQLite through a small LRU (profiles.ts).
 *
 * This file only composes: a request goes through the steps of pipeline/ (route, cors, auth, rate
 * limit, body, idempotency; pipeline/run.ts holds their order) to a route handler of handlers/.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { DeliveryDb } from './db';
import { createClampCounter } from './future-clamp';
import { createAssignmentWriter, type AssignmentWriterOptions } from './assignments';
import { createClientHandlers } from './handlers/client';
import { createEraser } from './erasure';
import { createEventsHandler } from './handlers/events';
import { createLiveMessages } from './handlers/live-messages';
import { createMessageHandlers } from './handlers/messages';
import { createPublicHandlers } from './handlers/public';
import { createIngestion, type IngestionOptions } from './ingest';
import { createUserHandlers } from './handlers/users';
import { fail, writeAnswer } from './pipeline/answer';
import { createCredentials } from './pipeline/auth';
import { normalizeOrigin } from './pipeline/cors';
import { createIdentityVerifier } from './pipeline/identity';
import { RateLimiter, volumeLimits } from './pipeline/rate-limit';
import { compileRoutes, ROUTES } from './pipeline/route';
import { createPipeline } from './pipeline/run';
import { ProfileCache } from './profiles';
import { createRetention, type RetentionOptions } from './retention';
import { createStore } from './store';

export { MAX_EXPORT_PAGE } from './handlers/events';
export { MAX_BATCH_BYTES, ROUTES } from './pipeline/route';

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
  /** Take the client address from X-Forwarded-For (set this behind a reverse proxy, never without one): one proxy. */
  trustProxy?: boolean;
  /** Trusted reverse proxies in front, one behind the other (overrides trustProxy; 0: none). */
  proxyHops?: number;
  /** Open connections at most; more are refused by the kernel's backlog (default DEFAULT_MAX_CONNECTIONS). */
  maxConnections?: number;
  /** Users whose profiles stay in memory. */
  profileCacheSize?: number;
  /** Events kept per user and collected event name; past it the oldest go first (default DEFAULT_PROFILE_EVENTS_PER_NAME). */
  profileEventsPerName?: number;
  /**
   * Identity secrets (at most two, for rotation): with any, client calls must carry
   * X-Guidepost-User-Hash = HMAC-SHA256(secret, userId) for their userId (pipeline/identity.ts). None: unverified.
   */
  identitySecrets?: readonly string[];
  /** Records that arrived more than this many days ago are pruned (retention.ts); absent: nothing is pruned. */
  retainDays?: number;
  /** Tests: retention's batch size and what it awaits between batches. */
  retention?: Pick<RetentionOptions, 'batchSize' | 'yieldBetweenSteps' | 'intervalMs'>;
  /** Tests: records per transaction of a batch, and what a batch awaits before each slice (ingest.ts). */
  ingestion?: IngestionOptions;
  /** Tests: how long decide's assignments wait to be written, and how many at most (assignments.ts). */
  assignments?: Pick<AssignmentWriterOptions, 'maxDelayMs' | 'maxQueued'>;
  /** Where unexpected errors are reported (default: stderr). */
  log?: (line: string) => void;
}

export interface DeliveryServer {
  /** Starts listening; resolves with the base URL. Port 0 picks a free port. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /** The base URL once listening ('' before). */
  readonly url: string;
  /** Runs one retention pass now (0 without retainDays); resolves with the records pruned. */
  pruneExpired(): Promise<number>;
}

export const DEFAULT_RATE_LIMIT = 1200;
/** Enough for thousands of visitors' keep-alive sockets; bounded so one client cannot hold every file descriptor. */
export const DEFAULT_MAX_CONNECTIONS = 4096;
/**
 * Kept events of names no longer collected, deleted per tick, four ticks a second (2,000 a second): a
 * tick of 500 took about 1.3 ms (median) on the loaded 2-core development machine.
 */
const RETIRED_EVENTS_PER_TICK = 500;

export function createDeliveryServer(options: DeliveryServerOptions): DeliveryServer {
  const credentials = createCredentials(options.adminToken, options.publicKey);
  const identity = createIdentityVerifier(options.identitySecrets ?? [], options.adminToken, options.publicKey);
  const clock = options.clock ?? Date.now;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const allowedOrigins = new Set((options.allowedOrigins ?? []).map(normalizeOrigin));
  const store = createStore(options.db, { profileEventsPerName: options.profileEventsPerName });
  const profiles = new ProfileCache(store, options.profileCacheSize ?? 200_000);
  const live = createLiveMessages(store, profiles, clock);
  // The events of names no live rule needs any more go in small batches between requests, never in one long delete.
  const dropRetired = setInterval(() => {
    try {
      store.profiles.dropRetiredEvents(RETIRED_EVENTS_PER_TICK);
    } catch (err) {
      log(`guidepost delivery: dropping the events of retired names failed: ${(err as Error).message}`);
    }
  }, 250);
  dropRetired.unref();
  const clamps = createClampCounter();
  const ingestion = createIngestion(store, profiles, clamps, options.ingestion);
  const assignments = createAssignmentWriter(store, profiles, { log, ...options.assignments });
  const exportEvents = createEventsHandler(store);

  const handle = createPipeline({
    routes: compileRoutes(ROUTES),
    allowedOrigins,
    credentials,
    limiter: new RateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT, clock),
    volume: volumeLimits(options.rateLimit ?? DEFAULT_RATE_LIMIT, clock),
    proxyHops: options.proxyHops ?? (options.trustProxy === true ? 1 : 0),
    clock,
    idempotency: store,
    handlers: {
      ...createPublicHandlers(options.sdkFile, clamps),
      ...createMessageHandlers(store),
      // The export reads every assignment decided before it: the queued ones are written first (assignments.ts).
      events: (ctx) => {
        assignments.flush();
        return exportEvents(ctx);
      },
      ...createClientHandlers(store, profiles, live, clamps, ingestion, assignments, identity),
      // The eraser removes records and results; the profile store erases the profile, its kept events and frequency state.
      // The user's queued assignments go too: decided before the erasure, they may not be stored after it.
      ...createUserHandlers(createEraser(options.db), (userId) => {
        assignments.forgetUser(userId);
        profiles.eraseUser(userId);
      }),
    },
    afterChange: live.reload,
  });

  const server: Server = createServer((req, res) => {
    res.on('error', () => undefined);
    req.on('error', () => undefined);
    handle(req)
      .then((reply) => {
        if (!reply) return;
        if (reply.answer.logLine) log(`guidepost delivery: ${req.method} ${req.url}: ${reply.answer.status} ${reply.answer.logLine}`);
        writeAnswer(res, reply.answer, reply.headers);
      })
      .catch((err: unknown) => {
        log(`guidepost delivery: ${req.method} ${req.url}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        if (!res.headersSent) writeAnswer(res, fail(500, 'internal', 'The server failed to answer this request.'), {});
        else res.destroy();
      });
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  // A request the HTTP parser cannot read gets a plain 400 and a closed connection; nothing more.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  const retention =
    options.retainDays === undefined
      ? null
      : createRetention({
          db: options.db,
          retainDays: options.retainDays,
          clock,
          log,
          onDeleted: (records) => store.profiles.forgetEvents(records),
          onPruned: (userIds) => userIds.forEach((userId) => profiles.forget(userId)),
          ...options.retention,
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
          retention?.start();
          resolve(baseUrl);
        });
      }),
    pruneExpired: () => {
      // The pass sees every assignment decided before it, as the export does.
      assignments.flush();
      return retention?.pass() ?? Promise.resolve(0);
    },
    close: async () => {
      clearInterval(dropRetired);
      await retention?.stop();
      // A batch being stored ends at its next slice, so the database may close after this; the turn after
      // lets its 503 (which says how far it got) be written before the connections close.
      await ingestion.stop();
      assignments.flush();
      await new Promise<void>((resolve) => setImmediate(resolve));
      await new Promise<void>((resolve) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
