/**
 * Incremental sync from a PostgreSQL warehouse: the schema Segment's or RudderStack's PostgreSQL
 * destination loads (Redshift speaks the same protocol but is untested here), read with `pg`.
 *
 * - Tables: every table of the schema that the warehouse mapping recognizes (tracks, per-event tables,
 *   pages, screens, identifies, users, groups, accounts, aliases), found in information_schema. A table
 *   it cannot map is named in the report and skipped; the others still sync. A per-event row replaces
 *   the `tracks` row with its id (write/replaceable.ts) in either order; per-event tables are read
 *   first, so within a load the `tracks` copy is simply a duplicate.
 * - Paging, per table: on the load time (`uuid_ts` where the table has it, else `received_at`), then
 *   `id`, in pages of `pageSize` rows. Each page is committed with the table's checkpoint (the last
 *   row's load time and id) in one transaction, so a kill at any instant loses at most the page in
 *   flight (sync-pages.ts).
 * - Lookback: warehouses load rows late (a load that commits after a later one, rows whose
 *   `received_at` predates the last sync), so every run starts each table `lookbackHours` before its
 *   checkpoint. Re-read rows are duplicates, which the writer drops.
 * - Values are fetched as text (cast in SQL, and pg's type parsers off), so rows map as CSV rows do;
 *   the session's time zone is UTC, so instants read as `2025-01-06 09:00:00+00`.
 */
import pg from 'pg';
import { ApiError } from '../../shared/errors';
import type { SyncSummary } from '../../shared/types';
import { pgSslOptions } from '../../shared/postgres-url';
import { parseWarehouseSource, WAREHOUSE_SCHEMA, type WarehouseSource } from '../../shared/warehouse-source';
import type { Db } from '../db/connection';
import { createKvRepo, type KvKey } from '../db/kv';
import { advanceDataAsOf } from './data-as-of';
import { warehouseRowText } from './parse/excerpt';
import { recognizeWarehouseTable, warehouseRecord, type WarehouseTable } from './parse/warehouse';
import { commitSyncPage, newSyncTally, recordSyncReport, type PageItem } from './sync-pages';

export const WAREHOUSE_PAGE_ROWS = 1000;
/** Default lookback: a day covers the slowest warehouse sync schedules' late rows. */
export const DEFAULT_LOOKBACK_HOURS = 24;

/** Row → Segment-spec record: the warehouse tables' mapping (parse/warehouse.ts), behind this narrow seam. */
export interface WarehouseMapping<Kind> {
  recognizeWarehouseTable(columns: readonly string[], tableName?: string): { kind: Kind } | { error: string };
  warehouseRecord(kind: Kind, row: Readonly<Record<string, string | null>>, tableName?: string): { record: unknown; replaceable: boolean } | { reason: string };
}

const mapping: WarehouseMapping<WarehouseTable> = { recognizeWarehouseTable, warehouseRecord };

export interface WarehouseSyncOptions {
  /** postgres://user@host:port/database, without a password. */
  source: string;
  schema: string;
  /** Given by the app (from its vault); the CLI leaves it to pg, which reads PGPASSWORD or a pgpass file. */
  password?: string;
  lookbackHours?: number;
  pageSize?: number;
  clock?: () => number;
  onPage?: (summary: SyncSummary) => void;
  checkpoint?: () => Promise<void>;
  /** Seconds to wait for the server to answer a connection (default 15). */
  connectTimeoutSeconds?: number;
  /** The share of users the cache keeps, in percent (RecordWriterOptions.samplePercent; 100 when absent). */
  samplePercent?: number;
}

export interface WarehouseTableSummary {
  table: string;
  /** The table kind the mapping recognized; null for a table it could not map. */
  kind: string | null;
  /** Rows read from the table this run (lookback included). */
  fetched: number;
  /** Why the table was skipped. */
  error?: string;
}

export interface WarehouseSyncSummary extends SyncSummary {
  tables: WarehouseTableSummary[];
}

interface Checkpoint {
  load: string;
  id: string;
}

/** The kv key of a table's checkpoint: per warehouse, schema and table, so sources never share one. */
export function checkpointKey(source: WarehouseSource, schema: string, table: string): KvKey {
  return `warehouse_checkpoint:${source.key}|${schema}|${table}`;
}

/** Double-quotes an identifier for SQL. */
const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** pg's parsers return every value as the server's text, as a CSV cell would hold it. */
const textTypes = { getTypeParser: () => (value: string | Buffer) => (typeof value === 'string' ? value : value.toString('utf8')) };

/** A clear message for what pg or the server said. */
function describeConnectionError(err: unknown, source: WarehouseSource): ApiError {
  const e = err as { code?: string; message?: string };
  const where = `${source.host}:${source.port}`;
  if (e.code === '28P01') {
    return new ApiError('invalid_argument', `PostgreSQL at ${where} refused the password for user "${source.user}". Check PGPASSWORD, the pgpass file or the password saved in the app.`);
  }
  if (e.code === '28000') return new ApiError('invalid_argument', `PostgreSQL at ${where} refused user "${source.user}": ${e.message}.`);
  if (/does not support SSL/i.test(e.message ?? '')) return new ApiError('invalid_argument', `PostgreSQL at ${where} does not offer TLS, which sslmode=${source.sslmode ?? '(PGSSLMODE)'} asks for.`);
  if (e.code === '3D000') return new ApiError('invalid_argument', `PostgreSQL at ${where} has no database "${source.database}".`);
  if (/password must be a string|no password/i.test(e.message ?? '')) {
    return new ApiError('invalid_argument', `PostgreSQL at ${where} asks for a password: set PGPASSWORD or a pgpass file (~/.pgpass), or save it with the source in the app.`);
  }
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EHOSTUNREACH' || e.code === 'ETIMEDOUT' || /timeout/i.test(e.message ?? '')) {
    return new ApiError('unavailable', `Cannot reach PostgreSQL at ${where}: ${e.message ?? e.code}. What was synced so far is kept.`);
  }
  return new ApiError('unavailable', `PostgreSQL at ${where}: ${e.message ?? String(err)}. What was synced so far is kept.`);
}

/** The instant `hours` before a PostgreSQL date-time text, as an ISO text the server reads back. */
function hoursBefore(text: string, hours: number): string {
  const iso = text.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00');
  const ms = Date.parse(/[zZ]|[+-]\d{2}:\d{2}$/.test(iso) ? iso : `${iso}Z`);
  if (Number.isNaN(ms)) throw new ApiError('internal', `Cannot read the checkpoint time "${text}".`);
  return new Date(ms - hours * 3_600_000).toISOString();
}

interface TableToRead {
  table: string;
  kind: WarehouseTable;
  columns: string[];
  load: { column: string; type: string };
}

export async function syncFromWarehouse(db: Db, options: WarehouseSyncOptions): Promise<WarehouseSyncSummary> {
  const source = parseWarehouseSource(options.source);
  if ('error' in source) throw new ApiError('invalid_argument', source.error);
  if (!WAREHOUSE_SCHEMA.test(options.schema)) throw new ApiError('invalid_argument', `"${options.schema}" is not a schema name (letters, digits and _, at most 63).`);
  const lookbackHours = options.lookbackHours ?? DEFAULT_LOOKBACK_HOURS;
  if (!(lookbackHours >= 0 && lookbackHours <= 24 * 90)) throw new ApiError('invalid_argument', 'The lookback is a number of hours from 0 to 2160 (90 days).');
  const pageSize = Math.max(1, Math.min(options.pageSize ?? WAREHOUSE_PAGE_ROWS, 10_000));
  const clock = options.clock ?? Date.now;
  const started = clock();
  const kv = createKvRepo(db);
  const tally = newSyncTally();
  const { summary } = tally;
  const tables: WarehouseTableSummary[] = [];
  const reportSource = `postgres://${source.user}@${source.key} schema ${options.schema}`;
  const report = (state: 'done' | 'cancelled' | 'failed', message: string | null): void =>
    recordSyncReport(db, { source: reportSource, format: 'postgres', started, clock, details: { warehouseTables: tables } }, tally, state, message);

  const client = new pg.Client({
    host: source.host,
    port: source.port,
    user: source.user,
    database: source.database,
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...pgSslOptions(source.sslmode),
    application_name: 'guidepost-sync',
    connectionTimeoutMillis: (options.connectTimeoutSeconds ?? 15) * 1000,
    types: textTypes,
  });
  // A connection lost between queries is reported by the next query; this keeps it from being unhandled.
  client.on('error', () => undefined);
  let state: 'done' | 'cancelled' = 'done';
  try {
    try {
      await client.connect();
      await client.query("SET TIME ZONE 'UTC'");
      await client.query("SET DateStyle = 'ISO, YMD'");
    } catch (err) {
      throw describeConnectionError(err, source);
    }
    const toRead = await discoverTables(client, source, options.schema, tables);
    for (const table of toRead) {
      const entry = tables.find((t) => t.table === table.table) as WarehouseTableSummary;
      const key = checkpointKey(source, options.schema, table.table);
      const saved = kv.get(key);
      let position: Checkpoint | null = saved === undefined ? null : (JSON.parse(saved) as Checkpoint);
      let first = true;
      for (;;) {
        if (options.checkpoint) await options.checkpoint();
        const rows = await readPage(client, options.schema, table, position, first && lookbackHours > 0 ? lookbackHours : null, pageSize).catch((err: unknown) => {
          throw describeConnectionError(err, source);
        });
        first = false;
        if (rows.length === 0) break;
        const items = rows.map(({ row, id }, i): PageItem => {
          const at = { line: entry.fetched + i + 1, table: table.table };
          const mapped = mapping.warehouseRecord(table.kind, row, table.table);
          // A rejection shows the row as it is in the warehouse, not the record made from it.
          const excerpt = (): string => warehouseRowText(table.table, id, row);
          if ('reason' in mapped) return { rejected: `row id ${id}: ${mapped.reason}`, at, excerpt };
          if (table.kind === 'accounts') return { raw: mapped.record, at, accountRow: true, excerpt };
          return mapped.replaceable ? { raw: mapped.record, at, replaceable: true, excerpt } : { raw: mapped.record, at, excerpt };
        });
        const last = rows[rows.length - 1] as (typeof rows)[number];
        const reached: Checkpoint = { load: last.load, id: last.id };
        commitSyncPage(db, items, tally, (store) => store.set(key, JSON.stringify(reached)), options.samplePercent !== undefined ? { samplePercent: options.samplePercent } : {});
        entry.fetched += rows.length;
        position = reached;
        summary.ms = clock() - started;
        options.onPage?.({ ...summary });
        if (rows.length < pageSize) break;
      }
    }
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 'cancelled')) {
      report('failed', (err as Error).message);
      throw err;
    }
    state = 'cancelled';
  } finally {
    await client.end().catch(() => undefined);
  }
  summary.ms = clock() - started;
  if (state === 'done') advanceDataAsOf(db, clock(), 'sync');
  const skipped = tables.filter((t) => t.error !== undefined);
  const cancelled = 'Sync cancelled: the pages synced before the cancel were kept.';
  report(state, state === 'cancelled' ? cancelled : skipped.length > 0 ? skippedMessage(skipped) : null);
  if (state === 'cancelled') throw new ApiError('cancelled', cancelled);
  return { ...summary, tables };
}

export function skippedMessage(skipped: WarehouseTableSummary[]): string {
  return `Skipped ${skipped.length === 1 ? 'a table it cannot map' : `${skipped.length} tables it cannot map`}: ${skipped.map((t) => `${t.table} (${t.error})`).join('; ')}.`;
}

/**
 * The schema's tables the mapping recognizes, per-event tables first and `tracks` last; every table
 * gets an entry in `tables`, with the reason when it is skipped.
 */
async function discoverTables(client: pg.Client, source: WarehouseSource, schema: string, tables: WarehouseTableSummary[]): Promise<TableToRead[]> {
  const exists = await client.query('SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1', [schema]);
  if (exists.rowCount === 0) {
    const others = await client.query<{ nspname: string }>(
      "SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY nspname LIMIT 20",
    );
    throw new ApiError('invalid_argument', `Database "${source.database}" has no schema "${schema}". Its schemas: ${others.rows.map((r) => r.nspname).join(', ') || 'none'}.`);
  }
  const result = await client.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT c.table_name, c.column_name, c.data_type
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = $1 AND t.table_type IN ('BASE TABLE', 'VIEW')
      ORDER BY c.table_name, c.ordinal_position`,
    [schema],
  );
  const columnsOf = new Map<string, { name: string; type: string }[]>();
  for (const row of result.rows) {
    const list = columnsOf.get(row.table_name) ?? [];
    list.push({ name: row.column_name, type: row.data_type });
    columnsOf.set(row.table_name, list);
  }
  if (columnsOf.size === 0) throw new ApiError('invalid_argument', `Schema "${schema}" in database "${source.database}" has no tables (or none this user may read).`);
  const toRead: TableToRead[] = [];
  for (const [table, columns] of columnsOf) {
    const names = columns.map((c) => c.name);
    const recognized = mapping.recognizeWarehouseTable(names, table);
    const load = columns.find((c) => c.name === 'uuid_ts') ?? columns.find((c) => c.name === 'received_at');
    let error: string | null = null;
    if ('error' in recognized) error = recognized.error;
    else if (!load) error = 'it has neither uuid_ts nor received_at to read it by load time';
    else if (!names.includes('id')) error = 'it has no id column to page on';
    if (error !== null || 'error' in recognized || !load) {
      // (the last two tests only narrow the types: `error` is set whenever they hold)
      tables.push({ table, kind: null, fetched: 0, error: error ?? 'cannot map' });
      continue;
    }
    tables.push({ table, kind: String(recognized.kind), fetched: 0 });
    toRead.push({ table, kind: recognized.kind, columns: names, load: { column: load.name, type: load.type } });
  }
  const order = (t: TableToRead): number => (t.table === 'tracks' ? 1 : 0);
  return toRead.sort((a, b) => order(a) - order(b) || (a.table < b.table ? -1 : a.table > b.table ? 1 : 0));
}

/**
 * One page of a table in (load time, id) order, every value as text: the rows after `position`, or, on a
 * run's first page with a checkpoint, every row from `lookbackHours` before it.
 */
async function readPage(
  client: pg.Client,
  schema: string,
  table: TableToRead,
  position: Checkpoint | null,
  lookbackHours: number | null,
  pageSize: number,
): Promise<{ row: Record<string, string | null>; load: string; id: string }[]> {
  const load = `t.${ident(table.load.column)}`;
  const id = 't."id"::text';
  const loadType = table.load.type === 'timestamp without time zone' ? 'timestamp' : 'timestamptz';
  const select = table.columns.map((c) => `t.${ident(c)}::text AS ${ident(c)}`).join(', ');
  const params: unknown[] = [];
  let after = '';
  if (position !== null && lookbackHours !== null) {
    params.push(hoursBefore(position.load, lookbackHours));
    after = `AND ${load} >= $1::${loadType}`;
  } else if (position !== null) {
    params.push(position.load, position.id);
    // Written out rather than as a row comparison, which Redshift lacks.
    after = `AND (${load} > $1::${loadType} OR (${load} = $1::${loadType} AND ${id} > $2))`;
  }
  params.push(pageSize);
  const sql =
    `SELECT ${select}, ${load}::text AS "__guidepost_load", ${id} AS "__guidepost_id"` +
    ` FROM ${ident(schema)}.${ident(table.table)} t` +
    ` WHERE ${load} IS NOT NULL AND t."id" IS NOT NULL ${after}` +
    ` ORDER BY ${load}, ${id} LIMIT $${params.length}`;
  const result = await client.query<Record<string, string | null>>(sql, params);
  return result.rows.map((raw) => {
    const { __guidepost_load: loadText, __guidepost_id: idText, ...row } = raw;
    return { row, load: loadText as string, id: idText as string };
  });
}
