/**
 * Rows of a Segment or RudderStack warehouse table (a CSV export, or rows a PostgreSQL sync reads) as
 * Segment-spec records, which the import's normalization then reads like any other (the time chain,
 * zone-less instants, ids kept as text). Pure: no I/O, so the CSV reader and the warehouse sync share it.
 *
 * Both warehouses lay a source out the same way (docs/IMPORT.md, "Warehouse tables"): snake_case
 * columns `id` (the messageId), `user_id`, `anonymous_id`, `received_at`, `sent_at`,
 * `original_timestamp`, `timestamp`, `uuid_ts` (load time), the record's context flattened into
 * `context_*` columns, and per table:
 * - `tracks`: `event` (the event's name in snake_case) and `event_text` (the name as sent), and no
 *   custom properties, so its rows give way to the per-event table's (see `replaceable`);
 * - a per-event table (one per event name, `order_completed`): `event`, `event_text` and the event's
 *   properties as columns;
 * - `pages` and `screens`: `name` and the properties (`path`, `url`, `title`…) as columns;
 * - `identifies`: the traits as columns; `users`: `id` is the userId, the latest traits as columns;
 * - `groups`: `group_id` and the group's traits; `accounts`: `id` is the groupId, the latest traits;
 * - `aliases`: `previous_id` and `user_id`.
 */
import { FORBIDDEN_KEYS, typeCell } from './cells';

export type WarehouseTable = 'tracks' | 'event' | 'pages' | 'screens' | 'identifies' | 'users' | 'groups' | 'accounts' | 'aliases';

/** The tables every source has, by name (a per-event table is named after its event). */
const NAMED_TABLES: readonly Exclude<WarehouseTable, 'event'>[] = ['tracks', 'pages', 'screens', 'identifies', 'users', 'groups', 'accounts', 'aliases'];

/** What the import report says it recognized (ImportDetails.recognized), per kind. */
export const WAREHOUSE_TABLE_DESCRIPTIONS: Readonly<Record<WarehouseTable, string>> = {
  tracks: 'Segment/RudderStack warehouse table: tracks',
  event: 'Segment/RudderStack warehouse table: per-event',
  pages: 'Segment/RudderStack warehouse table: pages',
  screens: 'Segment/RudderStack warehouse table: screens',
  identifies: 'Segment/RudderStack warehouse table: identifies',
  users: 'Segment/RudderStack warehouse table: users',
  groups: 'Segment/RudderStack warehouse table: groups',
  accounts: 'Segment/RudderStack warehouse table: accounts',
  aliases: 'Segment/RudderStack warehouse table: aliases',
};

/** The report's words for a table: its kind, and a per-event table's name when known ("… per-event (order_completed)"). */
export function describeWarehouseTable(kind: WarehouseTable, tableName?: string): string {
  const description = WAREHOUSE_TABLE_DESCRIPTIONS[kind];
  return kind === 'event' && tableName !== undefined && tableName !== '' ? `${description} (${tableName})` : description;
}

/**
 * The table a file is an export of, from its name: the name without folders, compression and `.csv`,
 * and after a schema's dot (`shop_prod.order_completed.csv` is `order_completed`), in lower case.
 */
export function tableNameFromFile(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const stem = base.replace(/\.(gz|gzip)$/i, '').replace(/\.(csv|tsv|txt)$/i, '');
  return (stem.split('.').pop() ?? '').trim().toLowerCase();
}

/** Time columns, and the Segment field each one is (a Map: a column named __proto__ finds nothing here). */
const TIME_COLUMNS: ReadonlyMap<string, string> = new Map([
  ['timestamp', 'timestamp'],
  ['original_timestamp', 'originalTimestamp'],
  ['sent_at', 'sentAt'],
  ['received_at', 'receivedAt'],
]);
const TIME_COLUMN_KEYS = [...TIME_COLUMNS.keys()];

/**
 * Columns no table carries as a property or trait: ids, instants, and the warehouse's own
 * bookkeeping (`uuid_ts` and `loaded_at` are load times, `uuid` a load's row id, `channel`
 * RudderStack's source kind), which say nothing about the user.
 */
const BOOKKEEPING = new Set(['uuid_ts', 'uuid', 'loaded_at', 'channel']);
const SHARED = new Set(['id', 'user_id', 'anonymous_id', ...TIME_COLUMN_KEYS, ...BOOKKEEPING]);

/** Each kind's own columns, beyond the shared ones; every other column is a property or trait. */
const OWN_COLUMNS: Readonly<Record<WarehouseTable, readonly string[]>> = {
  tracks: ['event', 'event_text'],
  event: ['event', 'event_text'],
  pages: ['name'],
  screens: ['name'],
  identifies: [],
  users: [],
  groups: ['group_id'],
  accounts: [],
  aliases: ['previous_id'],
};

/** The Segment call each kind's rows are. */
const CALL: Readonly<Record<WarehouseTable, string>> = {
  tracks: 'track',
  event: 'track',
  pages: 'page',
  screens: 'screen',
  identifies: 'identify',
  users: 'identify',
  groups: 'group',
  accounts: 'group',
  aliases: 'alias',
};

/** A column name as compared: without a byte order mark or spaces, in lower case (Snowflake writes names in upper case). */
function columnKey(column: string): string {
  return column.replace(/^\uFEFF/, '').trim().toLowerCase();
}

/** A column name as it becomes a key: without a byte order mark or surrounding spaces, otherwise as written. */
function columnName(column: string): string {
  return column.replace(/^\uFEFF/, '').trim();
}

function isContext(key: string): boolean {
  return key.startsWith('context_') && key.length > 'context_'.length;
}

/** Whether the column is a property or trait of a `kind` table (not shared, not its own, not context). */
function isDataColumn(kind: WarehouseTable, key: string): boolean {
  return !SHARED.has(key) && !OWN_COLUMNS[kind].includes(key) && !isContext(key) && key !== '';
}

/** The minimum each kind needs, as the refusal names it. */
const USER_COLUMNS = 'user_id or anonymous_id';
const TIME_COLUMN_NAMES = 'timestamp, original_timestamp, sent_at or received_at';
const MINIMUM: Readonly<Record<WarehouseTable, string>> = {
  tracks: `id, event or event_text, ${USER_COLUMNS}, and ${TIME_COLUMN_NAMES}`,
  event: `id, ${USER_COLUMNS}, and ${TIME_COLUMN_NAMES} (event or event_text, else the file named after the event)`,
  pages: `id, ${USER_COLUMNS}, and ${TIME_COLUMN_NAMES}`,
  screens: `id, ${USER_COLUMNS}, and ${TIME_COLUMN_NAMES}`,
  identifies: `id, ${USER_COLUMNS}, and ${TIME_COLUMN_NAMES}`,
  users: `id (the userId) and received_at or timestamp`,
  groups: `id, group_id, ${USER_COLUMNS}, and ${TIME_COLUMN_NAMES}`,
  accounts: `id (the groupId) and received_at or timestamp`,
  aliases: `id, previous_id, user_id, and ${TIME_COLUMN_NAMES}`,
};

/** The minimum of any warehouse table, for a header that is none. */
export const WAREHOUSE_MINIMUM = `id, ${USER_COLUMNS}, and ${TIME_COLUMN_NAMES}`;

/** What `kind` lacks among `names` (its minimum), or null when it has it. */
function missingFor(kind: WarehouseTable, names: ReadonlySet<string>, tableName: string | undefined): string | null {
  const has = (...columns: string[]): boolean => columns.some((c) => names.has(c));
  const ok = ((): boolean => {
    switch (kind) {
      case 'users':
      case 'accounts':
        return has('id') && has('received_at', 'timestamp');
      case 'aliases':
        return has('id') && has('previous_id') && has('user_id') && has(...TIME_COLUMN_KEYS);
      case 'groups':
        return has('id') && has('group_id') && has('user_id', 'anonymous_id') && has(...TIME_COLUMN_KEYS);
      case 'tracks':
        return has('id') && has('event', 'event_text') && has('user_id', 'anonymous_id') && has(...TIME_COLUMN_KEYS);
      case 'event':
        return (
          has('id') && (has('event', 'event_text') || (tableName ?? '') !== '') && has('user_id', 'anonymous_id') && has(...TIME_COLUMN_KEYS)
        );
      default:
        return has('id') && has('user_id', 'anonymous_id') && has(...TIME_COLUMN_KEYS);
    }
  })();
  return ok ? null : MINIMUM[kind];
}

/**
 * Which warehouse table a header is, from its columns and, when known, the table's name (a per-event
 * table is named after its event; an export's file name gives it, see tableNameFromFile). A table's
 * own name decides; otherwise the columns do: `previous_id` is `aliases`, `group_id` `groups`,
 * `event`/`event_text` `tracks` (a per-event table when other columns, its properties, come along;
 * any other table name is then that per-event table's),
 * `url` and `path` `pages`, a user column `identifies`. `screens`, `users` and `accounts` have no
 * column of their own, so they are known by name only. The error names the columns expected.
 */
export function recognizeWarehouseTable(columns: readonly string[], tableName?: string): { kind: WarehouseTable } | { error: string } {
  const keys = columns.map(columnKey);
  const names = new Set(keys);
  const forbidden = columns.find((column) => {
    const key = columnKey(column);
    return FORBIDDEN_KEYS.has(columnName(column)) || (isContext(key) && contextPath(key.slice('context_'.length)).some((k) => FORBIDDEN_KEYS.has(k)));
  });
  if (forbidden !== undefined) {
    return { error: `the column "${columnName(forbidden).slice(0, 80)}" cannot be a property, trait or context key (__proto__, constructor and prototype are refused)` };
  }
  const table = tableName === undefined ? '' : tableName.trim().toLowerCase();
  const named = (NAMED_TABLES as readonly string[]).includes(table) ? (table as WarehouseTable) : null;
  let kind: WarehouseTable;
  if (named !== null) kind = named;
  else if (names.has('previous_id')) kind = 'aliases';
  else if (names.has('group_id')) kind = 'groups';
  else if (names.has('event') || names.has('event_text')) kind = keys.some((key) => isDataColumn('event', key)) ? 'event' : 'tracks';
  else if (names.has('url') && names.has('path')) kind = 'pages';
  else if (names.has('user_id') || names.has('anonymous_id')) kind = 'identifies';
  else if (names.has('id')) {
    return {
      error:
        'it has id but no user_id or anonymous_id, so it is a users or an accounts table, which only their names tell apart: name the file users.csv or accounts.csv',
    };
  } else return { error: `a warehouse table needs ${WAREHOUSE_MINIMUM}` };
  const missing = missingFor(kind, names, table);
  if (missing !== null) {
    const what = kind === 'event' ? `a per-event table${table === '' ? '' : ` (${table})`}` : `the ${kind} table`;
    return { error: `${what} needs ${missing}` };
  }
  return { kind };
}

/** Context columns grouped under these objects (`context_library_name` is context.library.name). */
const CONTEXT_OBJECTS = new Set(['app', 'campaign', 'device', 'library', 'location', 'network', 'os', 'page', 'referrer', 'screen', 'traits']);

/** snake_case to camelCase, as the Segment spec names context fields (`user_agent` is userAgent). */
function camel(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Where a `context_*` column goes in the record's context, from what follows `context_`: under one of
 * the spec's context objects when it starts with one (`page_url` is page.url, `library_name`
 * library.name), else at the top (`user_agent` is userAgent, `ip` ip). Field names are the spec's
 * camelCase, except traits, which keep the warehouse's names as written, like trait columns.
 */
function contextPath(rest: string): string[] {
  const cut = rest.indexOf('_');
  if (cut > 0) {
    const head = rest.slice(0, cut);
    const tail = rest.slice(cut + 1);
    if (CONTEXT_OBJECTS.has(head) && tail !== '') return [head, head === 'traits' ? tail : camel(tail)];
  }
  return [camel(rest)];
}

function objectAt(target: Record<string, unknown>, key: string): Record<string, unknown> {
  const held = target[key];
  if (typeof held === 'object' && held !== null && !Array.isArray(held)) return held as Record<string, unknown>;
  const created: Record<string, unknown> = {};
  target[key] = created;
  return created;
}

/**
 * One row of a `kind` table as a Segment-spec record; `reason` says why it cannot be one. Values are
 * text as the warehouse gives them (null or empty: absent). Ids, names and instants stay text exactly
 * (the normalization reads the instants); property, trait and context columns are typed as CSV
 * cells are (cells.ts: canonical numbers, true and false). Property and trait keys are the column
 * names as written. `replaceable`: the row lacks custom properties a per-event table's row with the
 * same id has (every `tracks` row, and a per-event row without properties), so that row replaces it.
 */
export function warehouseRecord(
  kind: WarehouseTable,
  row: Readonly<Record<string, string | null>>,
  tableName?: string,
): { record: Record<string, unknown>; replaceable: boolean } | { reason: string } {
  const record: Record<string, unknown> = { type: CALL[kind] };
  const data: Record<string, unknown> = {};
  let context: Record<string, unknown> | null = null;
  let event: string | undefined;
  let eventText: string | undefined;
  for (const column of Object.keys(row)) {
    const value = row[column];
    if (value === null || value === undefined || value === '') continue;
    const key = columnKey(column);
    const time = TIME_COLUMNS.get(key);
    if (time !== undefined) record[time] = value;
    else if (key === 'id') {
      if (kind === 'users') record.userId = value;
      else if (kind === 'accounts') record.groupId = value;
      else record.messageId = value;
    } else if (key === 'user_id') record.userId = value;
    else if (key === 'anonymous_id') record.anonymousId = value;
    else if (BOOKKEEPING.has(key)) continue;
    else if (isContext(key)) {
      const path = contextPath(key.slice('context_'.length));
      if (path.some((k) => FORBIDDEN_KEYS.has(k))) return { reason: `the column "${columnName(column).slice(0, 80)}" cannot be a context key` };
      let node = (context ??= {});
      for (const k of path.slice(0, -1)) node = objectAt(node, k);
      node[path[path.length - 1] as string] = typeCell(value);
    } else if (!isDataColumn(kind, key)) {
      if (key === 'event') event = value;
      else if (key === 'event_text') eventText = value;
      else if (key === 'name') record.name = value;
      else if (key === 'group_id') record.groupId = value;
      else if (key === 'previous_id') record.previousId = value;
    } else {
      const name = columnName(column);
      if (FORBIDDEN_KEYS.has(name)) return { reason: `the column "${name.slice(0, 80)}" cannot be a property or trait` };
      data[name] = typeCell(value);
    }
  }
  if (kind === 'tracks' || kind === 'event') {
    // event_text is the name as it was sent ("Order Completed"); event is its snake_case table name.
    const name = eventText ?? event ?? (kind === 'event' && tableName ? tableName : undefined);
    if (name === undefined) return { reason: `a ${kind === 'tracks' ? 'tracks' : 'per-event table'} row needs event or event_text` };
    record.event = name;
  }
  if (kind === 'users' && record.userId === undefined) return { reason: 'a users row needs id (the userId)' };
  if (kind === 'accounts' && record.groupId === undefined) return { reason: 'an accounts row needs id (the groupId)' };
  const hasData = Object.keys(data).length > 0;
  if (hasData) {
    const call = CALL[kind];
    if (call === 'track' || call === 'page' || call === 'screen') record.properties = data;
    else record.traits = data;
  }
  if (context !== null) record.context = context;
  return { record, replaceable: kind === 'tracks' || (kind === 'event' && !hasData) };
}
