/**
 * Playwright's global setup: the shared PostgreSQL cluster (tests/support/postgres.ts) for the whole
 * run. Its connection goes in the environment (GUIDEPOST_TEST_PG), which the workers inherit; a test
 * reads it with clusterFromEnv() and makes a database of its own with createTestDatabase().
 */
import { CLUSTER_ENV, startPostgresCluster, stopPostgresCluster } from '../support/postgres';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const cluster = await startPostgresCluster();
  process.env[CLUSTER_ENV] = JSON.stringify(cluster);
  return () => stopPostgresCluster(cluster);
}
