/**
 * The crash test: `guidepost sync` killed with SIGKILL at random moments, then resumed, ends with
 * exactly the cache an uninterrupted sync gives. Each page is committed with its cursor in one
 * transaction, so a kill at any instant loses at most the page in flight, which the next run fetches again.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTempDir } from './helpers';
import { cliJson, type CliRun, crashSnapshot, cursorFor, expectSameContent, exportRecord, killAtRandomMoments, kvValue, startExportServer, type ExportServer } from './ingest-helpers';

const tempDir = useTempDir();
const TOKEN = 'crash-token';
const N = 20_000;
const PAGE = 200;
const KILLS = 20;

interface Run extends CliRun {
  /** ms from spawn to the run's first request, or null if it made none. */
  firstRequestMs: number | null;
  /** ms from spawn to the run's last request. */
  lastRequestMs: number | null;
  requests: number;
}

let server: ExportServer;
/** The run whose requests the server is counting now (runs never overlap). */
let current: { started: number; first: number | null; last: number | null; requests: number; onFirst: (() => void) | null } | null = null;

/**
 * Record i with identity in it, as analytics.js sends it: every third record carries its user's
 * anonymousId beside the userId, and some tracks only the anonymousId, so anonymous users are merged
 * into known ones within a page and across pages (the merge commits with its page).
 */
function withAnonymousIds(i: number): Record<string, unknown> {
  const record = exportRecord(i);
  const anonymousId = `anon-${i % 37}`;
  if (record.type === 'track' && i % 17 === 5) {
    const { userId: _known, ...anonymous } = record;
    return { ...anonymous, anonymousId };
  }
  return i % 3 === 0 ? { ...record, anonymousId } : record;
}

beforeAll(async () => {
  const records = Array.from({ length: N }, (_, i) => withAnonymousIds(i));
  server = await startExportServer({
    records,
    token: TOKEN,
    maxPage: PAGE,
    delayMs: 5,
    onRequest: () => {
      if (!current) return;
      const now = performance.now() - current.started;
      current.requests += 1;
      current.last = now;
      if (current.first === null) {
        current.first = now;
        current.onFirst?.();
      }
    },
  });
});

afterAll(async () => {
  await server?.close();
});

/**
 * Runs `guidepost sync --json` from source on `db`. With `kill`, SIGKILLs it: `{ afterSpawnMs }`
 * measures from the spawn, `{ afterFirstRequestMs }` from its first request to the server.
 */
function runSync(db: string, kill?: { afterSpawnMs: number } | { afterFirstRequestMs: number }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const state = { started: performance.now(), first: null as number | null, last: null as number | null, requests: 0, onFirst: null as (() => void) | null };
    current = state;
    const child = spawn(
      process.execPath,
      ['--import', './scripts/register-ts.mjs', 'src/main/cli/index.ts', 'sync', '--db', db, '--source', server.url, '--token', TOKEN, '--json'],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let timer: NodeJS.Timeout | null = null;
    const killLater = (ms: number): void => {
      timer = setTimeout(() => child.kill('SIGKILL'), Math.max(0, ms));
    };
    if (kill && 'afterSpawnMs' in kill) killLater(kill.afterSpawnMs);
    if (kill && 'afterFirstRequestMs' in kill) state.onFirst = () => killLater(kill.afterFirstRequestMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      current = null;
      resolve({ code, signal, stdout, stderr, firstRequestMs: state.first, lastRequestMs: state.last, requests: state.requests });
    });
  });
}

type SyncOutput = { fetched: number; imported: number; duplicates: number; rejected: number; pages: number; ms: number };
const parseOutput = (run: Run): SyncOutput => cliJson<SyncOutput>(run);

const snapshot = (path: string) => crashSnapshot(path, (db) => ({ cursor: kvValue(db, 'sync_cursor'), source: kvValue(db, 'sync_source') }));

describe('guidepost sync, killed at random moments', () => {
  it('ends with exactly the cache an uninterrupted sync gives', async () => {
    const dir = tempDir();
    const a = join(dir, 'a.db');
    const b = join(dir, 'b.db');

    // The reference: one uninterrupted sync, which also tells how long start-up and syncing take.
    const reference = await runSync(a);
    const out = parseOutput(reference);
    expect(out).toMatchObject({ fetched: N, imported: N, duplicates: 0, rejected: 0, pages: N / PAGE });
    expect(reference.requests).toBe(N / PAGE);
    const startupMs = reference.firstRequestMs as number;
    const syncMs = (reference.lastRequestMs as number) - startupMs;
    expect(syncMs).toBeGreaterThan(0);

    // 20 runs on B, each killed at a seeded random moment (ingest-helpers.ts, killAtRandomMoments),
    // syncing measured from the run's first request; the final run finishes the rest.
    await killAtRandomMoments({
      seed: 20_260_630,
      times: KILLS,
      startupMs,
      syncMs,
      run: (kill) => runSync(b, 'afterSpawnMs' in kill ? kill : { afterFirstRequestMs: kill.afterSyncStartMs }),
      finished: parseOutput,
      syncing: (run) => run.requests > 0,
    });
    const interrupted = snapshot(b);
    expect(interrupted.integrity).toBe('ok');
    // After every kill, what B holds and its cursor agree: exactly the records before the cursor.
    const held = interrupted.content.events.length;
    expect(held).toBeGreaterThan(0);
    expect(interrupted.cursor).toBe(cursorFor(held));

    // Then to completion.
    const last = await runSync(b);
    const rest = parseOutput(last);
    expect(rest.fetched).toBe(N - held);
    expect(rest.imported).toBe(N - held);
    expect(rest.duplicates).toBe(0);
    expect(rest.rejected).toBe(0);

    const finalA = snapshot(a);
    const finalB = snapshot(b);
    expect(finalB.integrity).toBe('ok');
    expectSameContent(finalB.content, finalA.content, N);
    expect(finalB.identity).toEqual(finalA.identity);
    // Every anonymous user was merged into its known one.
    expect(finalA.content.users.map((u) => u.id).sort()).toEqual(Array.from({ length: 37 }, (_, k) => `user-${k}`).sort());
    expect(finalB.cursor).toBe(cursorFor(N));
    expect(finalB.cursor).toBe(finalA.cursor);
    expect(finalB.source).toBe(finalA.source);
  }, 240_000);
});
