/**
 * The delivery server's PostgreSQL database (issue 20): which one (`--database postgres://…`, else
 * GUIDEPOST_DATABASE_URL) and a connection pool to it. The password comes from PGPASSWORD or a pgpass
 * file, which pg reads itself when none is given; one inside the URL works but is warned about, as every
 * other secret given where process lists and shell history show it. `?sslmode=` is honoured as libpq
 * means it.
 */
import pg from 'pg';
import { ApiError } from '../../shared/errors';
import { parsePostgresUrl, pgSslOptions, type PostgresUrl } from '../../shared/postgres-url';

export const DATABASE_URL_ENV = 'GUIDEPOST_DATABASE_URL';

export interface DeliveryDatabase {
  url: PostgresUrl;
  /** Where the URL came from, for messages: "--database" or the environment variable. */
  from: string;
  /** What the operator should fix, printed at start (never the password itself). */
  warnings: string[];
}

/**
 * The PostgreSQL database named by the flag or the environment, null when neither names one (the server
 * runs on SQLite), or an ApiError naming what is wrong with the URL.
 */
export function resolveDeliveryDatabase(flag: string | undefined, env: Record<string, string | undefined>): DeliveryDatabase | null {
  const fromFlag = flag !== undefined && flag !== '';
  const text = fromFlag ? flag : env[DATABASE_URL_ENV];
  if (text === undefined || text === '') return null;
  const from = fromFlag ? '--database' : DATABASE_URL_ENV;
  const url = parsePostgresUrl(text, { what: 'database', passwordRefusal: null });
  if ('error' in url) throw new ApiError('invalid_argument', `${from}: ${url.error}`);
  const warnings: string[] = [];
  if (url.password !== undefined && fromFlag) {
    warnings.push('The --database URL holds a password, which process lists and shell history show: give it with PGPASSWORD or a pgpass file (~/.pgpass) instead.');
  }
  return { url, from, warnings };
}

export interface PoolOptions {
  /** Connections per node (default 10). */
  max?: number;
  /** Seconds to wait for a connection before a query fails (default 5). */
  connectTimeoutSeconds?: number;
}

/** How one connection reaches the delivery database (a pool's, or the change feed's own client). */
export function deliveryClientConfig(database: DeliveryDatabase, options: PoolOptions = {}, applicationName = 'guidepost-delivery'): pg.ClientConfig {
  const { url } = database;
  return {
    host: url.host,
    port: url.port,
    user: url.user,
    database: url.database,
    ...(url.password !== undefined ? { password: url.password } : {}),
    ...pgSslOptions(url.sslmode),
    connectionTimeoutMillis: (options.connectTimeoutSeconds ?? 5) * 1000,
    application_name: applicationName,
  };
}

/** A pool to the delivery database; errors of idle connections are reported, not thrown. */
export function createDeliveryPool(database: DeliveryDatabase, options: PoolOptions = {}, onIdleError: (err: Error) => void = () => undefined): pg.Pool {
  const pool = new pg.Pool({ ...deliveryClientConfig(database, options), max: options.max ?? 10 });
  // An idle connection the server dropped would otherwise be an unhandled 'error' that ends the process.
  pool.on('error', onIdleError);
  return pool;
}
