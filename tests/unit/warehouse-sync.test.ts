/**
 * Sync from a PostgreSQL warehouse, against the shared test cluster (tests/support/postgres.ts): every
 * mappable table read by load time, incremental runs, late rows caught by the lookback, and clear errors.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { syncFromWarehouse, type WarehouseSyncOptions } from '../../src/main/ingest/warehouse-sync';
import { createTestDatabase, testCluster, useTestDatabase, type TestDatabase } from '../support/postgres-vitest';
import { clusterUrl } from '../support/postgres';
import { apiErrorOf, useTempCache, useTempDir } from './helpers';
import { counts, kvValue } from './ingest-helpers';
import { createWarehouseSchema, FIRST_LOAD, insertWarehouseRows, LOAD_GAP_MS, rowCount } from '../support/warehouse-schema';

const tempCache = useTempCache();
const tempDir = useTempDir();
const database = useTestDatabase('warehouse_sync');
let schemas = 0;

/** A schema of its own for one test, with rows 0..n in loads of `perLoad`. */
async function warehouse(n: number, perLoad: number): Promise<{ db: TestDatabase; schema: string }> {
  const db = database();
  const schema = `segment_${++schemas}`;
  await createWarehouseSchema(db, schema);
  await insertWarehouseRows(db, schema, 0, n, perLoad);
  return { db, schema };
}

function options(db: TestDatabase, schema: string, extra: Partial<WarehouseSyncOptions> = {}): WarehouseSyncOptions {
  return { source: db.url, schema, password: db.cluster.password, pageSize: 100, ...extra };
}

const fetchedBy = (tables: { table: string; fetched: number }[]): Record<string, number> => Object.fromEntries(tables.map((t) => [t.table, t.fetched]));

describe('sync from a PostgreSQL warehouse', () => {
  it('reads every mappable table by load time, then only what is new plus the lookback window', async () => {
    const { db, schema } = await warehouse(1000, 200);
    const { db: cache } = tempCache();
    const first = await syncFromWarehouse(cache, options(db, schema, { lookbackHours: 1 }));
    expect(first.fetched).toBe(rowCount(0, 1000));
    expect(first.rejected).toBe(0);
    expect(counts(cache).records).toBe(1000);
    // An order is in order_completed (with its properties) and in tracks (without): per-event tables are
    // read first, so the row that stays is the one with the properties, its context never among them.
    const order = cache.prepare("SELECT properties FROM events WHERE event_id = 'wh-5'").pluck().get() as string;
    expect(JSON.parse(order)).toEqual({ total: 5.5, currency: 'EUR' });
    // Its tracks copy is a plain duplicate, not a conflicting one.
    expect(first.duplicates).toBe(rowCount(0, 1000) - 1000);
    expect(first.conflictingDuplicates).toBeUndefined();
    expect(first.tables.map((t) => [t.table, t.kind !== null]).sort()).toEqual([['identifies', true], ['order_completed', true], ['tracks', true]]);
    expect(JSON.parse(kvValue(cache, `warehouse_checkpoint:127.0.0.1:${db.cluster.port}/${db.name}|${schema}|tracks`) as string)).toMatchObject({
      load: new Date(FIRST_LOAD + 4 * LOAD_GAP_MS).toISOString().replace('T', ' ').replace('.000Z', ''),
    });

    // Nothing new: the run re-reads only the lookback window, the last load of each uuid_ts table
    // (rows 800..999) and, for identifies (received_at), its rows of the last hour before its checkpoint.
    const idle = await syncFromWarehouse(cache, options(db, schema, { lookbackHours: 1 }));
    const lastLoad = (table: string): number =>
      Array.from({ length: 200 }, (_, k) => 800 + k).filter((i) => (table === 'identifies' ? false : i % 7 !== 0 && (table === 'tracks' || i % 5 === 0))).length;
    expect(fetchedBy(idle.tables).tracks).toBe(lastLoad('tracks'));
    expect(fetchedBy(idle.tables).order_completed).toBe(lastLoad('order_completed'));
    expect(idle.imported).toBe(0);
    expect(idle.duplicates).toBe(idle.fetched - idle.rejected);

    // Two new loads: the run reads them and the window before them, nothing older.
    await insertWarehouseRows(db, schema, 1000, 1400, 200);
    const more = await syncFromWarehouse(cache, options(db, schema, { lookbackHours: 1 }));
    expect(fetchedBy(more.tables).tracks).toBe(lastLoad('tracks') + Array.from({ length: 400 }, (_, k) => 1000 + k).filter((i) => i % 7 !== 0).length);
    expect(more.imported).toBe(400);
    expect(counts(cache).records).toBe(1400);

    // Without a window, a run reads exactly the rows loaded after each table's checkpoint.
    await insertWarehouseRows(db, schema, 1400, 1500, 100, () => 9);
    const exact = await syncFromWarehouse(cache, options(db, schema, { lookbackHours: 0 }));
    expect(exact.fetched).toBe(rowCount(1400, 1500));
    expect(exact).toMatchObject({ imported: 100, duplicates: rowCount(1400, 1500) - 100 });
    expect((await syncFromWarehouse(cache, options(db, schema, { lookbackHours: 0 }))).fetched).toBe(0);
  });

  it('picks up rows loaded late within the lookback window; older late rows wait for a longer window', async () => {
    const { db, schema } = await warehouse(600, 200);
    const { db: cache } = tempCache();
    await syncFromWarehouse(cache, options(db, schema, { lookbackHours: 3 }));
    expect(counts(cache).records).toBe(600);
    // Rows a slow load committed after the sync read past them: stamped 2 h and 5 h before the last load.
    const lastLoad = 2;
    await insertWarehouseRows(db, schema, 600, 650, 0, () => lastLoad - 1);
    await insertWarehouseRows(db, schema, 650, 700, 0, () => lastLoad - 2.5);
    const late = await syncFromWarehouse(cache, options(db, schema, { lookbackHours: 3 }));
    expect(late.imported).toBe(50);
    const wider = await syncFromWarehouse(cache, options(db, schema, { lookbackHours: 6 }));
    expect(wider.imported).toBe(50);
    expect(counts(cache).records).toBe(700);
  });

  it('a per-event row loaded after its tracks row replaces it on the next run', async () => {
    const db = database();
    const schema = `segment_${++schemas}`;
    await createWarehouseSchema(db, schema);
    const { db: cache } = tempCache();
    // Row 5 is an order: load its tracks copy first, its order_completed row a load later.
    await db.query(
      `INSERT INTO ${schema}.tracks (id, user_id, "timestamp", received_at, event, event_text, context_ip, uuid_ts)
       VALUES ('ord-1', 'user-1', '2025-03-03 06:00:00+00', '2025-03-03 06:00:01+00', 'order_completed', 'Order Completed', '10.1.1.1', '2025-03-03 07:00:00')`,
    );
    expect(await syncFromWarehouse(cache, options(db, schema))).toMatchObject({ imported: 1 });
    await db.query(
      `INSERT INTO ${schema}.order_completed (id, user_id, "timestamp", received_at, event, event_text, context_ip, total, currency, uuid_ts)
       VALUES ('ord-1', 'user-1', '2025-03-03 06:00:00+00', '2025-03-03 06:00:01+00', 'order_completed', 'Order Completed', '10.1.1.1', 42.5, 'EUR', '2025-03-03 09:00:00')`,
    );
    await syncFromWarehouse(cache, options(db, schema));
    expect(JSON.parse(cache.prepare("SELECT properties FROM events WHERE event_id = 'ord-1'").pluck().get() as string)).toEqual({ total: 42.5, currency: 'EUR' });
    expect(counts(cache).records).toBe(1);
    const details = JSON.parse(cache.prepare('SELECT details FROM import_reports ORDER BY id DESC LIMIT 1').pluck().get() as string) as { replaced?: number };
    expect(details.replaced).toBe(1);
  });

  it("shows a rejected row as it is in the warehouse: its table, its id and its first columns, who and when first", async () => {
    const db = database();
    const schema = `segment_${++schemas}`;
    await createWarehouseSchema(db, schema);
    await db.query(
      `INSERT INTO ${schema}.tracks (id, user_id, anonymous_id, "timestamp", received_at, event, event_text, context_ip, uuid_ts) VALUES
       ('bad-1', NULL, NULL, '2025-03-03 06:00:00+00', '2025-03-03 06:00:01+00', 'signed_up', 'Signed Up', '10.1.1.1', '2025-03-03 07:00:00'),
       ('bad-2', 'user-9', NULL, '2025-03-03 06:00:00+00', '2025-03-03 06:00:01+00', NULL, NULL, '10.1.1.2', '2025-03-03 07:00:00'),
       ('good-1', 'user-9', NULL, '2025-03-03 06:00:00+00', '2025-03-03 06:00:01+00', 'signed_up', 'Signed Up', '10.1.1.2', '2025-03-03 07:00:00')`,
    );
    const { db: cache } = tempCache();
    const summary = await syncFromWarehouse(cache, options(db, schema));
    expect(summary).toMatchObject({ imported: 1, rejected: 2 });
    const report = JSON.parse(cache.prepare("SELECT errors FROM import_reports WHERE kind = 'sync' ORDER BY id DESC LIMIT 1").pluck().get() as string) as {
      line: number;
      table?: string;
      reason: string;
      excerpt?: string;
    }[];
    expect(report).toHaveLength(2);
    const [first, second] = report;
    expect(first).toMatchObject({ table: 'tracks', excerpt: expect.stringMatching(/^tracks row bad-1: \{"event":"signed_up","timestamp":"2025-03-03 06:00:00\+00","received_at":"2025-03-03 06:00:01\+00",/) });
    expect(second).toMatchObject({ table: 'tracks', excerpt: expect.stringMatching(/^tracks row bad-2: \{"user_id":"user-9","timestamp":"2025-03-03 06:00:00\+00",/) });
    // Empty columns are left out, and no column is shown twice.
    expect(second?.excerpt).not.toContain('null');
    expect(second?.excerpt?.match(/"user_id"/g)).toHaveLength(1);
  });

  it('syncs an accounts table: each row updates its account, the latest trait wins, and makes no user or member', async () => {
    const db = database();
    const schema = `segment_${++schemas}`;
    await createWarehouseSchema(db, schema);
    await db.query(`CREATE TABLE ${schema}.accounts (id varchar(1024) PRIMARY KEY, received_at timestamptz, uuid_ts timestamp, name text, employees bigint, plan text)`);
    await db.query(
      `INSERT INTO ${schema}.accounts VALUES
       ('0042', '2025-03-03 06:00:00+00', '2025-03-03 07:00:00', 'Initech', 320, 'enterprise'),
       ('0099', '2025-03-03 06:30:00+00', '2025-03-03 07:00:00', 'Globex', NULL, 'free')`,
    );
    const { db: cache } = tempCache();
    const first = await syncFromWarehouse(cache, options(db, schema));
    expect(first).toMatchObject({ imported: 0, rejected: 0 });
    expect(first.tables.find((t) => t.table === 'accounts')).toMatchObject({ kind: 'accounts', fetched: 2 });
    // The warehouse keeps an account's latest traits in place: a later load rewrites the row.
    await db.query(`UPDATE ${schema}.accounts SET plan = 'pro', employees = 350, received_at = '2025-03-04 06:00:00+00', uuid_ts = '2025-03-04 07:00:00' WHERE id = '0042'`);
    await syncFromWarehouse(cache, options(db, schema));
    const accounts = cache.prepare<[], { group_id: string; traits: string }>('SELECT group_id, traits FROM accounts ORDER BY group_id').all();
    expect(accounts.map((a) => [a.group_id, JSON.parse(a.traits) as unknown])).toEqual([
      ['0042', { name: 'Initech', employees: 350, plan: 'pro' }],
      ['0099', { name: 'Globex', plan: 'free' }],
    ]);
    expect(cache.prepare('SELECT count(*) FROM account_members').pluck().get()).toBe(0);
    expect(cache.prepare('SELECT count(*) FROM users').pluck().get()).toBe(0);
  });

  it('names a table it cannot map and syncs the others', async () => {
    const { db, schema } = await warehouse(300, 100);
    await db.query(`CREATE TABLE ${schema}.inventory_snapshot (sku text, quantity int, taken_at timestamptz)`);
    await db.query(`INSERT INTO ${schema}.inventory_snapshot VALUES ('a', 1, now())`);
    const { db: cache } = tempCache();
    const summary = await syncFromWarehouse(cache, options(db, schema));
    expect(counts(cache).records).toBe(300);
    const skipped = summary.tables.find((t) => t.table === 'inventory_snapshot');
    expect(skipped).toMatchObject({ kind: null, fetched: 0 });
    expect(skipped?.error).toMatch(/\w/);
    const report = cache.prepare("SELECT message, details FROM import_reports WHERE kind = 'sync' ORDER BY id DESC LIMIT 1").get() as { message: string; details: string };
    expect(report.message).toMatch(/Skipped a table it cannot map: inventory_snapshot \(/);
    expect(JSON.parse(report.details).warehouseTables).toContainEqual(expect.objectContaining({ table: 'inventory_snapshot', kind: null }));
  });

  it('gives clear errors: unreachable server, wrong password, missing schema, password in the URL', async () => {
    const { db, schema } = await warehouse(10, 10);
    const { db: cache } = tempCache();
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const port = (server.address() as { port: number }).port;
        server.close(() => resolve(port));
      });
    });
    const unreachable = await apiErrorOf(syncFromWarehouse(cache, options(db, schema, { source: `postgres://postgres@127.0.0.1:${closedPort}/${db.name}` })));
    expect(unreachable.message).toMatch(new RegExp(`Cannot reach PostgreSQL at 127\\.0\\.0\\.1:${closedPort}: .*ECONNREFUSED`));
    const wrong = await apiErrorOf(syncFromWarehouse(cache, options(db, schema, { password: 'not-the-password' })));
    expect(wrong.message).toMatch(/refused the password for user "postgres"/);
    const missing = await apiErrorOf(syncFromWarehouse(cache, options(db, schema, { schema: 'no_such_schema' })));
    expect(missing.message).toMatch(new RegExp(`^Database "${db.name}" has no schema "no_such_schema"\\. Its schemas: public, (segment_\\d+, )*${schema}\\.$`));
    const inUrl = await apiErrorOf(syncFromWarehouse(cache, options(db, schema, { source: clusterUrl(db.cluster, db.name, { withPassword: true }) })));
    expect(inUrl.message).toMatch(/The source URL holds a password: leave it out .* PGPASSWORD or a pgpass file/);
    expect(inUrl.message).not.toContain(db.cluster.password);
    const tls = await apiErrorOf(syncFromWarehouse(cache, options(db, schema, { source: `${db.url}?sslmode=require` })));
    expect(tls.message).toMatch(/does not offer TLS, which sslmode=require asks for/);
    const badMode = await apiErrorOf(syncFromWarehouse(cache, options(db, schema, { source: `${db.url}?sslmode=sometimes` })));
    expect(badMode.message).toMatch(/sslmode=sometimes is not one of disable, prefer, require, verify-ca, verify-full/);
    const otherParam = await apiErrorOf(syncFromWarehouse(cache, options(db, schema, { source: `${db.url}?password=x` })));
    expect(otherParam.message).toMatch(/takes one parameter at most, \?sslmode=/);
    expect(await syncFromWarehouse(cache, options(db, schema, { source: `${db.url}?sslmode=disable` }))).toMatchObject({ imported: 10 });
    expect(counts(cache)).toMatchObject({ records: 10 });
  });

  it('the CLI reads the password from PGPASSWORD or a pgpass file, and refuses one in the URL', async () => {
    const db = await createTestDatabase(testCluster(), 'warehouse_cli');
    try {
      await createWarehouseSchema(db, 'app');
      await insertWarehouseRows(db, 'app', 0, 40, 20);
      const { path } = tempCache();
      const cli = (args: string[], env: Record<string, string>): { code: number | null; out: string; err: string } => {
        // pg takes PGPASSWORD, even empty, over a pgpass file: the child gets only what the case gives.
        const { PGPASSWORD: _ignored, ...inherited } = process.env;
        const run = spawnSync(process.execPath, ['--import', './scripts/register-ts.mjs', 'src/main/cli/index.ts', 'sync', '--db', path, ...args], {
          encoding: 'utf8',
          env: { ...inherited, PGPASSFILE: '/nonexistent', ...env },
        });
        return { code: run.status, out: run.stdout, err: run.stderr };
      };
      const ok = cli(['--source', db.url, '--schema', 'app', '--json'], { PGPASSWORD: db.cluster.password });
      expect(ok.code, ok.err).toBe(0);
      const out = JSON.parse(ok.out) as { fetched: number; imported: number; tables: { table: string; fetched: number }[] };
      expect(out).toMatchObject({ fetched: rowCount(0, 40), imported: 40 });
      expect(out.tables.map((t) => t.table).sort()).toEqual(['identifies', 'order_completed', 'tracks']);

      // A pgpass file, mode 0600 as libpq and pg require.
      const pgpass = join(tempDir(), 'pgpass');
      writeFileSync(pgpass, `${db.cluster.host}:${db.cluster.port}:${db.name}:${db.cluster.user}:${db.cluster.password}\n`, { mode: 0o600 });
      const viaFile = cli(['--source', db.url, '--schema', 'app'], { PGPASSFILE: pgpass });
      expect(viaFile.code, viaFile.err).toBe(0);
      // The text names each table's kind and its rows read: within the default day's lookback, all of them again.
      expect(viaFile.out).toMatch(/^Synced \d+ records in \d+ pages \(.* s\): 0 new, \d+ duplicates, 0 rejected\.$/m);
      expect(viaFile.out).toContain(`  order_completed (per-event table): ${Array.from({ length: 40 }, (_, i) => i).filter((i) => i % 7 !== 0 && i % 5 === 0).length} rows read`);

      const refused = cli(['--source', clusterUrl(db.cluster, db.name, { withPassword: true }), '--schema', 'app', '--json'], {});
      expect(refused.code).toBe(2);
      expect(JSON.parse(refused.out).error).toMatch(/holds a password: leave it out/);
      const noPassword = cli(['--source', db.url, '--schema', 'app'], {});
      expect(noPassword.code).toBe(2);
      expect(noPassword.err + noPassword.out).toMatch(/asks for a password: set PGPASSWORD or a pgpass file/);
    } finally {
      await db.drop();
    }
  });
});
