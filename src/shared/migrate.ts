/**
 * A SQLite migration runner that takes its database as a parameter, so the desktop cache and the
 * delivery server share it without this module importing a driver.
 *
 * Migrations are numbered SQL texts applied in order, each in its own transaction, and recorded
 * with a checksum; PRAGMA user_version mirrors the newest. A database written by a newer version,
 * a file that belongs to another application, or an applied migration whose text has changed is
 * refused before anything is written.
 */
import { ApiError } from './errors';
import { hashHex } from './hash';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

interface StatementLike {
  run(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
}

/** The subset of better-sqlite3's Database that the runner needs. */
export interface MigratableDatabase {
  exec(sql: string): unknown;
  prepare(sql: string): StatementLike;
  pragma(source: string, options: { simple: true }): unknown;
}

export interface MigrateOptions {
  /** PRAGMA application_id that marks files of this application (a 32-bit integer). */
  applicationId: number;
  /** How the database is called in messages: "the Guidepost cache". */
  label: string;
  /** When the migrations are applied, in ms (time is a parameter). */
  now: number;
}

export interface MigrateResult {
  from: number;
  to: number;
  applied: number[];
}

export function checksumOf(migration: Migration): string {
  return hashHex(migration.sql.replace(/\r\n/g, '\n'));
}

/** The migrations in order, checked to be numbered 1, 2, 3… with no gap (a programming error otherwise). */
export function orderedMigrations(migrations: readonly Migration[]): Migration[] {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migrations must be numbered 1, 2, 3...; found ${m.version} at position ${i + 1}.`);
  });
  return sorted;
}

export function migrate(db: MigratableDatabase, migrations: readonly Migration[], options: MigrateOptions): MigrateResult {
  const sorted = orderedMigrations(migrations);
  const latest = sorted.length;
  const current = Number(db.pragma('user_version', { simple: true }));
  const appId = Number(db.pragma('application_id', { simple: true }));
  const tableCount = Number(
    (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n,
  );

  if (appId !== 0 && appId !== options.applicationId) {
    throw new ApiError('database_error', `This file is not ${options.label}: it belongs to another application. It was left untouched.`);
  }
  if (appId === 0 && tableCount > 0) {
    throw new ApiError('database_error', `This file is an SQLite database but not ${options.label}. It was left untouched.`);
  }
  if (current > latest) {
    throw new ApiError(
      'database_too_new',
      `${capitalize(options.label)} was written by a newer version of Guidepost (schema ${current}; this version knows up to ${latest}). ` +
        'Update Guidepost to open it. The file was left untouched.',
    );
  }

  if (current > 0) {
    const recorded = db.prepare('SELECT version, checksum FROM schema_migrations ORDER BY version').all() as {
      version: number;
      checksum: string;
    }[];
    for (const row of recorded) {
      const known = sorted[row.version - 1];
      if (known && checksumOf(known) !== row.checksum) {
        throw new ApiError(
          'database_error',
          `Migration ${row.version} (${known.name}) changed after it was applied to ${options.label}; refusing to continue. The file was left untouched.`,
        );
      }
    }
  }

  const applied: number[] = [];
  for (const m of sorted.slice(current)) {
    db.exec('BEGIN IMMEDIATE');
    try {
      if (m.version === 1) {
        db.exec(
          'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at INTEGER NOT NULL)',
        );
        db.exec(`PRAGMA application_id = ${options.applicationId | 0}`);
      }
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)').run(
        m.version,
        m.name,
        checksumOf(m),
        options.now,
      );
      db.exec(`PRAGMA user_version = ${m.version}`);
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      const reason = err instanceof Error ? err.message : String(err);
      throw new ApiError('database_error', `Migration ${m.version} (${m.name}) failed and was rolled back: ${reason}`);
    }
    applied.push(m.version);
  }
  return { from: current, to: latest, applied };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
