/**
 * The delivery API server: plain node:http, JSON only. Admin endpoints (the companion publishes
 * messages and exports events) take `Authorization: Bearer <admin token>`; client endpoints (the
 * in-app SDK identifies, tracks and asks what to show) take `X-Guidepost-Key: <public key>` and answer
 * CORS only for the allowed origins. The two credentials never stand in for each other.
 *
 * Every body is size-capped and validated; nothing authored is ever served as HTML. Time is a
 * parameter (`clock`), so tests simulate days. Storage is a DeliveryEngine (engine/types.ts): SQLite
 * (one process owns a file) or PostgreSQL (any number of stateless nodes share one database). Published
 * messages live in memory, compiled, and are reloaded on every change; user profiles come from the
 * engine through a small LRU (profiles.ts). On PostgreSQL the change feed (`changes`, postgres/notify.ts:
 * LISTEN/NOTIFY) carries each node's changes to the others: a message change reloads their message sets,
 * a changed user drops their cached copies of that profile.
 *
 * This file only composes: a request goes through the steps of pipeline/ (route, cors, auth, rate
 * limit, body, idempotency; pipeline/run.ts holds their order) to a route handler of handlers/.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { DeliveryDb } from './db';
import { createSqliteEngine } from './engine/sqlite';
import type { DeliveryEngine } from './engine/types';
import { createClampCounter } from './future-clamp';
import { createAssignmentWriter, type AssignmentWriterOptions } from './assignments';
import { createClientHandlers } from './handlers/client';
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
import type { ChangeFeed, NodeChanges } from './postgres/notify';
import { createRetention, type RetentionOptions } from './retention';

export { MAX_EXPORT_PAGE } from './handlers/events';
export { MAX_BATCH_BYTES, ROUTES } from './pipeline/route';

export interface DeliveryServerOptions {
  /** The SQLite database (the server wraps it in the SQLite engine); ignored when `engine` is given. */
  db?: DeliveryDb;
  /** The storage engine (engine/types.ts); the server does not close it. */
  engine?: DeliveryEngine;
  /** The change feed between the nodes of one PostgreSQL database (postgres/notify.ts); absent on SQLite. */
  changes?: NodeChanges;
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
  const engine = options.engine ?? (options.db ? createSqliteEngine(options.db, { profileEventsPerName: options.profileEventsPerName }) : null);
  if (engine === null) throw new Error('createDeliveryServer needs a database: `db` (SQLite) or `engine`.');
  const changes = options.changes;
  const usersChanged = (userIds: readonly string[]): void => changes?.usersChanged(userIds);
  const profiles = new ProfileCache(engine, options.profileCacheSize ?? 200_000);
  const live = createLiveMessages(engine, profiles, clock);
  const reloadMessages = (why: string): Promise<void> =>
    live.reload().catch((err: unknown) => log(`guidepost delivery: reloading the messages (${why}) failed: ${(err as Error).message}`));
  // The events of names no live rule needs any more go in small batches between requests, never in one long delete.
  let dropping = false;
  const dropRetired = setInterval(() => {
    if (dropping) return;
    dropping = true;
    engine
      .dropRetiredEvents(RETIRED_EVENTS_PER_TICK)
      .catch((err: unknown) => log(`guidepost delivery: dropping the events of retired names failed: ${(err as Error).message}`))
      .finally(() => {
        dropping = false;
      });
  }, 250);
  dropRetired.unref();
  const clamps = createClampCounter();
  const ingestion = createIngestion(engine, profiles, clamps, options.ingestion, usersChanged);
  const assignments = createAssignmentWriter(engine, profiles, { log, ...options.assignments }, usersChanged);
  const exportEvents = createEventsHandler(engine);
  let feed: ChangeFeed | null = null;

  const handle = createPipeline({
    routes: compileRoutes(ROUTES),
    allowedOrigins,
    credentials,
    limiter: new RateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT, clock),
    volume: volumeLimits(options.rateLimit ?? DEFAULT_RATE_LIMIT, clock),
    proxyHops: options.proxyHops ?? (options.trustProxy === true ? 1 : 0),
    clock,
    idempotency: engine,
    handlers: {
      ...createPublicHandlers(options.sdkFile, clamps, async () => ({
        database: await engine.health(),
        messages: { version: live.version, count: live.current.length, loadedAt: live.loadedAt },
        changeFeed: changes === undefined ? null : { listening: feed?.listening === true },
      })),
      ...createMessageHandlers(engine),
      // The export reads every assignment decided before it: the queued ones are written first (assignments.ts).
      events: async (ctx) => {
        await assignments.flush();
        return exportEvents(ctx);
      },
      ...createClientHandlers(engine, profiles, live, clamps, ingestion, assignments, identity, usersChanged),
      // The engine erases the records, results and the profile (kept events, frequency state) in one transaction.
      // The user's queued assignments go first: decided before the erasure, they may not be stored after it.
      ...createUserHandlers(
        async (userId, now) => {
          assignments.forgetUser(userId);
          await assignments.settled();
          return engine.eraseUser(userId, now);
        },
        (userId) => {
          profiles.forget(userId);
          usersChanged([userId]);
        },
      ),
    },
    // Every admin change reloads this node's messages before it answers, and an applied one tells the other nodes.
    afterChange: async (answer) => {
      await reloadMessages('after an admin change');
      if (changes && answer !== null && answer.status >= 200 && answer.status < 300 && answer.headers?.['Idempotent-Replayed'] === undefined) {
        await changes.messagesChanged().catch((err: unknown) => log(`guidepost delivery: telling the other nodes of a change failed: ${(err as Error).message}`));
      }
    },
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
          prune: (cutoff, limit) => engine.pruneStep(cutoff, limit),
          retainDays: options.retainDays,
          clock,
          log,
          onPruned: (userIds) => {
            userIds.forEach((userId) => profiles.forget(userId));
            usersChanged(userIds);
          },
          ...options.retention,
        });

  let baseUrl = '';
  return {
    get url() {
      return baseUrl;
    },
    listen: async (port = 0, host = '127.0.0.1') => {
      await live.reload();
      if (changes) {
        feed = changes.listen(
          {
            onMessages: () => void reloadMessages('another node changed them'),
            onUsers: (userIds) => userIds.forEach((userId) => profiles.forget(userId)),
            onReload: async () => {
              profiles.clear();
              await reloadMessages('the change feed connected');
            },
          },
          (err) => log(`guidepost delivery: the change feed: ${err.message}`),
        );
        // Not listening yet (the database is away): the feed keeps trying, and reloads everything once it listens.
        await feed.ready.catch(() => undefined);
      }
      return new Promise<string>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          baseUrl = `http://${shownHost}:${address.port}`;
          retention?.start();
          resolve(baseUrl);
        });
      });
    },
    pruneExpired: async () => {
      // The pass sees every assignment decided before it, as the export does.
      await assignments.flush();
      return retention?.pass() ?? 0;
    },
    close: async () => {
      clearInterval(dropRetired);
      await retention?.stop();
      // A batch being stored ends at its next slice, so the database may close after this; the turn after
      // lets its 503 (which says how far it got) be written before the connections close.
      await ingestion.stop();
      await assignments.flush();
      await assignments.settled();
      await feed?.close();
      await changes?.flush().catch((err: unknown) => log(`guidepost delivery: telling the other nodes of the last changes failed: ${(err as Error).message}`));
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
