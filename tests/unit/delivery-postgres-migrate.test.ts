/**
 * The delivery server's PostgreSQL database (src/delivery/postgres): which one the flag or the environment
 * names, and migrations applied once, in order, under an advisory lock, against a real PostgreSQL (the
 * shared test cluster, tests/support/postgres.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createDeliveryPool, DATABASE_URL_ENV, resolveDeliveryDatabase, type DeliveryDatabase } from '../../src/delivery/postgres/connection';
import { migratePostgres, MIGRATIONS_TABLE } from '../../src/delivery/postgres/migrate';
import type { Migration } from '../../src/shared/migrate';
import { createTestDatabase, testCluster, type TestDatabase } from '../support/postgres-vitest';

const T0 = Date.UTC(2026, 11, 7);

describe('which database', () => {
  it('is the flag, else the environment, else none (SQLite)', () => {
    expect(resolveDeliveryDatabase(undefined, {})).toBeNull();
    const fromEnv = resolveDeliveryDatabase(undefined, { [DATABASE_URL_ENV]: 'postgres://guidepost@db.internal:6432/delivery?sslmode=verify-full' });
    expect(fromEnv).toMatchObject({ from: DATABASE_URL_ENV, warnings: [], url: { host: 'db.internal', port: 6432, user: 'guidepost', database: 'delivery', sslmode: 'verify-full' } });
    const fromFlag = resolveDeliveryDatabase('postgres://a@h/one', { [DATABASE_URL_ENV]: 'postgres://b@h/two' });
    expect(fromFlag?.url.database).toBe('one');
  });

  it('takes a password in a flag with a warning that never repeats it', () => {
    const database = resolveDeliveryDatabase('postgres://guidepost:s3cret-pw@db/delivery', {});
    expect(database?.url.password).toBe('s3cret-pw');
    expect(database?.warnings).toHaveLength(1);
    expect(database?.warnings[0]).toMatch(/PGPASSWORD or a pgpass file/);
    expect(database?.warnings.join()).not.toContain('s3cret-pw');
    expect(database?.url.key).toBe('db:5432/delivery');
  });

  it('names what is wrong with a URL', () => {
    expect(() => resolveDeliveryDatabase('postgres://db/delivery', {})).toThrow('--database: The database URL names no user');
    expect(() => resolveDeliveryDatabase('postgres://u@db/delivery?sslmode=always', {})).toThrow('sslmode=always is not one of disable, prefer, require, verify-ca, verify-full.');
    expect(() => resolveDeliveryDatabase(undefined, { [DATABASE_URL_ENV]: 'mysql://u@db/x' })).toThrow(`${DATABASE_URL_ENV}: "mysql://u@db/x" is not a postgres:// URL`);
  });
});

const one: Migration = { version: 1, name: 'counters', sql: 'CREATE TABLE applied (name text PRIMARY KEY); INSERT INTO applied VALUES (\'one\');' };
// pg_sleep makes the second node arrive while the first still migrates.
const two: Migration = { version: 2, name: 'slow', sql: "SELECT pg_sleep(0.3); INSERT INTO applied VALUES ('two');" };
const broken: Migration = { version: 3, name: 'broken', sql: "INSERT INTO applied VALUES ('three'); SELECT * FROM no_such_table;" };

describe('migrations', () => {
  const pools: pg.Pool[] = [];
  const databases: TestDatabase[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.end()));
    await Promise.all(databases.splice(0).map((d) => d.drop()));
  });

  async function freshDatabase(): Promise<{ db: TestDatabase; config: DeliveryDatabase }> {
    const db = await createTestDatabase(testCluster(), 'delivery_migrate');
    databases.push(db);
    const config = resolveDeliveryDatabase(db.url, {}) as DeliveryDatabase;
    // The cluster's password, as PGPASSWORD would give it.
    config.url.password = db.cluster.password;
    return { db, config };
  }
  const pool = (config: DeliveryDatabase): pg.Pool => {
    const p = createDeliveryPool(config, { max: 2 });
    pools.push(p);
    return p;
  };
  const appliedRows = async (db: TestDatabase): Promise<string[]> => (await db.query('SELECT name FROM applied ORDER BY name')).rows.map((r: { name: string }) => r.name);

  it('applies each once, in order, and records checksums; a second run finds nothing to do', async () => {
    const { db, config } = await freshDatabase();
    expect(await migratePostgres(pool(config), [one, two], { now: T0 })).toEqual({ from: 0, to: 2, applied: [1, 2] });
    expect(await migratePostgres(pool(config), [one, two], { now: T0 })).toEqual({ from: 2, to: 2, applied: [] });
    expect(await appliedRows(db)).toEqual(['one', 'two']);
    const recorded = await db.query(`SELECT version, name, applied_at FROM ${MIGRATIONS_TABLE} ORDER BY version`);
    expect(recorded.rows).toEqual([
      { version: 1, name: 'counters', applied_at: String(T0) },
      { version: 2, name: 'slow', applied_at: String(T0) },
    ]);
  });

  it('two nodes starting at once migrate once', async () => {
    const { db, config } = await freshDatabase();
    const results = await Promise.all([migratePostgres(pool(config), [one, two], { now: T0 }), migratePostgres(pool(config), [one, two], { now: T0 })]);
    expect(results.map((r) => r.applied).sort()).toEqual([[], [1, 2]]);
    expect(await appliedRows(db)).toEqual(['one', 'two']);
  });

  it('rolls a failing migration back whole, keeps the ones before it, and names it', async () => {
    const { db, config } = await freshDatabase();
    await expect(migratePostgres(pool(config), [one, two, broken], { now: T0 })).rejects.toThrow(/Migration 3 \(broken\) of the delivery database failed and was rolled back: relation "no_such_table" does not exist/);
    expect(await appliedRows(db)).toEqual(['one', 'two']);
    expect((await db.query(`SELECT max(version) AS v FROM ${MIGRATIONS_TABLE}`)).rows[0].v).toBe(2);
  });

  it('refuses a newer database, an edited migration and a database of something else, untouched', async () => {
    const { db, config } = await freshDatabase();
    await migratePostgres(pool(config), [one, two], { now: T0 });
    await expect(migratePostgres(pool(config), [one], { now: T0 })).rejects.toThrow(/written by a newer version of Guidepost \(schema 2; this version knows up to 1\)/);
    await expect(migratePostgres(pool(config), [{ ...one, sql: `${one.sql} -- edited` }, two], { now: T0 })).rejects.toThrow(/migration 1 \(counters\) was applied from a different text/);

    const other = await freshDatabase();
    await other.db.query('CREATE TABLE invoices (id int)');
    await expect(migratePostgres(pool(other.config), [one], { now: T0 })).rejects.toThrow(/holds tables but is not a Guidepost delivery database/);
    const tables = await other.db.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    expect(tables.rows).toEqual([{ table_name: 'invoices' }]);
    expect(await appliedRows(db)).toEqual(['one', 'two']);
  });
});
