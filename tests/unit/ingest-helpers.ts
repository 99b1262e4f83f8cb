/**
 * Helpers for the import and sync tests: a content dump of a cache (independent of row ids), and a
 * loopback server that follows the delivery server's events-export contract:
 *   GET /v1/events?after=<cursor>&limit=<n>   Authorization: Bearer <token>
 *   → {"events": [...], "next": "<opaque cursor>", "hasMore": boolean}
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect } from 'vitest';
import { openCache, type Db } from '../../src/main/db/connection';
import type { ImportSummary } from '../../src/shared/types';

export interface CacheContent {
  events: { event_id: string; user: string; name: string; ts: number; properties: string | null }[];
  users: { id: string; traits: string; trait_times: string; first_seen: number | null; last_seen: number | null }[];
  daily: { day: number; name: string; events: number; first_ts: number; last_ts: number }[];
  propertyKeys: { name: string; key: string; types: number }[];
}

/** Everything a cache holds about events and users, by content: no row ids, sorted. */
export function cacheContent(db: Db): CacheContent {
  return {
    events: db
      .prepare(
        `SELECT e.event_id, u.id AS user, n.name, e.ts, e.properties
           FROM events e JOIN users u USING (user_pk) JOIN event_names n USING (name_id)
          ORDER BY e.event_id, e.ts, e.properties`,
      )
      .all() as CacheContent['events'],
    users: db
      .prepare('SELECT id, traits, trait_times, first_seen, last_seen FROM users ORDER BY id')
      .all() as CacheContent['users'],
    daily: db
      .prepare(
        `SELECT d.day, n.name, d.events, d.first_ts, d.last_ts
           FROM event_daily d JOIN event_names n USING (name_id) ORDER BY d.day, n.name`,
      )
      .all() as CacheContent['daily'],
    propertyKeys: db
      .prepare(
        `SELECT n.name, k.key, k.types FROM event_property_keys k JOIN event_names n USING (name_id) ORDER BY n.name, k.key`,
      )
      .all() as CacheContent['propertyKeys'],
  };
}

/** The identity tables by content (no row ids), for comparing caches: links, accounts, membership. */
export function identityContent(db: Db): unknown {
  return {
    links: db.prepare('SELECT l.id, u.id AS user, l.known FROM identity_links l LEFT JOIN users u USING (user_pk) ORDER BY l.id').all(),
    accounts: db.prepare('SELECT group_id, traits, trait_times, first_seen, last_seen FROM accounts ORDER BY group_id').all(),
    members: db
      .prepare('SELECT u.id AS user, a.group_id, m.since FROM account_members m JOIN users u USING (user_pk) JOIN accounts a USING (account_pk) ORDER BY 1, 2')
      .all(),
  };
}

/** A crash test's end: the resumed cache holds the `events` records and the same content as the uninterrupted one. */
export function expectSameContent(resumed: CacheContent, uninterrupted: CacheContent, events: number): void {
  expect(uninterrupted.events).toHaveLength(events);
  expect(resumed.events).toHaveLength(events);
  expect(resumed.events).toEqual(uninterrupted.events);
  expect(resumed.users).toEqual(uninterrupted.users);
  expect(resumed.daily).toEqual(uninterrupted.daily);
  expect(resumed.propertyKeys).toEqual(uninterrupted.propertyKeys);
}

/** Opens a cache file (written by a child process, say) for the length of `use`. */
export function withCache<T>(path: string, use: (db: Db) => T): T {
  const { db } = openCache(path);
  try {
    return use(db);
  } finally {
    db.close();
  }
}

export function scalar<T = number>(db: Db, sql: string, ...params: unknown[]): T {
  return db.prepare(sql).pluck().get(...params) as T;
}

/** Rows in events (records: events and identify calls), events proper, users, import reports. */
export function counts(db: Db): { records: number; events: number; users: number; reports: number } {
  return {
    records: scalar(db, 'SELECT count(*) FROM events'),
    events: scalar(db, 'SELECT count(*) FROM events WHERE name_id <> 0'),
    users: scalar(db, 'SELECT count(*) FROM users'),
    reports: scalar(db, 'SELECT count(*) FROM import_reports'),
  };
}

export function kvValue(db: Db, key: string): string | undefined {
  return db.prepare('SELECT value FROM kv WHERE key = ?').pluck().get(key) as string | undefined;
}

/** A deterministic PRNG (mulberry32), for seeded test data and random moments. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const EXPORT_BASE_TS = Date.UTC(2025, 0, 6, 9, 0, 0);

/**
 * Record i of a server's export: mostly track calls, every 7th an identify call, every 11th a page
 * call; every 13th has no messageId (its id is derived from its content).
 */
export function exportRecord(i: number): Record<string, unknown> {
  const userId = `user-${i % 37}`;
  const timestamp = new Date(EXPORT_BASE_TS + i * 61_000).toISOString();
  const withId = i % 13 === 0 ? {} : { messageId: `srv-${i}` };
  if (i % 7 === 0) {
    return { type: 'identify', userId, timestamp, traits: { plan: ['free', 'pro', 'growth'][i % 3], seen: i }, ...withId };
  }
  if (i % 11 === 0) {
    return { type: 'page', userId, timestamp, name: `Page ${i % 4}`, properties: { path: `/p/${i % 4}` }, ...withId };
  }
  return { type: 'track', event: `action_${i % 5}`, userId, timestamp, properties: { n: i, even: i % 2 === 0 }, ...withId };
}

export type Fault = 'status500' | 'status429' | 'cutOff' | 'notAPage' | 'destroy' | 'closeServer';

export interface ExportRequest {
  n: number;
  /** Position the request asked to read from (0 when no cursor). */
  position: number;
  limit: number;
  authorized: boolean;
  fault: Fault | null;
}

export interface ExportServerOptions {
  records: Record<string, unknown>[];
  token: string;
  /** The most events the server returns per page, whatever the client asks. */
  maxPage?: number;
  /** Delay before each response, in ms. */
  delayMs?: number;
  /** Called for each request before it is answered (may be async). */
  onRequest?: (request: ExportRequest) => void | Promise<void>;
  /** A queue of faults per position: each request for that position takes the next one. */
  faults?: Map<number, Fault[]>;
  /** Retry-After sent with a 429 fault. */
  retryAfter?: string;
  port?: number;
}

export interface ExportServer {
  url: string;
  port: number;
  records: Record<string, unknown>[];
  requests: ExportRequest[];
  faults: Map<number, Fault[]>;
  cursorAt(position: number): string;
  close(): Promise<void>;
}

/** An opaque cursor: the position after the last event returned, disguised. */
export function cursorFor(position: number): string {
  return Buffer.from(`pos:${position}:gp`).toString('base64url');
}

function positionOf(cursor: string | null): number | null {
  if (cursor === null || cursor === '') return 0;
  const m = /^pos:(\d+):gp$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : null;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startExportServer(options: ExportServerOptions): Promise<ExportServer> {
  const records = options.records;
  const requests: ExportRequest[] = [];
  const faults = options.faults ?? new Map<number, Fault[]>();
  const maxPage = options.maxPage ?? 1000;

  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    res.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const authorized = req.headers.authorization === `Bearer ${options.token}`;
    const position = positionOf(url.searchParams.get('after'));
    const limit = Math.max(1, Math.min(maxPage, Number(url.searchParams.get('limit') ?? '100') || 100));
    const queue = position === null ? undefined : faults.get(position);
    const fault = authorized && queue && queue.length > 0 ? (queue.shift() as Fault) : null;
    const request: ExportRequest = { n: requests.length + 1, position: position ?? -1, limit, authorized, fault };
    requests.push(request);
    await options.onRequest?.(request);
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));

    const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
      res.end(text);
    };
    if (url.pathname !== '/v1/events' || req.method !== 'GET') return json(404, { error: 'not found' });
    if (!authorized) return json(401, { error: 'invalid or missing token' });
    if (position === null) return json(400, { error: 'bad cursor' });

    const events = records.slice(position, position + limit);
    const end = position + events.length;
    const page = { events, next: cursorFor(end), hasMore: end < records.length };
    switch (fault) {
      case null:
        return json(200, page);
      case 'status500':
        return json(500, { error: 'internal error' });
      case 'status429':
        return json(429, { error: 'slow down' }, { 'retry-after': options.retryAfter ?? '0' });
      case 'notAPage':
        return json(200, { items: events, cursor: page.next });
      case 'cutOff': {
        // Promise the whole page, send half of it, then drop the connection.
        const text = JSON.stringify(page);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.write(text.slice(0, Math.floor(text.length / 2)), () => {
          setTimeout(() => res.socket?.destroy(), 10);
        });
        return;
      }
      case 'destroy':
        res.socket?.destroy();
        return;
      case 'closeServer':
        res.socket?.destroy();
        await closeServer(server);
        return;
    }
  };

  const server: Server = createServer((req, res) => {
    answer(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500);
        res.end(String(err));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    records,
    requests,
    faults,
    cursorAt: cursorFor,
    close: () => (server.listening ? closeServer(server) : Promise.resolve()),
  };
}

/**
 * Writes `content` to `name` in `dir` and imports it into a new cache there in a child process
 * (tests/unit/fixtures/import-run.ts), on parser threads as the app and the CLI run an import; `env`
 * passes its settings. Returns the summary and what `read` reads from the cache afterwards.
 */
export function importInChildProcess<T>(
  dir: string,
  name: string,
  content: string | Buffer,
  env: Record<string, string>,
  read: (db: Db) => T,
): { summary: ImportSummary; read: T } {
  const file = join(dir, name);
  const cache = join(dir, 'child.db');
  writeFileSync(file, content);
  const run = spawnSync(process.execPath, ['--import', './scripts/register-ts.mjs', 'tests/unit/fixtures/import-run.ts', file, cache], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  if (run.status !== 0) throw new Error(`import-run exited ${run.status}: ${run.stderr}`);
  const summary = JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as ImportSummary;
  return { summary, read: withCache(cache, read) };
}

/** The built CLI (out/main/cli.js), which `npm test` builds before the unit tests. */
export function builtCli(): string {
  const cli = join(process.cwd(), 'out', 'main', 'cli.js');
  if (!existsSync(cli)) throw new Error('out/main/cli.js is missing: `npm test` builds before the unit tests; run `npm run build`.');
  return cli;
}

/**
 * Imports with the built CLI (`--json`, parser threads included: the product as it ships) and reads the
 * child's peak resident memory from the kernel's high-water mark (/proc/<pid>/status VmHWM), polled
 * until it exits. Resolves with its standard output.
 */
export function importWithBuiltCli(file: string, db: string): Promise<{ out: string; peakRssMb: number; samples: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtCli(), 'import', file, '--db', db, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let peakKb = 0;
    let samples = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) {
          peakKb = Math.max(peakKb, Number(m[1]));
          samples += 1;
        }
      } catch {
        // The child is gone; its last reading stands.
      }
    }, 20);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      if (code !== 0) return reject(new Error(`import exited ${code}: ${err}`));
      resolve({ out, peakRssMb: Math.round(peakKb / 1024), samples });
    });
  });
}
