/**
 * The shared PostgreSQL test fixture: one private cluster per test run, shared by every suite.
 *
 * How to use it
 *   - vitest: vitest.config.ts names tests/support/postgres-vitest-setup.ts as a globalSetup; it starts the
 *     cluster before the first test file and stops it after the last. A test file calls
 *     `useTestDatabase()` (tests/support/postgres-vitest.ts), which creates a database of its own with a
 *     random name, so files and tests run in parallel without seeing each other's tables.
 *   - Playwright: playwright.config.ts names tests/e2e/global-setup.ts, which calls `startPostgresCluster()`
 *     and puts the connection in the environment (GUIDEPOST_TEST_PG, read by `clusterFromEnv()`); a test
 *     calls `createTestDatabase(clusterFromEnv())` and drops it at its end.
 *
 * The cluster: Debian's PostgreSQL (/usr/lib/postgresql/<version>/bin, not on PATH), initdb in a temporary
 * folder, listening on 127.0.0.1 only at a random free port, its unix socket in that folder, fsync off.
 * initdb and pg_ctl refuse to run as root (CI runs as root), so as root they run as the `postgres` system
 * user through runuser, and the folder is handed to that user. The superuser `postgres` has a random
 * password checked over TCP (scram-sha-256), so tests can also try a wrong one. Stopping is
 * `pg_ctl stop -m immediate` and removing the folder.
 *
 * Without PostgreSQL the run fails (it never skips) with a message naming what to install.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How tests reach the shared cluster: serializable, so it crosses vitest's provide/inject and the environment. */
export interface PostgresCluster {
  host: string;
  port: number;
  /** The superuser. */
  user: string;
  password: string;
  /** The folder holding the data directory, the log and the unix socket. */
  dir: string;
}

export const CLUSTER_ENV = 'GUIDEPOST_TEST_PG';
const POSTGRES_ROOT = '/usr/lib/postgresql';

export const MISSING_POSTGRES_MESSAGE =
  `PostgreSQL is not installed: the tests need a private PostgreSQL cluster and found no ${POSTGRES_ROOT}/<version>/bin/initdb. ` +
  "Install Debian's server package (as root: apt-get install -y postgresql; .ci/run does this), " +
  'or point GUIDEPOST_PG_BIN at a folder holding initdb and pg_ctl.';

/** The folder of initdb and pg_ctl: GUIDEPOST_PG_BIN, else the newest Debian version installed. */
export function postgresBinDir(): string {
  const override = process.env.GUIDEPOST_PG_BIN;
  if (override) {
    if (!existsSync(join(override, 'initdb'))) throw new Error(`GUIDEPOST_PG_BIN=${override} holds no initdb. ${MISSING_POSTGRES_MESSAGE}`);
    return override;
  }
  let versions: string[] = [];
  try {
    versions = readdirSync(POSTGRES_ROOT).filter((v) => existsSync(join(POSTGRES_ROOT, v, 'bin', 'initdb')));
  } catch {
    // No folder at all: not installed.
  }
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (newest === undefined) throw new Error(MISSING_POSTGRES_MESSAGE);
  return join(POSTGRES_ROOT, newest, 'bin');
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')} failed: ${stderr || stdout || err.message}`));
      else resolve(stdout);
    });
  });
}

/** Runs a PostgreSQL server program, as the `postgres` system user when we are root (they refuse root). */
function runPostgresProgram(bin: string, program: string, args: string[]): Promise<string> {
  const path = join(bin, program);
  return process.getuid?.() === 0 ? run('runuser', ['-u', 'postgres', '--', path, ...args]) : run(path, args);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Initializes and starts a private cluster; resolves once it accepts connections. */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'guidepost-pg-'));
  const data = join(dir, 'data');
  const password = randomBytes(18).toString('base64url');
  try {
    const pwfile = join(dir, 'pwfile');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (process.getuid?.() === 0) {
      // The server programs run as `postgres`: it must own the folder (and read the password file).
      const ids = (await run('id', ['-u', 'postgres'])).trim();
      const gid = (await run('id', ['-g', 'postgres'])).trim();
      chownSync(dir, Number(ids), Number(gid));
      chownSync(pwfile, Number(ids), Number(gid));
    }
    await runPostgresProgram(bin, 'initdb', [
      '-D', data, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256',
      '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions',
    ]);
    rmSync(pwfile);
    // A free port can be taken between the probe and the start: try a few.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const options = [`-p ${port}`, `-k ${dir}`, "-c listen_addresses='127.0.0.1'", '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off', '-c max_connections=200'];
      try {
        await runPostgresProgram(bin, 'pg_ctl', ['start', '-w', '-t', '60', '-D', data, '-l', join(dir, 'server.log'), '-o', options.join(' ')]);
        return { host: '127.0.0.1', port, user: 'postgres', password, dir };
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Stops the cluster at once (its data is thrown away) and removes its folder. */
export async function stopPostgresCluster(cluster: PostgresCluster): Promise<void> {
  try {
    await runPostgresProgram(postgresBinDir(), 'pg_ctl', ['stop', '-m', 'immediate', '-w', '-D', join(cluster.dir, 'data')]);
  } finally {
    rmSync(cluster.dir, { recursive: true, force: true });
  }
}

/** A postgres:// URL for a database of the cluster; the password stays out of it unless asked for. */
export function clusterUrl(cluster: PostgresCluster, database: string, options: { withPassword?: boolean } = {}): string {
  const credentials = options.withPassword ? `${cluster.user}:${encodeURIComponent(cluster.password)}` : cluster.user;
  return `postgres://${credentials}@${cluster.host}:${cluster.port}/${database}`;
}

/** The cluster a global setup put in the environment (Playwright's workers inherit it). */
export function clusterFromEnv(): PostgresCluster {
  const text = process.env[CLUSTER_ENV];
  if (!text) throw new Error(`${CLUSTER_ENV} is not set: the PostgreSQL fixture's global setup did not run.`);
  return JSON.parse(text) as PostgresCluster;
}

/** A database of its own in the cluster (CREATE DATABASE with a random name), for one suite or test. */
export interface TestDatabase {
  cluster: PostgresCluster;
  name: string;
  /** postgres://postgres@127.0.0.1:<port>/<name>, without the password (give it as PGPASSWORD). */
  url: string;
  /** Runs SQL as the superuser in this database (a short-lived connection). */
  query(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
  drop(): Promise<void>;
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

