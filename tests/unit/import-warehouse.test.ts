/**
 * Issue 15, item 5 (warehouse tables) and item 10's CSV part: CSV exports of Segment and RudderStack
 * warehouse tables are recognized from their header (and the file's name), mapped to Segment-spec
 * records, and a per-event table's row replaces the `tracks` row with the same id. The column sets
 * follow the warehouses' documented schemas; every fixture is written here.
 */
import { describe, expect, it } from 'vitest';
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
