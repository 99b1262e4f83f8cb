/**
 * A PostgreSQL warehouse to sync from, named by a URL: postgres://user@host:port/database (Segment's and
 * RudderStack's PostgreSQL destinations; Redshift speaks the same protocol, untested). The password never
 * goes in the URL, where it would show in process lists, shell history and the cache's reports: it comes
 * from PGPASSWORD or a pgpass file (the CLI), or the app's encrypted token vault.
 */

/** libpq's sslmode values; without one, pg follows PGSSLMODE (default: no TLS). */
export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

export interface WarehouseSource {
  host: string;
  port: number;
  user: string;
  database: string;
  /** From `?sslmode=`; absent: PGSSLMODE decides. */
  sslmode?: SslMode;
  /** host:port/database: the warehouse's identity, which checkpoints are kept under. */
  key: string;
}

/** Whether a source names a PostgreSQL server rather than a delivery server. */
export function isWarehouseUrl(source: string): boolean {
  return /^postgres(ql)?:\/\//i.test(source.trim());
}

/** The parts of a warehouse URL, or the reason it is refused. */
export function parseWarehouseSource(source: string): WarehouseSource | { error: string } {
  let url: URL;
  try {
    url = new URL(source.trim());
  } catch {
    return { error: `"${source}" is not a URL: write postgres://user@host:port/database.` };
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    return { error: `"${source}" is not a postgres:// URL: write postgres://user@host:port/database.` };
  }
  if (url.password !== '') {
    return {
      error:
        'The source URL holds a password: leave it out (it would show in process lists and shell history) and give it ' +
        'with PGPASSWORD or a pgpass file (~/.pgpass), or in the app, where it is kept encrypted.',
    };
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!url.hostname) return { error: `The source URL names no host: write postgres://user@host:port/database.` };
  if (!url.username) return { error: `The source URL names no user: write postgres://user@host:port/database.` };
  if (!database || database.includes('/')) return { error: `The source URL names no database: write postgres://user@host:port/database.` };
  const params = [...url.searchParams.keys()];
  if (url.hash !== '' || params.some((p) => p !== 'sslmode') || params.length > 1) {
    return { error: 'The source URL takes one parameter at most, ?sslmode=: write postgres://user@host:port/database[?sslmode=require].' };
  }
  const sslmode = url.searchParams.get('sslmode');
  if (sslmode !== null && !(SSL_MODES as readonly string[]).includes(sslmode)) return { error: `sslmode=${sslmode} is not one of ${SSL_MODES.join(', ')}.` };
  const port = url.port === '' ? 5432 : Number(url.port);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return {
    host,
    port,
    user: decodeURIComponent(url.username),
    database,
    ...(sslmode !== null ? { sslmode: sslmode as SslMode } : {}),
    key: `${url.hostname}:${port}/${database}`,
  };
}

/** A schema name as warehouses write them (Segment's source slugs, RudderStack's namespaces). */
export const WAREHOUSE_SCHEMA = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/** A warehouse table kind as reports word it ("event" is a per-event table). */
export function warehouseKindWords(kind: string | null): string {
  return kind === 'event' ? 'per-event table' : (kind ?? 'not mapped');
}
