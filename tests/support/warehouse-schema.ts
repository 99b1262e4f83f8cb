/**
 * A Segment-style PostgreSQL warehouse schema for the sync tests (unit and e2e), written by the tests themselves in the
 * shapes Segment's PostgreSQL destination documents (snake_case columns, context_* columns, per-event
 * tables with their properties as columns, uuid_ts set once per load): `tracks`, a per-event table
 * `order_completed`, and `identifies` (here without uuid_ts, so it is read by received_at).
 */
import type { TestDatabase } from './postgres';

/** Loads are two hours apart, each stamped with one uuid_ts as a warehouse load is. */
export const LOAD_GAP_MS = 2 * 3_600_000;
export const FIRST_LOAD = Date.UTC(2025, 2, 3, 6, 0, 0);

const pgTime = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '+00');

export async function createWarehouseSchema(db: TestDatabase, schema: string): Promise<void> {
  const common = `id varchar(1024) PRIMARY KEY, anonymous_id text, user_id text, "timestamp" timestamptz, sent_at timestamptz,
    received_at timestamptz, original_timestamp timestamptz, context_library_name text, context_library_version text, context_ip text`;
  await db.query(`CREATE SCHEMA ${schema}`);
  await db.query(`CREATE TABLE ${schema}.tracks (${common}, event text, event_text text, uuid_ts timestamp)`);
  await db.query(`CREATE TABLE ${schema}.order_completed (${common}, event text, event_text text, total numeric, currency text, coupon text, uuid_ts timestamp)`);
  await db.query(`CREATE TABLE ${schema}.identifies (${common}, email text, plan text, logins bigint)`);
}

export interface WarehouseRow {
  table: 'tracks' | 'order_completed' | 'identifies';
  values: Record<string, string | number | null>;
}

/**
 * Row i of load `load`: tracks mostly, every 5th an order (in order_completed and, as Segment writes it,
 * in tracks with the same id), every 7th an identify.
 */
export function warehouseRows(i: number, load: number): WarehouseRow[] {
  const loadedAt = FIRST_LOAD + load * LOAD_GAP_MS;
  const ts = loadedAt - 3_600_000 + (i % 3000) * 1000;
  const base = {
    id: `wh-${i}`,
    anonymous_id: `anon-${i % 41}`,
    user_id: i % 9 === 0 ? null : `user-${i % 53}`,
    timestamp: pgTime(ts),
    sent_at: pgTime(ts + 120),
    received_at: pgTime(ts + 500),
    original_timestamp: pgTime(ts + 20),
    context_library_name: 'analytics.js',
    context_library_version: '4.1.0',
    context_ip: `10.0.${i % 200}.${i % 250}`,
  };
  const uuid = { uuid_ts: pgTime(loadedAt).replace('+00', '') };
  if (i % 7 === 0) return [{ table: 'identifies', values: { ...base, email: `u${i % 53}@example.com`, plan: ['free', 'pro'][i % 2] as string, logins: i } }];
  if (i % 5 === 0) {
    const order = { ...base, ...uuid, event: 'order_completed', event_text: 'Order Completed' };
    return [
      { table: 'order_completed', values: { ...order, total: `${(i % 400) + 0.5}`, currency: 'EUR', coupon: i % 2 ? null : 'SPRING' } },
      { table: 'tracks', values: order },
    ];
  }
  return [{ table: 'tracks', values: { ...base, ...uuid, event: `viewed_screen_${i % 4}`, event_text: `Viewed Screen ${i % 4}` } }];
}

/** Inserts rows `from` to `to` (exclusive), `perLoad` to a load, with one multi-row INSERT per table and batch. */
export async function insertWarehouseRows(db: TestDatabase, schema: string, from: number, to: number, perLoad: number, loadOf?: (i: number) => number): Promise<void> {
  const byTable = new Map<string, Record<string, string | number | null>[]>();
  for (let i = from; i < to; i++) {
    for (const row of warehouseRows(i, loadOf ? loadOf(i) : Math.floor(i / perLoad))) {
      const list = byTable.get(row.table) ?? [];
      list.push(row.values);
      byTable.set(row.table, list);
    }
  }
  for (const [table, rows] of byTable) {
    for (let start = 0; start < rows.length; start += 500) {
      const chunk = rows.slice(start, start + 500);
      const columns = Object.keys(chunk[0] as object);
      const params: unknown[] = [];
      const tuples = chunk.map((row) => `(${columns.map((c) => (params.push(row[c] ?? null), `$${params.length}`)).join(', ')})`);
      await db.query(`INSERT INTO ${schema}.${table} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${tuples.join(', ')}`, params);
    }
  }
}

/** How many warehouse rows (over every table) rows `from`..`to` make. */
export function rowCount(from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n += i % 7 === 0 ? 1 : i % 5 === 0 ? 2 : 1;
  return n;
}
