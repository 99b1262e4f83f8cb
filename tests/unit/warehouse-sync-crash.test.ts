/**
 * The PostgreSQL sync's crash test: `guidepost sync --source postgres://…` killed with SIGKILL at random
 * moments, then resumed, ends with exactly the cache an uninterrupted sync gives, compared by content.
 * Each page is committed with its table's checkpoint in one transaction, and a resumed run re-reads the
 * lookback window before it (duplicates), so a kill at any instant loses nothing and doubles nothing.
 *
 * The server side is watched through pg_stat_activity: a run's first moment of syncing is when its
 * connection (application_name guidepost-sync) appears, as the HTTP crash test counts requests.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/postgres-vitest';
import { useTempDir } from './helpers';
import { cliJson, type CliRun, crashSnapshot, expectSameContent, killAtRandomMoments } from './ingest-helpers';
import { createWarehouseSchema, insertWarehouseRows, rowCount } from '../support/warehouse-schema';

const tempDir = useTempDir();
const database = useTestDatabase('warehouse_crash');
const SCHEMA = 'shop_prod';
const N = 12_000;
const PER_LOAD = 400;
const PAGE_ROWS = 150;
const KILLS = 20;

interface Run extends CliRun {
  /** ms from spawn to the moment its connection was first seen, or null if never. */
  connectedMs: number | null;
  /** ms from spawn to exit. */
  endMs: number;
}

let watcher: pg.Client;

beforeAll(async () => {
  const db = database();
  await createWarehouseSchema(db, SCHEMA);
  await insertWarehouseRows(db, SCHEMA, 0, N, PER_LOAD);
  watcher = new pg.Client({ host: db.cluster.host, port: db.cluster.port, user: db.cluster.user, password: db.cluster.password, database: 'postgres' });
  await watcher.connect();
});

afterAll(async () => {
  await watcher?.end();
});

async function syncConnected(): Promise<boolean> {
  const result = await watcher.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'guidepost-sync' AND datname = $1", [database().name]);
  return (result.rows[0] as { n: number }).n > 0;
}

/** Runs the sync CLI on `cache`; with `kill`, SIGKILLs it that long after its spawn or after its connection appears. */
function runSync(cache: string, kill?: { afterSpawnMs: number } | { afterConnectedMs: number }): Promise<Run> {
  const db = database();
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [
        '--import', './scripts/register-ts.mjs', 'src/main/cli/index.ts', 'sync', '--db', cache,
        '--source', db.url, '--schema', SCHEMA, '--lookback-hours', '1', '--page-rows', String(PAGE_ROWS), '--json',
      ],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PGPASSWORD: db.cluster.password } },
    );
    let stdout = '';
    let stderr = '';
    let connectedMs: number | null = null;
    let done = false;
    let timer: NodeJS.Timeout | null = null;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killLater = (ms: number): void => {
      timer = setTimeout(() => child.kill('SIGKILL'), Math.max(0, ms));
    };
    if (kill && 'afterSpawnMs' in kill) killLater(kill.afterSpawnMs);
    // Watch for the run's connection (the watcher's queries run one at a time, so this polls in turn).
    const watch = async (): Promise<void> => {
      while (!done && connectedMs === null) {
        if (await syncConnected()) {
          connectedMs = performance.now() - started;
          if (kill && 'afterConnectedMs' in kill) killLater(kill.afterConnectedMs);
        } else await new Promise((r) => setTimeout(r, 5));
      }
    };
    void watch().catch(reject);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      done = true;
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, connectedMs, endMs: performance.now() - started });
    });
  });
}

type SyncOutput = { fetched: number; imported: number; duplicates: number; rejected: number; pages: number };
const parseOutput = (run: Run): SyncOutput => cliJson<SyncOutput>(run);

const snapshot = (path: string) =>
  crashSnapshot(path, (db) => ({ checkpoints: db.prepare("SELECT count(*) FROM kv WHERE key LIKE 'warehouse_checkpoint:%'").pluck().get() as number }));

describe('guidepost sync from PostgreSQL, killed at random moments', () => {
  it('ends with exactly the cache an uninterrupted sync gives', async () => {
    const dir = tempDir();
    const a = join(dir, 'a.db');
    const b = join(dir, 'b.db');

    // The reference: one uninterrupted sync, which also tells how long start-up and syncing take.
    const reference = await runSync(a);
    const out = parseOutput(reference);
    expect(out).toMatchObject({ fetched: rowCount(0, N), imported: N, rejected: 0 });
    const startupMs = reference.connectedMs as number;
    expect(startupMs).not.toBeNull();
    const syncMs = reference.endMs - startupMs;

    // 20 runs on B, each killed at a seeded random moment (ingest-helpers.ts, killAtRandomMoments),
    // syncing measured from the run's connection; each resumes at its checkpoints less the lookback hour.
    await killAtRandomMoments({
      seed: 20_261_207,
      times: KILLS,
      startupMs,
      syncMs,
      run: (kill) => runSync(b, 'afterSpawnMs' in kill ? kill : { afterConnectedMs: kill.afterSyncStartMs }),
      finished: parseOutput,
      syncing: (run) => run.connectedMs !== null,
    });
    const interrupted = snapshot(b);
    expect(interrupted.integrity).toBe('ok');
    expect(interrupted.content.events.length).toBeGreaterThan(0);
    expect(interrupted.checkpoints).toBeGreaterThan(0);

    // Then to completion.
    const last = await runSync(b);
    const rest = parseOutput(last);
    expect(rest.rejected).toBe(0);
    expect(interrupted.content.events.length + rest.imported).toBe(N);

    const finalA = snapshot(a);
    const finalB = snapshot(b);
    expect(finalB.integrity).toBe('ok');
    expectSameContent(finalB.content, finalA.content, N);
    expect(finalB.checkpoints).toBe(finalA.checkpoints);
  }, 240_000);
});
