/**
 * `guidepost delivery`: runs the delivery API server until Ctrl+C or SIGTERM. The one command outside
 * the contract: it serves its own database, not the desktop cache: a SQLite file (`--db`, one process) or
 * a PostgreSQL database (`--database postgres://…` or GUIDEPOST_DATABASE_URL, any number of nodes).
 */
import { fileURLToPath } from 'node:url';
import { startCheckpointer } from '../../delivery/checkpointer';
import { openDeliveryDb } from '../../delivery/db';
import { createSqliteEngine } from '../../delivery/engine/sqlite';
import type { DeliveryEngine } from '../../delivery/engine/types';
import { DATABASE_URL_ENV, resolveDeliveryDatabase } from '../../delivery/postgres/connection';
import { openPostgresEngine } from '../../delivery/postgres/engine';
import { createPostgresNodeChanges, type NodeChanges } from '../../delivery/postgres/notify';
import { BYTES_PER_REQUEST, RECORDS_PER_REQUEST } from '../../delivery/pipeline/rate-limit';
import { DEFAULT_PROFILE_EVENTS_PER_NAME } from '../../delivery/profile-store';
import { createDeliveryServer, DEFAULT_MAX_CONNECTIONS, DEFAULT_RATE_LIMIT } from '../../delivery/server';
import { secretFlagWarning, secretListOption, secretOption, type Command, type CommandContext } from './command';

/** The built SDK the delivery server serves: out/sdk beside the built CLI's out/main, or from the source tree. */
function sdkFile(): string {
  return fileURLToPath(
    import.meta.url.endsWith('.ts') ? new URL('../../../out/sdk/guidepost.js', import.meta.url) : new URL('../sdk/guidepost.js', import.meta.url),
  );
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilStopped(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function integerFlag(value: string | boolean | undefined, flag: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim()) || n < min || n > max) {
    throw new Error(`${flag} must be a whole number from ${min} to ${max}, not "${String(value)}".`);
  }
  return n;
}

const NO_DATABASE =
  'name the delivery database with --db <file> (or GUIDEPOST_DELIVERY_DB), or a PostgreSQL one with --database postgres://user@host:port/db (or GUIDEPOST_DATABASE_URL). It is not the desktop cache.';

/** The server's storage, opened: the engine, the change feed on PostgreSQL, and what the banner says of it. */
interface OpenedStorage {
  engine: DeliveryEngine;
  changes?: NodeChanges;
  /** The file, or the PostgreSQL server's host:port/database (never a password). */
  shown: string;
  kind: 'sqlite' | 'postgres';
  /** Stops what runs beside the engine (SQLite's checkpointer), then releases the database. */
  close(): Promise<void>;
}

/**
 * Opens the delivery database the flags or the environment name: `--database` (PostgreSQL) or `--db`
 * (SQLite) as flags, else GUIDEPOST_DATABASE_URL, else GUIDEPOST_DELIVERY_DB. A password inside a
 * --database URL works, with the warning every secret given as a flag gets.
 */
async function openStorage(ctx: CommandContext, values: Record<string, unknown>, profileEventsPerName: number): Promise<OpenedStorage> {
  const urlFlag = values.database as string | undefined;
  const fileFlag = values.db as string | undefined;
  if (urlFlag !== undefined && fileFlag !== undefined) throw new Error('give --database <postgres URL> or --db <file>, not both.');
  const database = fileFlag === undefined ? resolveDeliveryDatabase(urlFlag, process.env) : null;
  if (database) {
    if (database.from === '--database' && database.url.password !== undefined) ctx.note(secretFlagWarning('database', 'PGPASSWORD or a pgpass file (~/.pgpass)'));
    const log = (what: string) => (err: Error) => process.stderr.write(`guidepost delivery: ${what}: ${err.message}\n`);
    const { engine, pool } = await openPostgresEngine(database, { now: Date.now(), profileEventsPerName, onIdleError: log('an idle database connection failed') });
    const changes = createPostgresNodeChanges(pool, database, log('telling the other nodes of a change failed'));
    return { engine, changes, shown: database.url.key, kind: 'postgres', close: () => engine.close() };
  }
  const file = fileFlag ?? process.env.GUIDEPOST_DELIVERY_DB;
  if (!file) {
    throw new Error(NO_DATABASE);
  }
  const { db, path } = openDeliveryDb(file);
  // WAL checkpoints in a thread of their own, not in whichever request's commit fills the WAL (checkpointer.ts).
  const checkpointer = startCheckpointer(db, path, { log: (line) => ctx.note(line) });
  const engine = createSqliteEngine(db, { profileEventsPerName, closeDatabase: true });
  return {
    engine,
    shown: path,
    kind: 'sqlite',
    // The worker's connection first: the last one to close checkpoints the WAL and removes it.
    close: async () => {
      await checkpointer.stop();
      await engine.close();
    },
  };
}

export const deliveryCommand: Command = {
  summary: 'Run the delivery API server (messages for the in-app SDK, events for sync) until Ctrl+C or SIGTERM.',
  usage:
    'guidepost delivery (--db <file> | --database postgres://user@host:port/db[?sslmode=…]) [--admin-token-file <file>] [--public-key-file <file>] [--port <port>] [--host <address>] ' +
    '[--allowed-origin <origin>...] [--rate-limit <requests per minute>] [--trust-proxy] [--proxy-hops <n>] [--max-connections <n>] ' +
    '[--profile-events-per-name <n>] [--retain-days <n>] [--identity-secret-file <file> (up to 2)] [--json]\n' +
    '  (or GUIDEPOST_DELIVERY_DB or GUIDEPOST_DATABASE_URL, with the password in PGPASSWORD or ~/.pgpass; GUIDEPOST_ADMIN_TOKEN, GUIDEPOST_PUBLIC_KEY, GUIDEPOST_ALLOWED_ORIGINS=<origin>,<origin>,\n' +
    '   GUIDEPOST_IDENTITY_SECRETS=<secret>[,<previous secret>]; --admin-token and --identity-secret still work but show the secret in ps)',
  options: {
    database: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    'admin-token': { type: 'string' },
    'admin-token-file': { type: 'string' },
    'public-key': { type: 'string' },
    'public-key-file': { type: 'string' },
    'allowed-origin': { type: 'string', multiple: true },
    'rate-limit': { type: 'string' },
    'trust-proxy': { type: 'boolean', default: false },
    'proxy-hops': { type: 'string' },
    'max-connections': { type: 'string' },
    'profile-events-per-name': { type: 'string' },
    'identity-secret': { type: 'string', multiple: true },
    'identity-secret-file': { type: 'string', multiple: true },
    'retain-days': { type: 'string' },
  },
  run: async (ctx) => {
    if (ctx.positionals.length > 0) throw new Error(`unexpected argument "${ctx.positionals[0]}".`);
    const values = ctx.values as Record<string, string | boolean | string[] | undefined>;
    if (values.db === undefined && values.database === undefined && !process.env.GUIDEPOST_DELIVERY_DB && !process.env[DATABASE_URL_ENV]) {
      throw new Error(NO_DATABASE);
    }
    const adminToken = secretOption(ctx, { flag: 'admin-token', fileFlag: 'admin-token-file', envVar: 'GUIDEPOST_ADMIN_TOKEN' });
    const publicKey = secretOption(ctx, { flag: 'public-key', fileFlag: 'public-key-file', envVar: 'GUIDEPOST_PUBLIC_KEY', public: true });
    if (!adminToken) throw new Error('give the admin token in GUIDEPOST_ADMIN_TOKEN or a file named with --admin-token-file.');
    if (!publicKey) throw new Error('give the public key in GUIDEPOST_PUBLIC_KEY or a file named with --public-key-file.');
    const identitySecrets = secretListOption(ctx, { flag: 'identity-secret', fileFlag: 'identity-secret-file', envVar: 'GUIDEPOST_IDENTITY_SECRETS' });
    const flagged = values['allowed-origin'] as string[] | undefined;
    const allowedOrigins =
      flagged && flagged.length > 0
        ? flagged
        : (process.env.GUIDEPOST_ALLOWED_ORIGINS ?? '')
            .split(',')
            .map((o) => o.trim())
            .filter((o) => o !== '');
    const port = integerFlag(values.port as string | undefined, '--port', 0, 65535, 8787);
    const rateLimit = integerFlag(values['rate-limit'] as string | undefined, '--rate-limit', 0, 10_000_000, DEFAULT_RATE_LIMIT);
    const host = (values.host as string | undefined) ?? '127.0.0.1';
    const proxyHops = integerFlag(values['proxy-hops'] as string | undefined, '--proxy-hops', 0, 10, values['trust-proxy'] === true ? 1 : 0);
    const retainText = values['retain-days'] as string | undefined;
    const retainDays = retainText === undefined ? undefined : integerFlag(retainText, '--retain-days', 1, 36_500, 0);
    const maxConnections = integerFlag(values['max-connections'] as string | undefined, '--max-connections', 1, 1_000_000, DEFAULT_MAX_CONNECTIONS);
    const profileEventsPerName = integerFlag(
      values['profile-events-per-name'] as string | undefined,
      '--profile-events-per-name',
      1,
      1_000_000,
      DEFAULT_PROFILE_EVENTS_PER_NAME,
    );

    const storage = await openStorage(ctx, values, profileEventsPerName);
    let server: ReturnType<typeof createDeliveryServer>;
    let url: string;
    try {
      server = createDeliveryServer({
        engine: storage.engine,
        ...(storage.changes ? { changes: storage.changes } : {}),
        adminToken,
        publicKey,
        allowedOrigins,
        rateLimit,
        sdkFile: sdkFile(),
        proxyHops,
        maxConnections,
        profileEventsPerName,
        identitySecrets,
        ...(retainDays === undefined ? {} : { retainDays }),
      });
      url = await server.listen(port, host);
    } catch (err) {
      await storage.close();
      throw err;
    }
    const verified = identitySecrets.length > 0;
    if (!verified) {
      ctx.note(
        'warning: identities are unverified: anyone with the public key can act as any userId (decide, identify, track, group). ' +
          'Set GUIDEPOST_IDENTITY_SECRETS or --identity-secret-file to require a backend-signed X-Guidepost-User-Hash (docs/DELIVERY.md, "Verified identity").',
      );
    }
    // Listening for the signals before the banner says how to stop: a signal sent on reading it is handled.
    const stopped = untilStopped();
    if (ctx.json) ctx.out(JSON.stringify({ url, db: storage.shown, engine: storage.kind, allowedOrigins, rateLimit, identityVerification: verified, retainDays: retainDays ?? null }));
    else {
      ctx.out(
        [
          `Guidepost delivery server listening on ${url}`,
          `  database:        ${storage.kind === 'postgres' ? `PostgreSQL ${storage.shown} (nodes on it share messages and profiles)` : storage.shown}`,
          `  allowed origins: ${allowedOrigins.length > 0 ? allowedOrigins.join(', ') : 'none (browsers on other sites cannot call the client endpoints)'}`,
          `  rate limit:      ${
            rateLimit === 0
              ? 'off'
              : `${rateLimit} requests, ${rateLimit * RECORDS_PER_REQUEST} records and ${(rateLimit * BYTES_PER_REQUEST) / 1024 / 1024} MB per minute per key and network (IPv4 address or IPv6 /64)`
          }`,
          `  client address:  ${proxyHops === 0 ? 'the connection’s (no proxy trusted)' : `X-Forwarded-For, behind ${proxyHops} trusted ${proxyHops === 1 ? 'proxy' : 'proxies'}`}`,
          `  connections:     at most ${maxConnections}`,
          `  profiles:        the newest ${profileEventsPerName} events per user of each event name the live rules count`,
          `  identities:      ${
            verified
              ? `verified: client calls need X-Guidepost-User-Hash = HMAC-SHA256(secret, userId) (${identitySecrets.length} ${identitySecrets.length === 1 ? 'secret' : 'secrets, either accepted'})`
              : 'UNVERIFIED (no identity secret): any caller with the public key can act as any userId'
          }`,
          `  retention:       ${
            retainDays === undefined
              ? 'none: records are kept until a user is erased (--retain-days <n> prunes them)'
              : `records pruned ${retainDays} ${retainDays === 1 ? 'day' : 'days'} after they arrived (erase markers kept)`
          }`,
          '  Stop with Ctrl+C.',
        ].join('\n'),
      );
    }
    const signal = await stopped;
    await server.close();
    await storage.close();
    ctx.note(`Delivery server stopped (${signal}).`);
    return null;
  },
};
