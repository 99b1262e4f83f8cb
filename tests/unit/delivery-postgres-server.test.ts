/**
 * The delivery server on PostgreSQL (issue 20): `guidepost delivery --database` (the password from
 * PGPASSWORD, or from the URL with a warning), health as a load balancer reads it (503 once the database
 * is gone), and two nodes on one database: a publish on one reaches the other's decide through the change
 * feed (LISTEN/NOTIFY), a track on one reaches the other's cached profile, and the same publish sent to
 * both at once applies once. Real servers on loopback, a real database of the shared test cluster.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveDeliveryDatabase, type DeliveryDatabase } from '../../src/delivery/postgres/connection';
import { openPostgresEngine } from '../../src/delivery/postgres/engine';
import { createPostgresNodeChanges } from '../../src/delivery/postgres/notify';
import { createDeliveryServer } from '../../src/delivery/server';
import { clusterUrl } from '../support/postgres';
import { createTestDatabase, testCluster, type TestDatabase } from '../support/postgres-vitest';
import { ADMIN_TOKEN, messageBody, PUBLIC_KEY, send, T0, trackCall, useDeliveryServer, type Running } from './delivery-helpers';
import { useTempDir } from './helpers';

const start = useDeliveryServer('postgres');
const tempDir = useTempDir();
const cleanups: (() => Promise<void>)[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function freshDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase(testCluster(), 'delivery_pg_server');
  cleanups.push(() => database.drop());
  return database;
}

/** Asks until `check` holds, at most `attempts` times a short while apart; the last answer is returned for the assertion. */
async function eventually<T>(ask: () => Promise<T>, check: (value: T) => boolean, attempts = 100): Promise<T> {
  let value = await ask();
  for (let i = 1; i < attempts && !check(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await ask();
  }
  return value;
}

/** Two servers (nodes) on one fresh database: the second on the first's folder, so the helper gives it the same database. */
async function twoNodes(): Promise<[Running, Running]> {
  const one = await start();
  const two = await start({ dir: one.dir });
  return [one, two];
}

/** `guidepost delivery` from source in a child process; resolves with its first stdout line and its stderr so far. */
function startCli(args: string[], env: Record<string, string>): Promise<{ first: string; stderr: () => string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', './scripts/register-ts.mjs', 'src/main/cli/index.ts', 'delivery', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, GUIDEPOST_ADMIN_TOKEN: ADMIN_TOKEN, GUIDEPOST_PUBLIC_KEY: PUBLIC_KEY, GUIDEPOST_DELIVERY_DB: '', GUIDEPOST_DATABASE_URL: '', PGPASSWORD: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve({ first: out.slice(0, newline), stderr: () => err, child });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${err}`)));
  });
}

describe('guidepost delivery --database', () => {
  it('runs on PostgreSQL with the password from PGPASSWORD, and reports the database in health', async () => {
    const database = await freshDatabase();
    const started = await startCli(['--database', database.url, '--port', '0', '--json'], { PGPASSWORD: database.cluster.password });
    const info = JSON.parse(started.first) as { url: string; engine: string; db: string };
    expect(info.engine).toBe('postgres');
    expect(info.db).toBe(`${database.cluster.host}:${database.cluster.port}/${database.name}`);
    const health = await send(info.url, 'GET', '/v1/health');
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ ok: true, database: { engine: 'postgres', reachable: true, migrated: true }, changeFeed: { listening: true } });
    const publish = await send(info.url, 'PUT', '/v1/messages/m1', { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` }, body: messageBody() });
    expect(publish.status).toBe(201);
    expect(started.stderr()).not.toMatch(/secret given with --database/);
  });

  it('takes GUIDEPOST_DATABASE_URL too, and a password inside a --database URL works with the secret warning', async () => {
    const database = await freshDatabase();
    const fromEnv = await startCli(['--port', '0', '--json'], { GUIDEPOST_DATABASE_URL: database.url, PGPASSWORD: database.cluster.password });
    expect(JSON.parse(fromEnv.first)).toMatchObject({ engine: 'postgres' });
    const withPassword = clusterUrl(database.cluster, database.name, { withPassword: true });
    const flagged = await startCli(['--database', withPassword, '--port', '0', '--json'], {});
    const info = JSON.parse(flagged.first) as { url: string; db: string };
    expect((await send(info.url, 'GET', '/v1/health')).json.database.reachable).toBe(true);
    expect(flagged.stderr()).toMatch(/warning: a secret given with --database is visible to other users of this machine \(ps\) and in shell history; use PGPASSWORD or a pgpass file/);
    expect(flagged.first + flagged.stderr()).not.toContain(database.cluster.password);
  });

  it('refuses --db and --database together', async () => {
    const database = await freshDatabase();
    await expect(startCli(['--database', database.url, '--db', `${tempDir()}/d.db`, '--port', '0'], {})).rejects.toThrow(/give --database <postgres URL> or --db <file>, not both/);
  });
});

describe('health on PostgreSQL', () => {
  it('answers 503 once the database is gone, so a load balancer takes the node out', async () => {
    const database = await freshDatabase();
    const config = resolveDeliveryDatabase(database.url, {}) as DeliveryDatabase;
    config.url.password = database.cluster.password;
    const { engine, pool } = await openPostgresEngine(config, { now: T0, pool: { max: 2, connectTimeoutSeconds: 2 } });
    const server = createDeliveryServer({ engine, changes: createPostgresNodeChanges(pool, config), adminToken: ADMIN_TOKEN, publicKey: PUBLIC_KEY, log: () => undefined });
    const url = await server.listen(0);
    cleanups.push(async () => {
      await server.close();
      await engine.close();
    });
    expect((await send(url, 'GET', '/v1/health')).status).toBe(200);
    await database.drop();
    const gone = await send(url, 'GET', '/v1/health');
    expect(gone.status).toBe(503);
    expect(gone.json).toMatchObject({ ok: false, database: { engine: 'postgres', reachable: false } });
    expect(gone.json.database.problem).toMatch(/does not exist|terminat|connect/i);
  });
});

describe('two nodes on one database', () => {
  it('a publish, pause and delete on node 1 reach node 2 through the change feed, and both show the same message-set version', async () => {
    const [one, two] = await twoNodes();
    await two.identify('u1', { plan: 'pro' });
    expect(await two.decideIds('u1')).toEqual([]);
    await one.publish('tour');
    expect(await eventually(() => two.decideIds('u1'), (ids) => ids.includes('tour'))).toEqual(['tour']);
    const versionOf = async (r: Running): Promise<string> => (await r.raw('GET', '/v1/health')).json.messages.version as string;
    expect(await eventually(() => versionOf(two), (v) => v !== '')).toBe(await versionOf(one));
    await one.admin('POST', '/v1/messages/tour/pause');
    expect(await eventually(() => two.decideIds('u1'), (ids) => ids.length === 0)).toEqual([]);
    expect(await versionOf(two)).toBe(await versionOf(one));
    await one.admin('POST', '/v1/messages/tour/resume');
    expect(await eventually(() => two.decideIds('u1'), (ids) => ids.length === 1)).toEqual(['tour']);
    await one.admin('DELETE', '/v1/messages/tour');
    expect(await eventually(() => two.decideIds('u1'), (ids) => ids.length === 0)).toEqual([]);
  });

  it("a track on node 1 reaches node 2's cached profile", async () => {
    const [one, two] = await twoNodes();
    const rule = { version: 1, match: 'all', conditions: [{ type: 'event', event: 'report_run', op: '>=', count: 1, within: { days: 30 } }] };
    await one.publish('power', { rule });
    await eventually(() => two.raw('GET', '/v1/health'), (reply) => reply.json.messages.count === 1);
    // Node 2 caches u1's profile (no report_run yet).
    expect(await two.decideIds('u1')).toEqual([]);
    expect((await one.track([trackCall('u1', 'report_run', T0)])).json.accepted).toBe(1);
    expect(await eventually(() => two.decideIds('u1'), (ids) => ids.includes('power'))).toEqual(['power']);
  });

  it('the same publish sent to both nodes at once applies once: one 201, one 409; with one Idempotency-Key, one applies and the other replays it', async () => {
    const [one, two] = await twoNodes();
    const body = messageBody({ version: 1 });
    const both = await Promise.all([one.admin('PUT', '/v1/messages/m1', body), two.admin('PUT', '/v1/messages/m1', body)]);
    expect(both.map((reply) => reply.status).sort()).toEqual([201, 409]);
    const keyed = { 'Idempotency-Key': 'publish-m2-v1' };
    const replies = await Promise.all([one.admin('PUT', '/v1/messages/m2', body, keyed), two.admin('PUT', '/v1/messages/m2', body, keyed)]);
    expect(replies.map((reply) => reply.status)).toEqual([201, 201]);
    expect(replies.map((reply) => reply.headers['idempotent-replayed'] ?? 'applied').sort()).toEqual(['applied', 'true']);
    expect(replies[0]?.json).toEqual(replies[1]?.json);
    expect(await one.scalar('SELECT count(*) FROM message_versions WHERE id = ?', 'm2')).toBe(1);
  });
});
