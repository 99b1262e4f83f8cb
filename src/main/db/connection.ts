import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { migrate, type MigrateResult } from '../../shared/migrate';
import { ApiError } from '../../shared/errors';
import { cacheMigrations } from './migrations';
import { dateInstant } from '../../shared/segments/values';

export type Db = Database.Database;

/** PRAGMA application_id of a Guidepost cache ("GPC1"). */
export const CACHE_APPLICATION_ID = 0x47504331;

export interface OpenCacheOptions {
  /** Path of a better_sqlite3.node built for another runtime's ABI (Electron). */
  nativeBinding?: string;
  now?: number;
  readonly?: boolean;
}

export interface OpenedCache {
  db: Db;
  path: string;
  migration: MigrateResult;
}

/**
 * SQL functions the segment compiler needs, so SQL means exactly what the JS evaluator means:
 * Unicode case-insensitive contains (SQLite's lower() is ASCII-only) and date strings read as instants.
 */
function registerSqlFunctions(db: Db): void {
  // contains: both sides arrive as JSON text, so strings with lone surrogates reach JS intact.
  db.function('gp_contains', { deterministic: true }, (valueJson: unknown, needleJson: unknown) => {
    if (typeof valueJson !== 'string' || typeof needleJson !== 'string') return 0;
    const value: unknown = JSON.parse(valueJson);
    const needle: unknown = JSON.parse(needleJson);
    return typeof value === 'string' && typeof needle === 'string' && value.toLowerCase().includes(needle.toLowerCase()) ? 1 : 0;
  });
  db.function('gp_instant', { deterministic: true }, (text: unknown) => dateInstant(text));
}

/** Opens (creating if needed) a cache file, sets it up for speed and safety, and brings its schema up to date. */
export function openCache(file: string, options: OpenCacheOptions = {}): OpenedCache {
  const path = resolve(file);
  mkdirSync(dirname(path), { recursive: true });
  let db: Db;
  try {
    db = new Database(path, {
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
      ...(options.readonly ? { readonly: true } : {}),
    });
  } catch (err) {
    throw new ApiError('database_error', `Cannot open the cache at ${path}: ${(err as Error).message}`);
  }
  try {
    // Off before migrating: a migration that rebuilds a table (0010) drops it while other tables'
    // rows still refer to it, which SQLite would otherwise refuse as a foreign key violation.
    db.pragma('foreign_keys = OFF');
    // Check the schema before switching to WAL: a refused file must stay byte-for-byte as it was.
    const migration = migrate(db, cacheMigrations, {
      applicationId: CACHE_APPLICATION_ID,
      label: 'the Guidepost cache',
      now: options.now ?? Date.now(),
    });
    registerSqlFunctions(db);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('cache_size = -65536');
    // Large sorts (building indexes after a bulk load) spill to temporary files rather than memory,
    // which keeps an import's memory flat and, measured here, is faster too.
    db.pragma('temp_store = FILE');
    db.pragma('busy_timeout = 5000');
    // Lets SQLite sort with helper threads when it builds indexes after a bulk load: three sort a
    // million-row index's runs ~5 % faster than two here, even on two cores.
    db.pragma('threads = 3');
    return { db, path, migration };
  } catch (err) {
    db.close();
    if (err instanceof ApiError) throw err;
    const message = (err as Error).message;
    // An import takes the cache for itself while it runs (see useRollbackJournal).
    const hint = /locked|busy/i.test(message) ? ' (another Guidepost process is writing to it, an import perhaps: try again when it ends)' : '';
    throw new ApiError('database_error', `Cannot use the cache at ${path}: ${message}${hint}`);
  }
}

/**
 * Switches a WAL cache to a rollback journal for one large write, when this is the only connection
 * to it; returns what switches it back (call outside any transaction), or null when it stayed in
 * WAL. In WAL mode every page a bulk import writes goes to the log and is then copied into the file
 * by the checkpoint; a rollback journal saves only pages that existed before the transaction, so a
 * load into a fresh or small cache writes each new page once (commit + close of a million events:
 * ~480 → ~105 ms). The cost: other processes cannot read the cache while the import runs (they are
 * told why), and the commit syncs as FULL asks.
 */
export function useRollbackJournal(db: Db): (() => void) | null {
  if (db.inTransaction || db.memory || db.readonly) return null;
  // A switch back that failed last time (see restoreWal) is tried again first.
  if (!restoreWal(db)) return null;
  if (String(db.pragma('journal_mode', { simple: true })) !== 'wal') return null;
  try {
    // SQLite answers the mode in force: still 'wal' when another connection holds the file.
    if (String(db.pragma('journal_mode = DELETE', { simple: true })) !== 'delete') return null;
  } catch {
    return null;
  }
  // NORMAL is durable under WAL; a rollback journal needs FULL to survive a power cut mid-commit.
  const synchronous = Number(db.pragma('synchronous', { simple: true }));
  db.pragma('synchronous = FULL');
  return () => {
    db.pragma(`synchronous = ${synchronous}`);
    awaitingWal.add(db);
    restoreWal(db);
  };
}

/** Connections useRollbackJournal switched whose switch back to WAL has not happened yet. */
const awaitingWal = new WeakSet<Db>();

/**
 * Puts a connection useRollbackJournal switched back in WAL; true when it is (or never left). Never
 * throws: while another process reads the cache the switch cannot happen, so it stays pending and the
 * next import tries again (reopening the cache switches it too). An import that committed must not
 * be reported as failed because of it.
 */
export function restoreWal(db: Db): boolean {
  if (!awaitingWal.has(db)) return true;
  if (db.inTransaction || !db.open) return false;
  try {
    if (String(db.pragma('journal_mode = WAL', { simple: true })) !== 'wal') return false;
  } catch {
    return false;
  }
  awaitingWal.delete(db);
  return true;
}
