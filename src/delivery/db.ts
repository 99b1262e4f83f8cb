/**
 * The delivery server's own SQLite database: its own application id and migrations (applied with
 * the shared runner), WAL mode. A file that is the desktop cache, another application's file or a
 * database from a newer version is refused before anything is written.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ApiError } from '../shared/errors';
import { migrate, type MigrateResult } from '../shared/migrate';
import { deliveryMigrations } from './migrations';

export type DeliveryDb = Database.Database;

/** PRAGMA application_id of a delivery database ("GPD1"). */
export const DELIVERY_APPLICATION_ID = 0x47504431;

export interface OpenedDeliveryDb {
  db: DeliveryDb;
  path: string;
  migration: MigrateResult;
}

export function openDeliveryDb(file: string, options: { now?: number } = {}): OpenedDeliveryDb {
  const path = resolve(file);
  mkdirSync(dirname(path), { recursive: true });
  let db: DeliveryDb;
  try {
    db = new Database(path);
  } catch (err) {
    throw new ApiError('database_error', `Cannot open the delivery database at ${path}: ${(err as Error).message}`);
  }
  try {
    // Check the schema before switching to WAL: a refused file must stay byte-for-byte as it was.
    const migration = migrate(db, deliveryMigrations, {
      applicationId: DELIVERY_APPLICATION_ID,
      label: 'a Guidepost delivery database',
      now: options.now ?? Date.now(),
    });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('cache_size = -32768');
    return { db, path, migration };
  } catch (err) {
    db.close();
    if (err instanceof ApiError) throw err;
    throw new ApiError('database_error', `Cannot use the delivery database at ${path}: ${(err as Error).message}`);
  }
}
