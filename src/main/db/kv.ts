import type { Db } from './connection';

/** Settings and sync state: a string-valued key-value table. */
export interface KvRepo {
  get(key: KvKey): string | undefined;
  set(key: KvKey, value: string): void;
  delete(key: KvKey): void;
}

/** Every key the cache stores, in one place so none is spelled twice. */
export type KvKey =
  | 'data_as_of'
  | 'data_as_of_source'
  | 'data_as_of_manual'
  | 'demo_created_at'
  | 'sync_source'
  | 'sync_cursor'
  | 'last_sync_at'
  /** The PostgreSQL source the app syncs from: {source, schema, lookbackHours} as JSON (no password). */
  | 'warehouse_source'
  | 'warehouse_last_sync_at'
  /** A PostgreSQL warehouse table's sync checkpoint: warehouse_checkpoint:<host:port/db>|<schema>|<table> (warehouse-sync.ts). */
  | `warehouse_checkpoint:${string}`
  /** The largest event_pk folded into event_user_summary (migration 0008; its triggers delete it). */
  | 'event_summary_through'
  /** How many users identity merges have merged into others: step 3's caches follow it (workshops/usage.ts). */
  | 'identity_merges'
  /** How many erase markers sync applied (write/erase.ts): step 3's caches follow it too. */
  | 'users_erased'
  /** Set only inside an erasure's transaction: migration 0014's events delete trigger then stays quiet. */
  | 'erasing_user';

export function createKvRepo(db: Db): KvRepo {
  const getStmt = db.prepare<[string], string>('SELECT value FROM kv WHERE key = ?').pluck();
  const setStmt = db.prepare(
    'INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  const deleteStmt = db.prepare('DELETE FROM kv WHERE key = ?');
  return {
    get: (key) => getStmt.get(key),
    set: (key, value) => void setStmt.run(key, value),
    delete: (key) => void deleteStmt.run(key),
  };
}
