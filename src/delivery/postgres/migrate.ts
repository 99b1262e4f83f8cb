/**
 * PostgreSQL migrations for the delivery server: numbered SQL texts applied in order, each in its own
 * transaction, recorded with a checksum, like SQLite's (src/shared/migrate.ts). Several nodes starting at
 * once migrate once: the runner holds a session advisory lock while it reads and applies, so the second
 * node waits and then finds nothing to do. A database written by a newer version, one whose applied
 * migration text changed, and one holding tables of something else are refused before anything is written.
 */
import type pg from 'pg';
import { ApiError } from '../../shared/errors';
import { checksumOf, orderedMigrations, type MigrateResult, type Migration } from '../../shared/migrate';

/** The table recording applied migrations. */
export const MIGRATIONS_TABLE = 'guidepost_delivery_migrations';

/** pg_advisory_lock's key for migrating: "GPD1", as the SQLite file's application id. */
export const MIGRATION_LOCK_KEY = 0x47504431;

export interface PgMigrateOptions {
  /** When the migrations are applied, in ms (time is a parameter). */
  now: number;
}

/** Applies the migrations the database lacks, under the advisory lock. */
export async function migratePostgres(pool: pg.Pool, migrations: readonly Migration[], options: PgMigrateOptions): Promise<MigrateResult> {
  const sorted = orderedMigrations(migrations);
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await migrateLocked(client, sorted, options);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

async function migrateLocked(client: pg.PoolClient, sorted: Migration[], options: PgMigrateOptions): Promise<MigrateResult> {
  const label = 'a Guidepost delivery database';
  const tables = await client.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'");
  const names = new Set(tables.rows.map((r) => r.name));
  if (!names.has(MIGRATIONS_TABLE) && names.size > 0) {
    throw new ApiError('database_error', `This PostgreSQL database holds tables but is not ${label} (its schema has no ${MIGRATIONS_TABLE}). It was left untouched: give the server an empty database of its own.`);
  }
  await client.query(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at bigint NOT NULL)`);
  const recorded = (await client.query<{ version: number; checksum: string }>(`SELECT version, checksum FROM ${MIGRATIONS_TABLE} ORDER BY version`)).rows;
  const current = recorded.length === 0 ? 0 : Math.max(...recorded.map((r) => r.version));
  const latest = sorted.length;
  if (current > latest) {
    throw new ApiError(
      'database_too_new',
      `The delivery database was written by a newer version of Guidepost (schema ${current}; this version knows up to ${latest}). Update Guidepost to use it. It was left untouched.`,
    );
  }
  for (const row of recorded) {
    const migration = sorted[row.version - 1];
    if (migration && checksumOf(migration) !== row.checksum) {
      throw new ApiError('database_error', `The delivery database's migration ${row.version} (${migration.name}) was applied from a different text than this version holds. It was left untouched.`);
    }
  }
  const applied: number[] = [];
  for (const migration of sorted.slice(current)) {
    await client.query('BEGIN');
    try {
      await client.query(migration.sql);
      await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)`, [migration.version, migration.name, checksumOf(migration), options.now]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK');
      throw new ApiError('database_error', `Migration ${migration.version} (${migration.name}) of the delivery database failed and was rolled back: ${(err as Error).message}`);
    }
    applied.push(migration.version);
  }
  return { from: current, to: latest, applied };
}
