/**
 * vitest's global setup for the shared PostgreSQL cluster (tests/support/postgres.ts): one cluster per
 * run, started before the first test file, stopped after the last; tests reach it with inject('postgres').
 * Without PostgreSQL installed this throws, so the run fails with a message naming what to install.
 */
import type { TestProject } from 'vitest/node';
import { startPostgresCluster, stopPostgresCluster } from './postgres';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startPostgresCluster();
  project.provide('postgres', cluster);
  return () => stopPostgresCluster(cluster);
}
