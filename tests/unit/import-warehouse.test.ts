/**
 * Issue 15, item 5 (warehouse tables) and item 10's CSV part: CSV exports of Segment and RudderStack
 * warehouse tables are recognized from their header (and the file's name), mapped to Segment-spec
 * records, and a per-event table's row replaces the `tracks` row with the same id. The column sets
 * follow the warehouses' documented schemas; every fixture is written here.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/main/db/connection';
import { importFile, type ImportOptions } from '../../src/main/ingest/import-file';
import { sniffEventFile } from '../../src/main/ingest/parse/sniff';
import type { ImportSummary } from '../../src/shared/types';
import { useTempCache, useTempDir } from './helpers';
import { builtCli, cacheContent, importInChildProcess, type CacheContent } from './ingest-helpers';
import { recognizeWarehouseTable, tableNameFromFile, warehouseRecord, type WarehouseTable } from '../../src/main/ingest/parse/warehouse';

/** The columns every warehouse event table has (Segment's; RudderStack adds `channel`). */
const SHARED = ['id', 'anonymous_id', 'user_id', 'received_at', 'sent_at', 'original_timestamp', 'timestamp', 'uuid_ts'];
const CONTEXT = ['context_ip', 'context_library_name', 'context_library_version', 'context_page_url', 'context_user_agent'];

function mapped(kind: WarehouseTable, row: Record<string, string | null>, tableName?: string): { record: Record<string, unknown>; replaceable: boolean } {
  const result = warehouseRecord(kind, row, tableName);
  if ('reason' in result) throw new Error(result.reason);
  return result;
}

describe('recognizing a warehouse table from its header', () => {
  it('tells each table kind from its columns, and the named ones from their name', () => {
    const kind = (columns: string[], name?: string): unknown => {
      const result = recognizeWarehouseTable(columns, name);
      return 'kind' in result ? result.kind : result.error;
    };
    expect(kind([...SHARED, ...CONTEXT, 'event', 'event_text'])).toBe('tracks');
    expect(kind([...SHARED, ...CONTEXT, 'event', 'event_text', 'total', 'currency'])).toBe('event');
    expect(kind([...SHARED, 'event', 'event_text', 'total'], 'order_completed')).toBe('event');
    expect(kind([...SHARED, 'event', 'event_text', 'channel'], 'tracks')).toBe('tracks');
    expect(kind([...SHARED, ...CONTEXT, 'name', 'path', 'referrer', 'search', 'title', 'url'])).toBe('pages');
    // The column set of the pages seed in dbt's Segment package (no name, no original_timestamp).
    const dbtPages = 'id,anonymous_id,user_id,received_at,sent_at,timestamp,url,path,title,search,referrer,context_campaign_source,context_campaign_medium,context_campaign_name,context_campaign_term,context_campaign_content,context_ip,context_user_agent';
    expect(kind(dbtPages.split(','), tableNameFromFile('example_segment_pages.csv'))).toBe('pages');
    expect(kind([...SHARED, ...CONTEXT, 'name'], 'screens')).toBe('screens');
    expect(kind([...SHARED, ...CONTEXT, 'email', 'name', 'plan'])).toBe('identifies');
    expect(kind(['id', 'received_at', 'uuid_ts', 'email', 'plan'], 'users')).toBe('users');
    expect(kind([...SHARED, 'group_id', 'name', 'employees'])).toBe('groups');
    expect(kind(['id', 'received_at', 'uuid_ts', 'name', 'employees'], 'accounts')).toBe('accounts');
    expect(kind([...SHARED, 'previous_id'])).toBe('aliases');
    // Snowflake writes unquoted names in upper case.
    expect(kind(SHARED.map((c) => c.toUpperCase()).concat(['EVENT', 'EVENT_TEXT']))).toBe('tracks');
  });

  it('refuses a header it cannot map, naming the columns it expected', () => {
    const error = (columns: string[], name?: string): string => {
      const result = recognizeWarehouseTable(columns, name);
      if (!('error' in result)) throw new Error(`recognized ${result.kind}`);
      return result.error;
    };
    expect(error(['foo', 'bar'])).toMatch(/needs id, user_id or anonymous_id, and timestamp, original_timestamp, sent_at or received_at/);
    expect(error(['id', 'received_at', 'email'])).toMatch(/users or an accounts table.*users\.csv or accounts\.csv/);
    expect(error(['id', 'user_id', 'event', 'event_text'])).toMatch(/the tracks table needs id, event or event_text, user_id or anonymous_id, and timestamp/);
    expect(error(['id', 'email'], 'users')).toMatch(/the users table needs id \(the userId\) and received_at or timestamp/);
    expect(error([...SHARED, 'previous_id'].filter((c) => c !== 'user_id'))).toMatch(/the aliases table needs id, previous_id, user_id/);
    expect(error([...SHARED, 'event', 'event_text', '__proto__'])).toMatch(/"__proto__" cannot be a property, trait or context key/);
    expect(error([...SHARED, 'event', 'event_text', 'context_traits_constructor'])).toMatch(/"context_traits_constructor"/);
  });

  it('takes the table name from an export file name', () => {
    expect(tableNameFromFile('/exports/order_completed.csv')).toBe('order_completed');
    expect(tableNameFromFile('shop_prod.Pages.csv.gz')).toBe('pages');
    expect(tableNameFromFile('C:\\data\\users.csv')).toBe('users');
  });
});

describe('a warehouse row as a Segment-spec record', () => {
  const times = { received_at: '2015-02-23 22:28:55.387', sent_at: '2015-02-23 22:28:55.111', original_timestamp: '2015-02-23 22:28:54.999', timestamp: '2015-02-23 22:28:55.275', uuid_ts: '2015-02-23 23:02:01' };
  const context = { context_ip: '8.8.8.8', context_library_name: 'analytics.js', context_library_version: '2.11.1', context_page_url: 'https://shop.example/cart', context_user_agent: 'Mozilla/5.0', context_traits_plan: 'pro', context_screen_width: '1080' };

  it('a tracks row: the event name as sent, the instants as written, context nested, no properties, replaceable', () => {
    const { record, replaceable } = mapped('tracks', { id: 'm-1', anonymous_id: '507f191e', user_id: '9007199254740993', event: 'order_completed', event_text: 'Order Completed', ...times, ...context, channel: 'web' });
    expect(record).toEqual({
      type: 'track',
      messageId: 'm-1',
      userId: '9007199254740993',
      anonymousId: '507f191e',
      event: 'Order Completed',
      timestamp: '2015-02-23 22:28:55.275',
      originalTimestamp: '2015-02-23 22:28:54.999',
      sentAt: '2015-02-23 22:28:55.111',
      receivedAt: '2015-02-23 22:28:55.387',
      context: {
        ip: '8.8.8.8',
        library: { name: 'analytics.js', version: '2.11.1' },
        page: { url: 'https://shop.example/cart' },
        userAgent: 'Mozilla/5.0',
        traits: { plan: 'pro' },
        screen: { width: 1080 },
      },
    });
    expect(replaceable).toBe(true);
  });

  it('a per-event row: its properties under their column names, typed; context_* never properties', () => {
    const { record, replaceable } = mapped('event', { id: 'm-1', user_id: 'u-1', event: 'order_completed', event_text: 'Order Completed', timestamp: '2015-02-23 22:28:55', ...context, order_id: '00042', total: '99.5', coupon_used: 'true', item_count: '3', sku: '9007199254740993', note: '' }, 'order_completed');
    expect(record.properties).toEqual({ order_id: '00042', total: 99.5, coupon_used: true, item_count: 3, sku: '9007199254740993' });
    expect(record.event).toBe('Order Completed');
    expect(Object.keys(record.properties as object).some((k) => k.startsWith('context'))).toBe(false);
    expect(replaceable).toBe(false);
    // Without event columns, the table's name is the event's.
    expect(mapped('event', { id: 'm-2', user_id: 'u-1', timestamp: '2015-02-23 22:28:55', total: '1' }, 'signed_up').record.event).toBe('signed_up');
    // A per-event row without properties lacks nothing, so another row may replace it.
    expect(mapped('event', { id: 'm-3', user_id: 'u-1', event_text: 'Signed Up', timestamp: '2015-02-23 22:28:55', total: null }).replaceable).toBe(true);
  });

  it('pages and screens: name at the top, the rest properties', () => {
    const page = mapped('pages', { id: 'p-1', anonymous_id: 'a-1', timestamp: '2015-02-23 22:28:55 UTC', name: 'Cart', path: '/cart', url: 'https://shop.example/cart', title: 'Your cart', referrer: 'https://google.com', search: '?q=1', context_page_path: '/cart' });
    expect(page.record).toEqual({
      type: 'page',
      messageId: 'p-1',
      anonymousId: 'a-1',
      timestamp: '2015-02-23 22:28:55 UTC',
      name: 'Cart',
      properties: { path: '/cart', url: 'https://shop.example/cart', title: 'Your cart', referrer: 'https://google.com', search: '?q=1' },
      context: { page: { path: '/cart' } },
    });
    expect(page.replaceable).toBe(false);
    expect(mapped('screens', { id: 's-1', user_id: 'u-1', timestamp: '2015-02-23 22:28:55+00', name: 'Home', context_app_version: '4.2' }).record).toMatchObject({ type: 'screen', name: 'Home', context: { app: { version: 4.2 } } });
  });

  it('identifies, users, groups, accounts and aliases', () => {
    expect(mapped('identifies', { id: 'i-1', user_id: 'u-1', anonymous_id: 'a-1', timestamp: '2015-02-23 14:28:55-0800', email: 'ada@example.com', name: 'Ada', plan: 'pro', seats: '5' }).record).toEqual({
      type: 'identify',
      messageId: 'i-1',
      userId: 'u-1',
      anonymousId: 'a-1',
      timestamp: '2015-02-23 14:28:55-0800',
      traits: { email: 'ada@example.com', name: 'Ada', plan: 'pro', seats: 5 },
    });
    expect(mapped('users', { id: '9007199254740993', received_at: '2015-02-23 22:28:55', uuid_ts: '2015-02-24 00:00:00', email: 'ada@example.com' }).record).toEqual({
      type: 'identify',
      userId: '9007199254740993',
      receivedAt: '2015-02-23 22:28:55',
      traits: { email: 'ada@example.com' },
    });
    expect(mapped('groups', { id: 'g-1', user_id: 'u-1', group_id: '0042', timestamp: '2015-02-23 22:28:55', name: 'Initech', employees: '320' }).record).toEqual({
      type: 'group',
      messageId: 'g-1',
      userId: 'u-1',
      groupId: '0042',
      timestamp: '2015-02-23 22:28:55',
      traits: { name: 'Initech', employees: 320 },
    });
    expect(mapped('accounts', { id: '0042', received_at: '2015-02-23 22:28:55', plan: 'enterprise' }).record).toEqual({
      type: 'group',
      groupId: '0042',
      receivedAt: '2015-02-23 22:28:55',
      traits: { plan: 'enterprise' },
    });
    expect(mapped('aliases', { id: 'al-1', previous_id: 'a-1', user_id: 'u-1', timestamp: '2015-02-23 22:28:55' }).record).toEqual({
      type: 'alias',
      messageId: 'al-1',
      previousId: 'a-1',
      userId: 'u-1',
      timestamp: '2015-02-23 22:28:55',
    });
  });

  it('says why a row cannot be a record', () => {
    expect(warehouseRecord('tracks', { id: 'm-1', user_id: 'u-1', timestamp: '2015-02-23 22:28:55', event: null })).toEqual({ reason: 'a tracks row needs event or event_text' });
    expect(warehouseRecord('users', { id: '', received_at: '2015-02-23 22:28:55' })).toEqual({ reason: 'a users row needs id (the userId)' });
    // A row read from a database may hold any column name: __proto__ never reaches a prototype.
    const row = JSON.parse('{"id": "i", "user_id": "u", "timestamp": "2015-02-23 22:28:55", "__proto__": "x"}') as Record<string, string>;
    expect(warehouseRecord('identifies', row)).toEqual({ reason: 'the column "__proto__" cannot be a property or trait' });
  });
});

const tempCache = useTempCache();
const tempDir = useTempDir();

/** A CSV file's text, quoting every cell that needs it (RFC 4180). */
function csv(header: string[], rows: (string | null)[][]): string {
  const cell = (value: string | null): string => (value === null ? '' : /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** Writes `name` into the cache's folder and imports it. */
async function importCsv(cache: { db: Db; dir: string }, name: string, content: string | Buffer, options: ImportOptions = {}): Promise<ImportSummary> {
  const path = join(cache.dir, name);
  writeFileSync(path, content);
  return importFile(cache.db, path, options);
}

function storedEvents(db: Db): CacheContent['events'] {
  return cacheContent(db).events;
}

function traitsOf(db: Db, userId: string): Record<string, unknown> | undefined {
  const row = db.prepare<[string], { traits: string }>('SELECT traits FROM users WHERE id = ?').get(userId);
  return row && (JSON.parse(row.traits) as Record<string, unknown>);
}

const TRACKS_HEADER = ['id', 'anonymous_id', 'user_id', 'event', 'event_text', 'context_ip', 'context_library_name', 'context_traits_plan', 'original_timestamp', 'received_at', 'sent_at', 'timestamp', 'uuid_ts'];
/** A tracks row of Segment's shape: the event in snake_case and as sent, context flattened, zone-less instants. */
const tracksRow = (id: string, userId: string, timestamp: string): string[] => [
  id,
  'anon-1',
  userId,
  'order_completed',
  'Order Completed',
  '8.8.8.8',
  'analytics.js',
  'pro',
  '2015-02-23 22:28:54',
  '2015-02-23 22:28:56',
  '2015-02-23 22:28:55',
  timestamp,
  '2015-02-24 01:00:00',
];
const ORDER_HEADER = [...TRACKS_HEADER, 'order_id', 'total', 'currency', 'coupon_used'];
const orderRow = (id: string, userId: string, timestamp: string, total: string): string[] => [...tracksRow(id, userId, timestamp), '00042', total, 'EUR', 'false'];

describe('importing a warehouse table export (CSV)', () => {
  it('imports a tracks export: instants without a zone as UTC, the event as sent, context never properties', async () => {
    const cache = tempCache();
    const summary = await importCsv(
      cache,
      'tracks.csv',
      csv(TRACKS_HEADER, [tracksRow('m-1', '9007199254740993', '2015-02-23 22:28:55'), tracksRow('m-2', 'u-2', '2015-02-23 22:28:55.5'), tracksRow('m-3', '', '')]),
    );
    expect(summary).toMatchObject({ imported: 3, rejected: 0, details: { recognized: 'Segment/RudderStack warehouse table: tracks (CSV)', zoneless: 3 } });
    const events = storedEvents(cache.db);
    expect(events).toEqual([
      { event_id: 'm-1', user: '9007199254740993', name: 'Order Completed', ts: Date.UTC(2015, 1, 23, 22, 28, 55), properties: null },
      { event_id: 'm-2', user: 'u-2', name: 'Order Completed', ts: Date.UTC(2015, 1, 23, 22, 28, 55, 500), properties: null },
      // No timestamp and no user_id: original_timestamp corrected by received_at − sent_at; its anonymous id
      // was linked to the first user seen with it (docs/IMPORT.md, "Identity"), so the row counts as theirs.
      { event_id: 'm-3', user: '9007199254740993', name: 'Order Completed', ts: Date.UTC(2015, 1, 23, 22, 28, 55), properties: null },
    ]);
    // context_traits_* merge as traits at the event's instant; context_ip is context, not a property.
    expect(traitsOf(cache.db, 'u-2')).toEqual({ plan: 'pro' });
    expect(cacheContent(cache.db).propertyKeys).toEqual([]);
  });

  it('reads the BigQuery, PostgreSQL/Redshift and Snowflake instant forms, and zone-less ones in --timezone', async () => {
    const rows = [
      tracksRow('b-1', 'u-1', '2015-02-23 22:28:55 UTC'),
      tracksRow('p-1', 'u-1', '2015-02-23 22:28:55+00'),
      tracksRow('s-1', 'u-1', '2015-02-23 14:28:55.000 -0800'),
      tracksRow('z-1', 'u-1', '2015-02-23 23:28:55'),
    ];
    const cache = tempCache();
    const summary = await importCsv(cache, 'tracks.csv', csv(TRACKS_HEADER, rows), { timeZone: 'Europe/Berlin' });
    expect(summary).toMatchObject({ imported: 4, rejected: 0, details: { zoneless: 1, timeZone: 'Europe/Berlin' } });
    expect(new Set(storedEvents(cache.db).map((e) => e.ts))).toEqual(new Set([Date.UTC(2015, 1, 23, 22, 28, 55)]));
  });

  it('imports a per-event table, named by its file: properties under their column names, typed; ids as written', async () => {
    const cache = tempCache();
    const summary = await importCsv(cache, 'shop_prod.order_completed.csv', csv(ORDER_HEADER, [orderRow('m-1', '9007199254740993', '2015-02-23 22:28:55', '99.5')]));
    expect(summary).toMatchObject({ imported: 1, rejected: 0, details: { recognized: 'Segment/RudderStack warehouse table: per-event (order_completed) (CSV)' } });
    const [event] = storedEvents(cache.db);
    expect(event).toMatchObject({ event_id: 'm-1', user: '9007199254740993', name: 'Order Completed' });
    expect(JSON.parse(event?.properties ?? 'null')).toEqual({ order_id: '00042', total: 99.5, currency: 'EUR', coupon_used: false });
  });

  it('reads a gzipped export by the name inside the archive, and the built CLI prints the table and the replacements', async () => {
    const cache = tempCache();
    const summary = await importCsv(cache, 'order_completed.csv.gz', gzipSync(csv(ORDER_HEADER, [orderRow('m-1', 'u-1', '2015-02-23 22:28:55', '10')])));
    expect(summary).toMatchObject({ imported: 1, details: { recognized: 'Segment/RudderStack warehouse table: per-event (order_completed) (CSV, gzip)' } });
    const dir = tempDir();
    const db = join(dir, 'cli.db');
    const tracksFile = join(dir, 'tracks.csv');
    const ordersFile = join(dir, 'order_completed.csv');
    writeFileSync(tracksFile, csv(TRACKS_HEADER, [tracksRow('m-1', 'u-1', '2015-02-23 22:28:55')]));
    writeFileSync(ordersFile, csv(ORDER_HEADER, [orderRow('m-1', 'u-1', '2015-02-23 22:28:55', '10')]));
    const cli = (file: string): string => {
      const run = spawnSync(process.execPath, [builtCli(), 'import', file, '--db', db], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      return run.stdout;
    };
    expect(cli(tracksFile)).toContain('Read as Segment/RudderStack warehouse table: tracks (CSV).');
    expect(cli(ordersFile)).toContain('1 per-event table row replaced the tracks row stored under its id');
  });

  it('imports pages, screens, identifies and users', async () => {
    const cache = tempCache();
    const base = ['id', 'anonymous_id', 'user_id', 'context_page_path', 'context_user_agent', 'received_at', 'sent_at', 'timestamp', 'uuid_ts'];
    const pages = await importCsv(
      cache,
      'export-1.csv',
      csv([...base, 'name', 'path', 'referrer', 'search', 'title', 'url'], [['p-1', 'a-1', '', '/cart', 'Mozilla/5.0', '2015-02-23 22:28:56', '2015-02-23 22:28:55', '2015-02-23 22:28:55', '2015-02-24 00:00:00', 'Cart', '/cart', '', '', 'Your cart', 'https://shop.example/cart']]),
    );
    expect(pages).toMatchObject({ imported: 1, details: { recognized: 'Segment/RudderStack warehouse table: pages (CSV)' } });
    const screens = await importCsv(cache, 'screens.csv', csv([...base, 'name', 'context_app_version'], [['s-1', 'a-1', '', '', '', '', '', '2015-02-23 22:29:00', '', 'Home', '4.2.0']]));
    expect(screens).toMatchObject({ imported: 1, details: { recognized: 'Segment/RudderStack warehouse table: screens (CSV)' } });
    const identifies = await importCsv(
      cache,
      'identifies.csv',
      csv(['id', 'anonymous_id', 'user_id', 'context_ip', 'timestamp', 'email', 'name', 'seats'], [['i-1', 'a-1', 'u-1', '8.8.8.8', '2015-02-23 22:30:00', 'ada@example.com', 'Ada', '5']]),
    );
    expect(identifies).toMatchObject({ imported: 1, details: { recognized: 'Segment/RudderStack warehouse table: identifies (CSV)' } });
    const users = await importCsv(cache, 'users.csv', csv(['id', 'received_at', 'uuid_ts', 'plan', 'email'], [['u-1', '2015-02-23 22:31:00', '2015-02-24 00:00:00', 'enterprise', '']]));
    expect(users).toMatchObject({ imported: 1, details: { recognized: 'Segment/RudderStack warehouse table: users (CSV)' } });
    const events = storedEvents(cache.db);
    expect(events.filter((e) => e.name !== '').map((e) => [e.event_id, e.user, e.name, JSON.parse(e.properties ?? 'null') as unknown])).toEqual([
      // The identifies row links the anonymous visitor a-1 to u-1: their page and screen views are u-1's.
      ['p-1', 'u-1', 'page_viewed', { path: '/cart', title: 'Your cart', url: 'https://shop.example/cart', name: 'Cart' }],
      ['s-1', 'u-1', 'screen_viewed', { name: 'Home' }],
    ]);
    expect(traitsOf(cache.db, 'u-1')).toEqual({ email: 'ada@example.com', name: 'Ada', seats: 5, plan: 'enterprise' });
    expect(cacheContent(cache.db).propertyKeys.some((k) => k.key.startsWith('context'))).toBe(false);
  });

  it('recognizes groups, accounts and aliases exports, and reads every row one way or the other', async () => {
    const cache = tempCache();
    const files: [string, string, string][] = [
      ['groups.csv', csv(['id', 'user_id', 'group_id', 'timestamp', 'name', 'employees'], [['g-1', 'u-1', '0042', '2015-02-23 22:28:55', 'Initech', '320']]), 'groups'],
      ['accounts.csv', csv(['id', 'received_at', 'name'], [['0042', '2015-02-23 22:28:55', 'Initech']]), 'accounts'],
      ['aliases.csv', csv(['id', 'previous_id', 'user_id', 'timestamp'], [['al-1', 'a-1', 'u-1', '2015-02-23 22:28:55']]), 'aliases'],
    ];
    const summaries: ImportSummary[] = [];
    for (const [name, content, kind] of files) {
      const summary = await importCsv(cache, name, content);
      expect(summary.details?.recognized).toBe(`Segment/RudderStack warehouse table: ${kind} (CSV)`);
      summaries.push(summary);
    }
    // groups, accounts and aliases rows are group and alias calls, applied to accounts and identities (no events).
    expect(summaries.map((s) => s.details?.identityCalls ?? 0)).toEqual([1, 1, 1]);
    expect(summaries.map((s) => s.rejected)).toEqual([0, 0, 0]);
    const accounts = cache.db.prepare<[], { group_id: string; traits: string }>('SELECT group_id, traits FROM accounts').all();
    expect(accounts.map((a) => [a.group_id, JSON.parse(a.traits) as unknown])).toEqual([['0042', { name: 'Initech', employees: 320 }]]);
    const members = cache.db.prepare('SELECT u.id FROM account_members m JOIN users u USING (user_pk)').pluck().all();
    expect(members).toEqual(['u-1']);
    const links = cache.db.prepare('SELECT l.id, u.id AS user FROM identity_links l JOIN users u USING (user_pk) ORDER BY l.id').all();
    expect(links).toEqual([
      { id: 'a-1', user: 'u-1' },
      { id: 'u-1', user: 'u-1' },
    ]);
  });

  it("an accounts row creates or updates its account (traits merged key by key, the latest wins) and makes no user and no member", async () => {
    // The documented shape (docs/IMPORT.md, "Warehouse tables"): id is the groupId, then received_at, uuid_ts and the traits.
    const groups = csv(['id', 'anonymous_id', 'user_id', 'group_id', 'received_at', 'timestamp', 'name', 'employees', 'plan'], [
      ['g-1', '507f191e', 'u-1', '0042', '2015-02-23 22:28:56', '2015-02-23 22:28:55', 'Initech', '320', 'enterprise'],
    ]);
    const accounts = csv(['id', 'received_at', 'uuid_ts', 'name', 'employees', 'plan'], [
      // Later than the groups row: its plan and employees win.
      ['0042', '2015-03-01 09:00:00', '2015-03-01 10:00:00', null, '350', 'pro'],
      // Earlier than the groups row: its name loses to the group call's.
      ['0042', '2015-01-01 09:00:00', '2015-01-01 10:00:00', 'Initrode', null, null],
      // An account nobody is a member of yet.
      ['0099', '2015-03-02 09:00:00', '2015-03-02 10:00:00', 'Globex', '12', 'free'],
    ]);
    const read = (db: Db): unknown => ({
      accounts: db.prepare<[], { group_id: string; traits: string; first_seen: number; last_seen: number }>('SELECT group_id, traits, first_seen, last_seen FROM accounts ORDER BY group_id').all()
        .map((a) => ({ ...a, traits: JSON.parse(a.traits) as unknown })),
      members: db.prepare('SELECT a.group_id, u.id FROM account_members m JOIN users u USING (user_pk) JOIN accounts a USING (account_pk) ORDER BY 1, 2').raw().all(),
      users: db.prepare('SELECT id FROM users ORDER BY id').pluck().all(),
      events: db.prepare('SELECT count(*) FROM events').pluck().get(),
    });
    const expected = {
      accounts: [
        { group_id: '0042', traits: { name: 'Initech', employees: 350, plan: 'pro' }, first_seen: Date.UTC(2015, 0, 1, 9), last_seen: Date.UTC(2015, 2, 1, 9) },
        { group_id: '0099', traits: { name: 'Globex', employees: 12, plan: 'free' }, first_seen: Date.UTC(2015, 2, 2, 9), last_seen: Date.UTC(2015, 2, 2, 9) },
      ],
      members: [['0042', 'u-1']],
      users: ['u-1'],
      events: 0,
    };
    // In either order: the instants decide, not the order of the files.
    for (const order of [['groups.csv', 'accounts.csv'], ['accounts.csv', 'groups.csv']]) {
      const cache = tempCache();
      const summaries: ImportSummary[] = [];
      for (const name of order) summaries.push(await importCsv(cache, name, name === 'groups.csv' ? groups : accounts));
      const ofAccounts = summaries[order.indexOf('accounts.csv')];
      expect(ofAccounts).toMatchObject({ imported: 0, rejected: 0, details: { recognized: 'Segment/RudderStack warehouse table: accounts (CSV)', identityCalls: 3 } });
      expect(read(cache.db)).toEqual(expected);
    }
    // On a parser thread, the same.
    const dir = tempDir();
    importInChildProcess(dir, 'groups.csv', groups, {}, () => null);
    const threads = importInChildProcess(dir, 'accounts.csv', accounts, {}, read);
    expect(threads.summary).toMatchObject({ imported: 0, rejected: 0 });
    expect(threads.read).toEqual(expected);
  });

  it('refuses a header it can map neither as our dialect nor as a warehouse table, naming the columns expected', () => {
    const dir = tempDir();
    const path = join(dir, 'export.csv');
    writeFileSync(path, csv(['when', 'who', 'what'], [['2015-02-23', 'u-1', 'x']]));
    expect(() => sniffEventFile(path)).toThrow(
      /does not look like CSV events: its header is neither our CSV dialect, which needs userId or anonymousId, and type, event or timestamp, nor a warehouse table's, which needs id, user_id or anonymous_id, and timestamp, original_timestamp, sent_at or received_at/,
    );
    writeFileSync(path, csv(['id', 'received_at', 'plan'], [['u-1', '2015-02-23', 'x']]));
    expect(() => sniffEventFile(path)).toThrow(/users or an accounts table.*users\.csv or accounts\.csv/);
  });
});

describe('our CSV dialect', () => {
  it('makes context.* columns the record context, never properties; ids stay exactly as written', async () => {
    const cache = tempCache();
    const summary = await importCsv(
      cache,
      'events.csv',
      csv(
        ['messageId', 'userId', 'type', 'event', 'timestamp', 'properties.total', 'context.ip', 'context.traits.plan', 'context.page.url', 'integrations.All', 'order_id'],
        [['9007199254740993', '9007199254740993', 'track', 'Order Completed', '2024-05-01T10:00:00Z', '12.50', '8.8.8.8', 'pro', 'https://shop.example', 'true', '0042']],
      ),
    );
    expect(summary).toMatchObject({ imported: 1, rejected: 0 });
    expect(summary.details?.recognized).toBeUndefined();
    const [event] = storedEvents(cache.db);
    expect(event).toMatchObject({ event_id: '9007199254740993', user: '9007199254740993' });
    // "12.50" is not a canonical number, so it stays text; an undotted column is a property.
    expect(JSON.parse(event?.properties ?? 'null')).toEqual({ total: '12.50', order_id: '0042' });
    expect(traitsOf(cache.db, '9007199254740993')).toEqual({ plan: 'pro' });
  });
});

describe('a per-event row replaces the tracks row with its id', () => {
  const tracks = csv(TRACKS_HEADER, [tracksRow('m-1', 'u-1', '2015-02-23 22:28:55'), tracksRow('m-2', 'u-2', '2015-02-23 22:28:56'), tracksRow('m-3', 'u-3', '2015-02-23 22:28:57')]);
  const orders = csv(ORDER_HEADER, [orderRow('m-1', 'u-1', '2015-02-23 22:28:55', '10'), orderRow('m-2', 'u-2', '2015-02-23 22:28:56', '20')]);
  const expected = [
    { event_id: 'm-1', user: 'u-1', name: 'Order Completed', ts: Date.UTC(2015, 1, 23, 22, 28, 55), properties: { order_id: '00042', total: 10, currency: 'EUR', coupon_used: false } },
    { event_id: 'm-2', user: 'u-2', name: 'Order Completed', ts: Date.UTC(2015, 1, 23, 22, 28, 56), properties: { order_id: '00042', total: 20, currency: 'EUR', coupon_used: false } },
    { event_id: 'm-3', user: 'u-3', name: 'Order Completed', ts: Date.UTC(2015, 1, 23, 22, 28, 57), properties: null },
  ];
  const parsed = (db: Db): unknown[] => storedEvents(db).map((e) => ({ ...e, properties: JSON.parse(e.properties ?? 'null') as unknown }));

  for (const mode of ['bulk', 'indexed'] as const) {
    it(`whatever order they are imported in, and stays so on re-import (${mode} writer)`, async () => {
      const first = tempCache();
      expect(await importCsv(first, 'tracks.csv', tracks, { mode })).toMatchObject({ imported: 3, duplicates: 0 });
      const replacing = await importCsv(first, 'order_completed.csv', orders, { mode });
      expect(replacing).toMatchObject({ imported: 2, duplicates: 0, details: { replaced: 2 } });
      expect(parsed(first.db)).toEqual(expected);

      const second = tempCache();
      expect(await importCsv(second, 'order_completed.csv', orders, { mode })).toMatchObject({ imported: 2, duplicates: 0 });
      const after = await importCsv(second, 'tracks.csv', tracks, { mode });
      // The tracks rows of stored per-event rows are plain duplicates: not conflicting, nothing replaced.
      expect(after).toMatchObject({ imported: 1, duplicates: 2 });
      expect(after.details?.conflictingDuplicates).toBeUndefined();
      expect(after.details?.replaced).toBeUndefined();
      expect(parsed(second.db)).toEqual(expected);
      expect(cacheContent(second.db)).toEqual(cacheContent(first.db));

      // Again, both files: nothing changes, nothing is replaced twice.
      for (const cache of [first, second]) {
        expect(await importCsv(cache, 'order_completed.csv', orders, { mode })).toMatchObject({ imported: 0, duplicates: 2 });
        expect(await importCsv(cache, 'tracks.csv', tracks, { mode })).toMatchObject({ imported: 0, duplicates: 3 });
        expect(parsed(cache.db)).toEqual(expected);
      }
      // The catalog knows the per-event table's properties, and the daily rollup counts each event once.
      expect(cacheContent(first.db).propertyKeys.map((k) => k.key)).toEqual(['coupon_used', 'currency', 'order_id', 'total']);
      expect(cacheContent(first.db).daily).toEqual([{ day: 16489, name: 'Order Completed', events: 3, first_ts: expected[0]?.ts, last_ts: expected[2]?.ts }]);
    });
  }

  it('takes the per-event row\'s name where the tracks row had another, and moves the daily count with it', async () => {
    const cache = tempCache();
    // This tracks row lacks event_text, so its name is the table name the warehouse made of it.
    const bare = csv(['id', 'user_id', 'event', 'timestamp'], [['m-1', 'u-1', 'order_completed', '2015-02-23 22:28:55']]);
    await importCsv(cache, 'tracks.csv', bare);
    expect(cacheContent(cache.db).daily.map((d) => [d.name, d.events])).toEqual([['order_completed', 1]]);
    expect(await importCsv(cache, 'order_completed.csv', orders)).toMatchObject({ imported: 2, details: { replaced: 1 } });
    expect(parsed(cache.db)).toEqual([expected[0], { ...expected[1] }]);
    expect(cacheContent(cache.db).daily.map((d) => [d.name, d.events])).toEqual([['Order Completed', 2]]);
  });

  it('when the tracks row and its per-event row are in one batch, and on the parser threads', async () => {
    // One file holding both tables' rows is our own make, but shows the writer's order within a batch.
    const header = [...ORDER_HEADER];
    const mixed = csv(header, [[...tracksRow('m-1', 'u-1', '2015-02-23 22:28:55'), '', '', '', ''], orderRow('m-1', 'u-1', '2015-02-23 22:28:55', '10')]);
    for (const mode of ['bulk', 'indexed'] as const) {
      const cache = tempCache();
      expect(await importCsv(cache, 'order_completed.csv', mixed, { mode })).toMatchObject({ imported: 2, duplicates: 0, details: { replaced: 1 } });
      expect(parsed(cache.db)).toEqual([expected[0]]);
    }
    const dir = tempDir();
    expect(importInChildProcess(dir, 'tracks.csv', tracks, {}, () => null).summary).toMatchObject({ imported: 3 });
    const threads = importInChildProcess(dir, 'order_completed.csv', orders, {}, parsed);
    expect(threads.summary).toMatchObject({ imported: 2, details: { replaced: 2 } });
    expect(threads.read).toEqual(expected);
  });
});
