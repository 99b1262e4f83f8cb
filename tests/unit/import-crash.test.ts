/**
 * The crash test for file import: `guidepost import` killed with SIGKILL at random moments leaves the
 * cache exactly as it was before the import. A bulk import writes everything in one transaction
 * under a rollback journal (the cache leaves WAL for it and comes back after), so a kill mid-import
 * leaves a hot `-journal` that the next open must roll back, keeping the data imported earlier and
 * nothing of the import in flight. Importing again then ends with exactly the cache an
 * uninterrupted import gives.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from './helpers';
import { cacheContent, expectSameContent, EXPORT_BASE_TS, seeded, withCache, type CacheContent } from './ingest-helpers';

const tempDir = useTempDir();
const N = 120_000;
const PREFIX = 5_000;
const USERS = 400;
const KILLS = 5;
/** Runs at most, when some finish before their kill (a machine faster than during the reference run). */
const MAX_RUNS = 12;
const EVENT_NAMES = ['signed_in', 'viewed_report', 'exported_csv', 'invited_teammate', 'created_segment', 'sent_message', 'upgraded_plan', 'opened_settings'];
const PLANS = ['free', 'pro', 'growth', 'enterprise'];

/**
 * N Segment-spec records, one NDJSON line each, from a seeded generator: track calls with
 * properties, about one in ten an identify call with traits, all with messageIds.
 */
function records(): string[] {
  const rng = seeded(20_260_700);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)] as T;
  const lines: string[] = [];
  let ts = EXPORT_BASE_TS;
  for (let i = 0; i < N; i++) {
    ts += Math.floor(rng() * 20_000);
    const base = { messageId: `imp-${i}`, userId: `user-${Math.floor(rng() * USERS)}`, timestamp: new Date(ts).toISOString() };
    if (rng() < 0.1) {
      lines.push(JSON.stringify({ type: 'identify', ...base, traits: { plan: pick(PLANS), seats: 1 + Math.floor(rng() * 50), beta: rng() < 0.3 } }));
    } else {
      const properties: Record<string, unknown> = { n: i, amount: Math.round(rng() * 10_000) / 100, path: `/p/${Math.floor(rng() * 13)}` };
      // A key that is sometimes a number and sometimes a string, so property-key types merge.
      if (rng() < 0.2) properties.ref = rng() < 0.5 ? Math.floor(rng() * 100) : `ref-${Math.floor(rng() * 100)}`;
      lines.push(JSON.stringify({ type: 'track', event: pick(EVENT_NAMES), ...base, properties }));
    }
  }
  return lines;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** ms from spawn to exit. */
  ms: number;
  /** ms from spawn to when the cache's rollback journal was first seen, or null if never. */
  journalFromMs: number | null;
  /** ms from spawn to when the journal was last seen. */
  journalToMs: number | null;
}

/** When to SIGKILL a run: that long after its spawn, or after its cache's `-journal` first appears (its import began writing). */
type Kill = { afterSpawnMs: number } | { afterJournalMs: number };

/**
 * Runs `guidepost import <file> --json` from source on `db`, watching (every 2 ms) for the cache's
 * `-journal`, which exists while a bulk import's transaction is open (from its first write to its
 * commit); with `kill`, SIGKILLs it.
 */
function runImport(db: string, file: string, kill?: Kill): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const journal = `${db}-journal`;
    let journalFromMs: number | null = null;
    let journalToMs: number | null = null;
    let timer: NodeJS.Timeout | null = null;
    const child = spawn(process.execPath, ['--import', './scripts/register-ts.mjs', 'src/main/cli/index.ts', 'import', file, '--db', db, '--json'], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killLater = (ms: number): void => {
      timer = setTimeout(() => child.kill('SIGKILL'), Math.max(0, ms));
    };
    const watch = setInterval(() => {
      if (!existsSync(journal)) return;
      const now = performance.now() - started;
      if (journalFromMs === null && kill && 'afterJournalMs' in kill) killLater(kill.afterJournalMs);
      journalFromMs ??= now;
      journalToMs = now;
    }, 2);
    if (kill && 'afterSpawnMs' in kill) killLater(kill.afterSpawnMs);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const stop = (): void => {
      clearInterval(watch);
      if (timer) clearTimeout(timer);
    };
    child.on('error', (err) => {
      stop();
      reject(err);
    });
    child.on('close', (code, signal) => {
      stop();
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started, journalFromMs, journalToMs });
    });
  });
}

interface Output {
  imported: number;
  duplicates: number;
  rejected: number;
  errors: unknown[];
  users: number;
  ms: number;
}

function parseOutput(run: Run): Output {
  expect(run.code, run.stderr || run.stdout).toBe(0);
  return JSON.parse(run.stdout.trim()) as Output;
}

/** The journal mode a cache file's header records, read without opening it in SQLite (which would change it). */
function fileJournalMode(path: string): 'wal' | 'rollback' {
  const header = Buffer.alloc(20);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 20, 0);
  } finally {
    closeSync(fd);
  }
  // Bytes 18 and 19: the file format's write and read versions, 2 in WAL mode, 1 with a rollback journal.
  return header[18] === 2 && header[19] === 2 ? 'wal' : 'rollback';
}

function snapshot(path: string): { content: CacheContent; integrity: unknown; journalMode: unknown } {
  return withCache(path, (db) => ({
    content: cacheContent(db),
    integrity: db.pragma('integrity_check', { simple: true }),
    journalMode: db.pragma('journal_mode', { simple: true }),
  }));
}

describe('guidepost import, killed at random moments', () => {
  it('rolls back the import in flight, keeping what was there, and then imports exactly as an uninterrupted import', async () => {
    const dir = tempDir();
    const lines = records();
    const file = join(dir, 'events.ndjson');
    const prefixFile = join(dir, 'prefix.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);
    writeFileSync(prefixFile, `${lines.slice(0, PREFIX).join('\n')}\n`);
    const a = join(dir, 'a.db');
    const b = join(dir, 'b.db');

    // The reference: one uninterrupted import, which also tells how long start-up takes (until the
    // import's transaction begins writing and its journal appears) and how long the import takes.
    const reference = await runImport(a, file);
    const out = parseOutput(reference);
    expect(out).toMatchObject({ imported: N, duplicates: 0, rejected: 0, errors: [], users: USERS });
    expect(reference.journalFromMs, 'the bulk import never used a rollback journal').not.toBeNull();
    expect(existsSync(`${a}-journal`)).toBe(false);
    const startupMs = reference.journalFromMs as number;
    // The shorter of the import's own measure and how long its journal was seen.
    let importMs = Math.min(out.ms, (reference.journalToMs as number) - startupMs);
    expect(importMs).toBeGreaterThan(0);

    // B holds data before the kills: the first PREFIX records, imported to completion. Made again
    // after a run that got to the end before its kill.
    const prepareB = async (): Promise<ReturnType<typeof snapshot>> => {
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${b}${suffix}`, { force: true });
      const prefixOut = parseOutput(await runImport(b, prefixFile));
      expect(prefixOut).toMatchObject({ imported: PREFIX, duplicates: 0, rejected: 0, errors: [] });
      const held = snapshot(b);
      expect(held.content.events).toHaveLength(PREFIX);
      return held;
    };
    let before = await prepareB();

    // KILLS runs of the whole file on B, each killed at a seeded random moment: one in five or so
    // during start-up (from 30% of the way through it), the rest while importing, up to 95% of the
    // reference's import after the run's journal appears (timed from there, so a slow start-up under
    // load does not turn them into start-up kills). After each, B must hold exactly what it held
    // before (the one transaction rolled back, nothing partial), intact and back in WAL. A run that
    // gets to its end first (the reference ran under more load than it does) must hold all of it;
    // the kills then aim within the quicker import, and B is made again.
    const rng = seeded(20_260_701);
    const runs: { run: Run; kill: Kill; hotJournal: boolean }[] = [];
    for (let i = 0; i < MAX_RUNS && runs.filter((r) => r.run.signal === 'SIGKILL').length < KILLS; i++) {
      const kill: Kill = rng() < 0.2 ? { afterSpawnMs: (0.3 + 0.7 * rng()) * startupMs } : { afterJournalMs: rng() * 0.95 * importMs };
      const run = await runImport(b, file, kill);
      const hotJournal = existsSync(`${b}-journal`);
      runs.push({ run, kill, hotJournal });
      const after = snapshot(b);
      expect(after.integrity).toBe('ok');
      expect(after.journalMode).toBe('wal');
      expect(existsSync(`${b}-journal`)).toBe(false);
      if (run.signal !== 'SIGKILL' || after.content.events.length !== PREFIX) {
        if (run.signal !== 'SIGKILL') {
          // It finished before its kill: then it imported the rest.
          expect(parseOutput(run)).toMatchObject({ imported: N - PREFIX, duplicates: PREFIX, rejected: 0 });
        } else {
          // Killed after its commit (which deletes the journal) but before it exited: all of it is in.
          expect(hotJournal).toBe(false);
        }
        expect(after.content.events).toHaveLength(N);
        if (run.journalFromMs !== null && run.journalToMs !== null) importMs = Math.min(importMs, run.journalToMs - run.journalFromMs);
        before = await prepareB();
      } else {
        expect(after.content).toEqual(before.content);
      }
    }
    const killed = runs.filter((r) => r.run.signal === 'SIGKILL');
    const midImport = killed.filter((r) => r.hotJournal);
    const story = [
      `reference: journal ${Math.round(startupMs)}-${Math.round(reference.journalToMs as number)} ms, import ${out.ms} ms, exit ${Math.round(reference.ms)} ms;`,
      ...runs.map(({ run, kill, hotJournal }) => {
        const at = 'afterSpawnMs' in kill ? `spawn+${Math.round(kill.afterSpawnMs)}` : `journal+${Math.round(kill.afterJournalMs)}`;
        const journal = run.journalFromMs === null ? 'none' : `${Math.round(run.journalFromMs)}-${Math.round(run.journalToMs as number)}`;
        return `${run.signal ?? run.code}@${at} (journal ${journal}, exit ${Math.round(run.ms)})${hotJournal ? ' hot' : ''}`;
      }),
    ].join(' ');
    expect(killed.length, story).toBeGreaterThanOrEqual(3);
    expect(midImport.length, story).toBeGreaterThanOrEqual(3);

    // Then to completion.
    const last = await runImport(b, file);
    const rest = parseOutput(last);
    expect(rest).toMatchObject({ imported: N - PREFIX, duplicates: PREFIX, rejected: 0, errors: [], users: USERS });
    expect(existsSync(`${b}-journal`)).toBe(false);
    // The import put the cache back in WAL when it was done.
    expect(fileJournalMode(b)).toBe('wal');
    expect(fileJournalMode(a)).toBe('wal');

    const finalA = snapshot(a);
    const finalB = snapshot(b);
    expect(finalA.integrity).toBe('ok');
    expect(finalB.integrity).toBe('ok');
    expect(finalB.journalMode).toBe('wal');
    expectSameContent(finalB.content, finalA.content, N);
  }, 300_000);
});
