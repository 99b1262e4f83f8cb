/** The shared PostgreSQL fixture: one cluster for the run, a database of its own per suite, password checked. */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { MISSING_POSTGRES_MESSAGE, postgresBinDir } from '../support/postgres';
import { createTestDatabase, testCluster, useTestDatabase } from '../support/postgres-vitest';

const database = useTestDatabase('fixture');

describe('the shared PostgreSQL fixture', () => {
  it('gives each suite a database of its own on a loopback cluster', async () => {
    const db = database();
    const cluster = testCluster();
    expect(cluster.host).toBe('127.0.0.1');
    expect(db.url).toBe(`postgres://postgres@127.0.0.1:${cluster.port}/${db.name}`);
    await db.query('CREATE TABLE t (x int)');
    const other = await createTestDatabase(cluster, 'fixture_other');
    try {
      const seen = await other.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 't'");
      expect(seen.rows[0]).toEqual({ n: 0 });
    } finally {
      await other.drop();
    }
    const settings = await db.query("SELECT current_setting('listen_addresses') AS listen, current_setting('fsync') AS fsync");
    expect(settings.rows[0]).toEqual({ listen: '127.0.0.1', fsync: 'off' });
  });

  it('checks the password over TCP', async () => {
    const cluster = testCluster();
    const client = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.user, password: 'wrong', database: 'postgres' });
    await expect(client.connect()).rejects.toThrow(/password authentication failed/);
  });

  it('names what to install when PostgreSQL is missing', () => {
    const saved = process.env.GUIDEPOST_PG_BIN;
    process.env.GUIDEPOST_PG_BIN = '/nonexistent/postgres/bin';
    try {
      expect(() => postgresBinDir()).toThrow(MISSING_POSTGRES_MESSAGE);
      expect(MISSING_POSTGRES_MESSAGE).toMatch(/apt-get install -y postgresql/);
    } finally {
      if (saved === undefined) delete process.env.GUIDEPOST_PG_BIN;
      else process.env.GUIDEPOST_PG_BIN = saved;
    }
  });
});
