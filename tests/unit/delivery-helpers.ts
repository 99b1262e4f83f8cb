/**
 * Helpers for the delivery server tests: a real server on 127.0.0.1 (port 0) over a real SQLite file
 * in a temporary folder, or over a fresh database of the shared PostgreSQL test cluster (issue 20: the
 * suites run on both engines, `describe.each(SERVER_ENGINES)`), a settable clock, and requests through
 * node:http (which, unlike fetch, lets a test send any header, Origin included, and any bytes as a body).
 */
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { openDeliveryDb, type DeliveryDb } from '../../src/delivery/db';
import type { DeliveryEngine } from '../../src/delivery/engine/types';
import { resolveDeliveryDatabase, type DeliveryDatabase } from '../../src/delivery/postgres/connection';
import { openPostgresEngine } from '../../src/delivery/postgres/engine';
import { createPostgresNodeChanges, type NodeChanges } from '../../src/delivery/postgres/notify';
import type { ProfileSource } from '../../src/delivery/profiles';
import { createDeliveryServer, type DeliveryServer, type DeliveryServerOptions } from '../../src/delivery/server';
import type { DeliveryStore } from '../../src/delivery/store';
import { createTestDatabase, testCluster } from '../support/postgres-vitest';
import { useTempDir } from './helpers';

export const ADMIN_TOKEN = 'admin-token-0123456789abcdef';
export const PUBLIC_KEY = 'pk-public-0123456789';
export const ORIGIN = 'https://app.example.com';
export const DAY = 86_400_000;
export const HOUR = 3_600_000;
/** Monday 1 June 2026, 09:00 UTC: "now" at the start of every test. */
export const T0 = Date.UTC(2026, 5, 1, 9, 0, 0);

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string or buffer as is. */
  body?: unknown;
  /** Keep-alive connections of one server (none by default). */
  agent?: Agent;
}

export function send(base: string, method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
  const url = new URL(path, base);
  const body =
    options.body === undefined
      ? undefined
      : Buffer.isBuffer(options.body)
        ? options.body
        : Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method,
        agent: options.agent ?? false,
        headers: {
          ...(body ? { 'Content-Type': 'application/json', 'Content-Length': String(body.length) } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text === '' ? undefined : JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export interface TestClock {
  now: number;
  advance(ms: number): void;
  days(n: number): void;
}

/** The storage engines the server suites run on. */
export const SERVER_ENGINES = ['sqlite', 'postgres'] as const;
export type ServerEngine = (typeof SERVER_ENGINES)[number];

export interface Running {
  url: string;
  engine: ServerEngine;
  /** The SQLite database (SQLite only: a test that reads it runs on SQLite alone, or uses scalar). */
  db: DeliveryDb;
  /** The rows of a query (? placeholders), on either engine: the tests' checks of what is stored. */
  rows(sql: string, ...params: unknown[]): Promise<Record<string, unknown>[]>;
  /** The first column of the first row of a query (? placeholders), on either engine. */
  scalar(sql: string, ...params: unknown[]): Promise<unknown>;
  dbPath: string;
  dir: string;
  clock: TestClock;
  server: DeliveryServer;
  /** Admin request with the admin token. */
  admin(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** Client request with the public key. */
  client(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** Any request, no credential added. */
  raw(method: string, path: string, options?: RequestOptions): Promise<Reply>;
  /** Publishes a message (defaults: a modal, an empty 'all' rule, production, version 1); expects success. */
  publish(id: string, overrides?: Record<string, unknown>): Promise<Reply>;
  track(batch: unknown[]): Promise<Reply>;
  identify(userId: string, traits: Record<string, unknown>, extra?: Record<string, unknown>): Promise<Reply>;
  /** The ids of the messages decide returns for a user. */
  decideIds(userId: string, extra?: Record<string, unknown>): Promise<string[]>;
  /** Tracks message_shown for a message at the clock's now. */
  shown(userId: string, messageId: string): Promise<void>;
  stop(): Promise<void>;
}

export type StartOptions = Partial<Omit<DeliveryServerOptions, 'db'>> & { dir?: string; start?: number; port?: number };

let counter = 0;

export function messageBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'modal',
    content: { title: 'Hello' },
    rule: { version: 1, match: 'all', conditions: [] },
    environment: 'production',
    version: 1,
    ...overrides,
  };
}

/** A server's storage for a test: SQLite in the test's folder, or PostgreSQL in a database kept per folder (a restart on the same folder finds its data). */
interface TestStorage {
  db: DeliveryDb | null;
  /** The rows of a query written with ? placeholders, on either engine (bigint columns as numbers). */
  rows(sql: string, params: unknown[]): Promise<Record<string, unknown>[]>;
  engine?: DeliveryEngine;
  changes?: NodeChanges;
  close(): Promise<void>;
}

/** PostgreSQL test databases per folder, dropped after the test. */
const postgresDatabases = new Map<string, Promise<DeliveryDatabase>>();
const droppers: (() => Promise<void>)[] = [];
afterEach(async () => {
  postgresDatabases.clear();
  for (const drop of droppers.splice(0)) await drop();
});

async function openTestStorage(engine: ServerEngine, dir: string, profileEventsPerName: number | undefined): Promise<TestStorage> {
  if (engine === 'sqlite') {
    const { db } = openDeliveryDb(join(dir, 'delivery.db'), { now: T0 });
    return {
      db,
      rows: async (sql, params) => db.prepare(sql).all(...params) as Record<string, unknown>[],
      close: async () => {
        db.close();
      },
    };
  }
  let config = postgresDatabases.get(dir);
  if (!config) {
    config = createTestDatabase(testCluster(), 'delivery_server').then((database) => {
      droppers.push(() => database.drop());
      const resolved = resolveDeliveryDatabase(database.url, {}) as DeliveryDatabase;
      // The cluster's password, as PGPASSWORD would give it.
      resolved.url.password = database.cluster.password;
      return resolved;
    });
    postgresDatabases.set(dir, config);
  }
  const database = await config;
  const { engine: opened, pool } = await openPostgresEngine(database, { now: T0, pool: { max: 4 }, profileEventsPerName });
  return {
    db: null,
    engine: opened,
    changes: createPostgresNodeChanges(pool, database),
    rows: async (sql, params) => {
      let placeholder = 0;
      const result = await pool.query<Record<string, unknown>>({ text: sql.replace(/\?/g, () => `$${++placeholder}`), values: params });
      // count(*) and bigint columns arrive as text.
      const numeric = new Set(result.fields.filter((field) => field.dataTypeID === 20).map((field) => field.name));
      return result.rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, numeric.has(key) && typeof value === 'string' ? Number(value) : value])));
    },
    close: () => opened.close(),
  };
}

/** Starts servers for a test and stops them (and closes their databases) after it; on `engine` (SQLite unless said). */
export function useDeliveryServer(engine: ServerEngine = 'sqlite'): (options?: StartOptions) => Promise<Running> {
  const tempDir = useTempDir();
  const running: Running[] = [];
  afterEach(async () => {
    for (const r of running.splice(0)) await r.stop();
  });
  return async (options = {}) => {
    const dir = options.dir ?? tempDir();
    const dbPath = join(dir, 'delivery.db');
    const storage = await openTestStorage(engine, dir, options.profileEventsPerName);
    const clock: TestClock = {
      now: options.start ?? T0,
      advance(ms) {
        this.now += ms;
      },
      days(n) {
        this.now += n * DAY;
      },
    };
    const { dir: _dir, start: _start, port, ...serverOptions } = options;
    const server = createDeliveryServer({
      adminToken: ADMIN_TOKEN,
      publicKey: PUBLIC_KEY,
      allowedOrigins: [ORIGIN],
      rateLimit: 0,
      clock: () => clock.now,
      ...serverOptions,
      ...(storage.db ? { db: storage.db } : { engine: storage.engine, changes: storage.changes }),
    });
    const url = await server.listen(port ?? 0);
    // Each server its own keep-alive pool: a restarted server on the same port never gets a dead socket.
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    let stopped = false;
    const r: Running = {
      url,
      engine,
      get db(): DeliveryDb {
        if (!storage.db) throw new Error('This test reads the SQLite database directly: run it on SQLite only.');
        return storage.db;
      },
      rows: (sql, ...params) => storage.rows(sql, params),
      scalar: async (sql, ...params) => {
        const first = (await storage.rows(sql, params))[0];
        return first === undefined ? undefined : Object.values(first)[0];
      },
      dbPath,
      dir,
      clock,
      server,
      admin: (method, path, body, headers = {}) =>
        send(url, method, path, { agent, body, headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, ...headers } }),
      client: (method, path, body, headers = {}) =>
        send(url, method, path, { agent, body, headers: { 'X-Guidepost-Key': PUBLIC_KEY, ...headers } }),
      raw: (method, path, opts) => send(url, method, path, { agent, ...opts }),
      publish: async (id, overrides = {}) => {
        const reply = await r.admin('PUT', `/v1/messages/${id}`, messageBody(overrides));
        if (reply.status !== 200 && reply.status !== 201) throw new Error(`publish ${id}: ${reply.status} ${reply.text}`);
        return reply;
      },
      track: (batch) => r.client('POST', '/v1/track', { batch }),
      identify: (userId, traits, extra = {}) =>
        r.client('POST', '/v1/identify', { userId, traits, timestamp: new Date(clock.now).toISOString(), ...extra }),
      decideIds: async (userId, extra = {}) => {
        const reply = await r.client('POST', '/v1/decide', { userId, ...extra });
        if (reply.status !== 200) throw new Error(`decide: ${reply.status} ${reply.text}`);
        return (reply.json.messages as { id: string }[]).map((m) => m.id);
      },
      shown: async (userId, messageId) => {
        counter += 1;
        const reply = await r.track([
          {
            type: 'track',
            event: 'message_shown',
            userId,
            messageId: `shown-${counter}`,
            timestamp: new Date(clock.now).toISOString(),
            properties: { message_id: messageId },
          },
        ]);
        if (reply.json?.accepted !== 1) throw new Error(`message_shown not stored: ${reply.text}`);
      },
      stop: async () => {
        if (stopped) return;
        stopped = true;
        agent.destroy();
        await server.close();
        await storage.close();
      },
    };
    running.push(r);
    return r;
  };
}

/** A track call at an instant, with a unique messageId. */
export function trackCall(userId: string, event: string, ts: number, properties: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return { type: 'track', event, userId, messageId: `t-${counter}`, timestamp: new Date(ts).toISOString(), properties };
}

/**
 * A profile cache's source over a store the test writes through directly (store.ingest, then cache.apply,
 * as the server does): the same store object, so both see the same collected names.
 */
export function storeProfileSource(store: DeliveryStore): ProfileSource {
  return {
    eventsPerName: store.profiles.eventsPerName,
    loadProfile: async (userId) => {
      const profile = store.profiles.load(userId);
      return { profile, accounts: new Map(profile.accountIds.map((groupId) => [groupId, store.accountTraits(groupId)])) };
    },
    collect: async (names, now) => store.profiles.collect(names, now),
  };
}
