/**
 * The shared test cluster (tests/support/postgres.ts) in vitest: `testCluster()` is the cluster the
 * global setup started, `useTestDatabase()` a database of the file's own, created before its tests and
 * dropped after them, so files run in parallel.
 */
import { afterAll, beforeAll, inject } from 'vitest';
import { createTestDatabase, type PostgresCluster, type TestDatabase } from './postgres';

export { createTestDatabase, type TestDatabase } from './postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresCluster;
  }
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
