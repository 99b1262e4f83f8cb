/**
 * A PostgreSQL warehouse to sync from, named by a URL: postgres://user@host:port/database (Segment's and
 * RudderStack's PostgreSQL destinations; Redshift speaks the same protocol, untested). The password never
 * goes in the URL, where it would show in process lists, shell history and the cache's reports: it comes
 * from PGPASSWORD or a pgpass file (the CLI), or the app's encrypted token vault.
 */

import { isPostgresUrl, parsePostgresUrl, type PostgresUrl } from './postgres-url';

export { SSL_MODES, type SslMode } from './postgres-url';

export type WarehouseSource = Omit<PostgresUrl, 'password'>;

/** Whether a source names a PostgreSQL server rather than a delivery server. */
export function isWarehouseUrl(source: string): boolean {
  return isPostgresUrl(source);
}

const PASSWORD_IN_SOURCE =
  'The source URL holds a password: leave it out (it would show in process lists and shell history) and give it ' +
  'with PGPASSWORD or a pgpass file (~/.pgpass), or in the app, where it is kept encrypted.';

/** The parts of a warehouse URL, or the reason it is refused. */
export function parseWarehouseSource(source: string): WarehouseSource | { error: string } {
  return parsePostgresUrl(source, { what: 'source', passwordRefusal: PASSWORD_IN_SOURCE });
}

/** A schema name as warehouses write them (Segment's source slugs, RudderStack's namespaces). */
export const WAREHOUSE_SCHEMA = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/** A warehouse table kind as reports word it ("event" is a per-event table). */
export function warehouseKindWords(kind: string | null): string {
  return kind === 'event' ? 'per-event table' : (kind ?? 'not mapped');
}
