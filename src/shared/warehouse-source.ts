/**
 * A PostgreSQL warehouse to sync from, named by a URL: postgres://user@host:port/database (Segment's and
 * RudderStack's PostgreSQL destinations; Redshift speaks the same protocol, untested). The password never
 * goes in the URL, where it would show in process lists, shell history and the cache's reports: it comes
 * from PGPASSWORD or a pgpass file (the CLI), or the app's encrypted token vault.
 */

export interface WarehouseSource {
  host: string;
  port: number;
  user: string;
  database: string;
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
  if (url.search !== '' || url.hash !== '') return { error: 'The source URL takes no parameters (?…): write postgres://user@host:port/database.' };
  const port = url.port === '' ? 5432 : Number(url.port);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return { host, port, user: decodeURIComponent(url.username), database, key: `${url.hostname}:${port}/${database}` };
}

/** A schema name as warehouses write them (Segment's source slugs, RudderStack's namespaces). */
export const WAREHOUSE_SCHEMA = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;
