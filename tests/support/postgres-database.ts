/**
 * A database of its own in the shared test cluster (tests/support/postgres.ts), so suites and tests run
 * in parallel: `createTestDatabase` works anywhere (vitest, Playwright); `useTestDatabase` is vitest's
 * form, created before the file's tests and dropped after them.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { clusterUrl, type PostgresCluster } from './postgres';

export interface TestDatabase {
  cluster: PostgresCluster;
  name: string;
  /** postgres://postgres@127.0.0.1:<port>/<name>, without the password (give it as PGPASSWORD). */
  url: string;
  /** Runs SQL as the superuser in this database (a short-lived connection). */
  query(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
  drop(): Promise<void>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresCluster;
  }
}

async function withClient<T>(cluster: PostgresCluster, database: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(cluster: PostgresCluster, prefix = 'test'): Promise<TestDatabase> {
  const name = `${prefix.replace(/[^a-z0-9_]/g, '_')}_${randomBytes(6).toString('hex')}`;
  await withClient(cluster, 'postgres', (c) => c.query(`CREATE DATABASE ${name}`));
  return {
    cluster,
    name,
    url: clusterUrl(cluster, name),
    query: (sql, params) => withClient(cluster, name, (c) => c.query(sql, params)),
    drop: async () => {
      await withClient(cluster, 'postgres', (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** The shared cluster vitest's global setup started. */
export function testCluster(): PostgresCluster {
  return inject('postgres');
}

/** vitest: a database of this file's own, created in beforeAll and dropped in afterAll. */
export function useTestDatabase(prefix?: string): () => TestDatabase {
  let database: TestDatabase | null = null;
  beforeAll(async () => {
    database = await createTestDatabase(testCluster(), prefix);
  });
  afterAll(async () => {
    await database?.drop();
  });
  return () => {
    if (!database) throw new Error('useTestDatabase: the database exists only inside tests (after beforeAll).');
    return database;
  };
}
