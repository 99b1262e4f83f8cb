/**
 * Dedupe by record key, confirmed by id: a key is a 53-bit hash of the messageId, so the tests give
 * the writer a weak hash (recordKey(id) % n) to make different ids share keys, as a real collision would.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/main/db/connection';
import { generateDemo } from '../../src/main/demo/generate';
import { importFile, type ImportOptions } from '../../src/main/ingest/import-file';
import { syncFromSource } from '../../src/main/ingest/sync';
import { nextKey, writerModeFor } from '../../src/main/ingest/write/writer';
import { recordKey } from '../../src/shared/event-spec';
import type { ImportSummary } from '../../src/shared/types';
import { useTempCache, useTempDir } from './helpers';
import { cacheContent, counts, exportRecord, scalar, startExportServer, withCache, type ExportServer } from './ingest-helpers';

const tempCache = useTempCache();
const tempDir = useTempDir();
const BASE = Date.UTC(2024, 0, 1, 8, 0, 0);

const rec = (i: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'track',
  event: `event_${i % 5}`,
  userId: `user_${i % 9}`,
  timestamp: new Date(BASE + i * 60_000).toISOString(),
  messageId: `m-${i}`,
  properties: { i },
  ...extra,
});
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, k) => from + k);
const ndjson = (records: unknown[]): string => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

function fileIn(name: string, content: string): string {
  const path = join(tempDir(), name);
  writeFileSync(path, content);
  return path;
}

/** Keys that collide: three buckets for every id. */
const weakKey = (id: string): number => recordKey(id) % 3;

const storedIds = (db: Db): string[] => db.prepare('SELECT event_id FROM events ORDER BY event_id').pluck().all() as string[];
const storedKeys = (db: Db): number[] => db.prepare('SELECT event_key FROM events ORDER BY event_key').pluck().all() as number[];

describe('dedupe: a hit is confirmed against the stored id', () => {
  it('nextKey walks the 53-bit key space and wraps', () => {
    expect(nextKey(41)).toBe(42);
    expect(nextKey(2 ** 53 - 1)).toBe(0);
  });

  for (const [label, options] of [
    ['bulk', { mode: 'bulk' }],
    ['indexed', { mode: 'indexed' }],
    ['bulk turning indexed halfway', { mode: 'bulk', bulkKeyLimit: 20 }],
  ] as [string, ImportOptions][]) {
    it(`${label}: different ids with the same key are all stored, and each is a duplicate of itself later`, async () => {
      const { db } = tempCache();
      const file = fileIn('a.ndjson', ndjson(range(1, 40).map((i) => rec(i))));
      const first = await importFile(db, file, { ...options, recordKey: weakKey });
      expect(first).toMatchObject({ imported: 40, duplicates: 0, rejected: 0 });
      expect(storedIds(db)).toEqual(range(1, 40).map((i) => `m-${i}`).sort());
      // Stored under their own key or the next free ones after it (40 records in three buckets probe on).
      expect(Math.max(...storedKeys(db))).toBeLessThan(43);
      expect(new Set(storedKeys(db)).size).toBe(40);

      // Again, with more in a second file: the old ones are duplicates, the new ones go in.
      const again = await importFile(db, fileIn('b.ndjson', ndjson(range(30, 60).map((i) => rec(i)))), { ...options, recordKey: weakKey });
      expect(again).toMatchObject({ imported: 20, duplicates: 11, rejected: 0 });
      expect(counts(db)).toMatchObject({ records: 60, events: 60 });
      expect(scalar(db, 'SELECT count(DISTINCT event_id) FROM events')).toBe(60);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    });
  }

  it('within one file and one batch: a repeated id is a duplicate, a colliding one is stored', async () => {
    const file = fileIn('mixed.ndjson', ndjson([rec(1), rec(2), rec(1), rec(3), rec(2), rec(4), rec(4)]));
    for (const mode of ['bulk', 'indexed'] as const) {
      const { db } = tempCache(`${mode}.db`);
      expect(await importFile(db, file, { mode, recordKey: () => 7 })).toMatchObject({ imported: 4, duplicates: 3 });
      expect(storedKeys(db)).toEqual([7, 8, 9, 10]);
    }
  });

  it('the real key is unchanged for records that do not collide', async () => {
    const { db } = tempCache();
    await importFile(db, fileIn('a.ndjson', ndjson(range(1, 10).map((i) => rec(i)))));
    expect(db.prepare('SELECT event_key, event_id FROM events').all()).toEqual(
      expect.arrayContaining(range(1, 10).map((i) => ({ event_key: recordKey(`m-${i}`), event_id: `m-${i}` }))),
    );
  });

  it('with the parser threads (the CLI and the app): the same as inline, collisions stored', async () => {
    const records = range(1, 3000).map((i) => rec(i));
    const file = fileIn('threads.ndjson', ndjson([...records, ...records.slice(0, 500)]));
    const inline = tempCache('inline.db');
    const expected = await importFile(inline.db, file, { recordKey: (id) => recordKey(id) % 5000 });
    expect(expected).toMatchObject({ imported: 3000, duplicates: 500 });
    // Hundreds of ids shared a key with another; each was stored under a key past its own.
    const rows = inline.db.prepare('SELECT event_key, event_id FROM events').all() as { event_key: number; event_id: string }[];
    expect(rows.filter((r) => r.event_key !== recordKey(r.event_id) % 5000).length).toBeGreaterThan(100);
    const threaded = join(tempDir(), 'threaded.db');
    const summary = await importInChild(file, threaded, { WEAK_KEYS: '5000', PARSER_RANGE_BYTES: '20000' });
    expect({ ...summary, ms: 0, reportId: 0 }).toEqual({ ...expected, ms: 0, reportId: 0 });
    expect(withCache(threaded, cacheContent)).toEqual(cacheContent(inline.db));
  });
});

describe('sync: a hit is confirmed against the stored id, page by page', () => {
  const servers: ExportServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  it('colliding ids across and within pages are all stored; a second sync of the same records adds nothing', async () => {
    const records = range(0, 299).map((i) => ({ ...exportRecord(i), messageId: `srv-${i}` }));
    const server = await startExportServer({ token: 't', records });
    servers.push(server);
    const { db } = tempCache();
    const summary = await syncFromSource(db, { source: server.url, token: 't', pageSize: 50, recordKey: (id) => recordKey(id) % 10 });
    expect(summary).toMatchObject({ fetched: 300, imported: 300, duplicates: 0 });
    expect(scalar(db, 'SELECT count(DISTINCT event_id) FROM events')).toBe(300);
    // The same records again (a lookback re-read): all duplicates.
    db.prepare("DELETE FROM kv WHERE key = 'sync_cursor'").run();
    const again = await syncFromSource(db, { source: server.url, token: 't', pageSize: 50, recordKey: (id) => recordKey(id) % 10 });
    expect(again).toMatchObject({ fetched: 300, imported: 0, duplicates: 300 });
    expect(counts(db).records).toBe(300);
  });
});

/** tests/unit/fixtures/import-run.ts in a child process: an import with the parser threads. */
function importInChild(file: string, db: string, env: Record<string, string>): Promise<ImportSummary> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', './scripts/register-ts.mjs', 'tests/unit/fixtures/import-run.ts', file, db], {
      cwd: process.cwd(),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1) as string) as ImportSummary) : reject(new Error(err))));
  });
}

describe('writer mode: a small import into a large cache stays incremental', () => {
  it('writerModeFor: bulk into an empty cache or for a load a quarter of the cache or more, indexed otherwise', () => {
    expect(writerModeFor(0, 1)).toBe('bulk');
    expect(writerModeFor(1_000_000, 11)).toBe('indexed');
    expect(writerModeFor(1_000_000, 249_999)).toBe('indexed');
    expect(writerModeFor(1_000_000, 250_000)).toBe('bulk');
    expect(writerModeFor(2_000_001, 10_000_000)).toBe('indexed');
  });

  it('11 records into a cache holding the demo: no index dropped or rebuilt, no key set, WAL kept', async () => {
    const { db } = tempCache();
    await generateDemo(db, { users: 300, now: BASE });
    const events = counts(db).events;
    expect(events).toBeGreaterThan(4_000);
    const statements: string[] = [];
    const exec = db.exec.bind(db);
    db.exec = (sql: string) => {
      statements.push(sql);
      return exec(sql);
    };
    const keysRead: string[] = [];
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => {
      if (/SELECT event_key/.test(sql)) keysRead.push(sql);
      return prepare(sql);
    }) as typeof db.prepare;
    const journal: string[] = [];
    const summary = await importFile(db, fileIn('small.ndjson', ndjson(range(1, 11).map((i) => rec(i)))), {
      checkpoint: async () => void journal.push(String(db.pragma('journal_mode', { simple: true }))),
    });
    expect(summary).toMatchObject({ imported: 11, duplicates: 0 });
    expect(statements.filter((sql) => /\b(DROP|CREATE)\s+INDEX\b/i.test(sql))).toEqual([]);
    expect(keysRead).toEqual([]);
    expect(journal).toEqual(['wal']);
    expect(counts(db).events).toBe(events + 11);
  });

  it('a file as large as the cache still loads in bulk: the indexes are dropped for the load and rebuilt', async () => {
    const { db } = tempCache();
    await importFile(db, fileIn('first.ndjson', ndjson(range(1, 2000).map((i) => rec(i)))));
    const has = (): boolean => scalar(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'events_by_key'") === 1;
    const seen: boolean[] = [];
    const summary = await importFile(db, fileIn('second.ndjson', ndjson(range(2001, 4000).map((i) => rec(i)))), {
      checkpoint: async () => void seen.push(has()),
    });
    expect(summary).toMatchObject({ imported: 2000 });
    expect(seen).toEqual([false]);
    expect(has()).toBe(true);
  });
});

describe('conflicting duplicates: the same messageId with other content', () => {
  /** The built CLI (out/main/cli.js, with its parser threads: `npm test` builds before the unit tests). */
  const cli = (args: string[]): { code: number; stdout: string; stderr: string } => {
    const run = spawnSync(process.execPath, ['out/main/cli.js', ...args], { cwd: process.cwd(), encoding: 'utf8' });
    return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
  };

  it('stay duplicates (the first stays), counted apart with a few examples in the report; a true duplicate is not one', async () => {
    const { db } = tempCache();
    await importFile(db, fileIn('first.ndjson', ndjson(range(1, 10).map((i) => rec(i)))));
    const second = [
      rec(1), // the same record again: a plain duplicate
      rec(2, { properties: { i: 2, extra: true } }),
      rec(3, { event: 'renamed' }),
      rec(4, { userId: 'someone_else' }),
      rec(5, { timestamp: new Date(BASE).toISOString() }),
      { ...rec(6), properties: { i: 6 }, context: { ip: '1.2.3.4' } }, // context is not content
      rec(7, { properties: { x: 1 } }),
      rec(8, { properties: { x: 2 } }),
      rec(9, { properties: { x: 3 } }),
      rec(11),
      rec(11, { properties: { x: 4 } }), // within the file: the first of the two stays
    ];
    for (const mode of ['bulk', 'indexed'] as const) {
      const { db: target } = tempCache(`${mode}.db`);
      await importFile(target, fileIn('first.ndjson', ndjson(range(1, 10).map((i) => rec(i)))), { mode });
      const summary = await importFile(target, fileIn('second.ndjson', ndjson(second)), { mode });
      expect(summary).toMatchObject({ imported: 1, duplicates: 10, rejected: 0 });
      expect(summary.details).toEqual({
        conflictingDuplicates: 8,
        conflictExamples: [
          { line: 2, messageId: 'm-2' },
          { line: 3, messageId: 'm-3' },
          { line: 4, messageId: 'm-4' },
          { line: 5, messageId: 'm-5' },
          { line: 7, messageId: 'm-7' },
        ],
      });
      expect(JSON.parse(scalar<string>(target, "SELECT properties FROM events WHERE event_id = 'm-2'"))).toEqual({ i: 2 });
      expect(JSON.parse(scalar<string>(target, "SELECT properties FROM events WHERE event_id = 'm-11'"))).toEqual({ i: 11 });
      // Kept with the report.
      expect(JSON.parse(scalar<string>(target, 'SELECT details FROM import_reports ORDER BY id DESC LIMIT 1'))).toEqual(summary.details);
    }
    // The same properties written another way (key order, spacing) are the same content.
    const reordered = `{"properties": {"i": 3}, "messageId": "m-3", "timestamp": "${new Date(BASE + 3 * 60_000).toISOString()}", "userId": "user_3", "event": "event_3", "type": "track"}\n`;
    expect((await importFile(db, fileIn('reordered.ndjson', reordered))).details).toBeUndefined();
  });

  it('the CLI shows them in its text and --json output', async () => {
    const dir = tempDir();
    const cache = join(dir, 'cli.db');
    const first = cli(['import', '--db', cache, fileIn('one.ndjson', ndjson([rec(1), rec(2)]))]);
    expect(first.code, first.stderr).toBe(0);
    const again = fileIn('two.ndjson', ndjson([rec(1, { properties: { other: 1 } }), rec(2)]));
    const text = cli(['import', '--db', cache, again]);
    expect(text.stdout).toMatch(/1 duplicate carried other content than the record stored under its messageId; the stored one was kept: line 1 \(m-1\)\./);
    const json = cli(['import', '--db', cache, again, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ duplicates: 2, details: { conflictingDuplicates: 1, conflictExamples: [{ line: 1, messageId: 'm-1' }] } });
  });

  it('sync counts them too, with their position in the stream, in its summary and report', async () => {
    const records = range(0, 99).map((i) => ({ ...exportRecord(i), messageId: `srv-${i}` }));
    const server = await startExportServer({ token: 't', records });
    try {
      const { db } = tempCache();
      await importFile(db, fileIn('pre.ndjson', ndjson([{ ...records[4], properties: { changed: true } }])));
      const summary = await syncFromSource(db, { source: server.url, token: 't', pageSize: 30 });
      expect(summary).toMatchObject({ fetched: 100, imported: 99, duplicates: 1, conflictingDuplicates: 1, conflictExamples: [{ line: 5, messageId: 'srv-4' }] });
      expect(JSON.parse(scalar<string>(db, 'SELECT details FROM import_reports ORDER BY id DESC LIMIT 1'))).toEqual({
        conflictingDuplicates: 1,
        conflictExamples: [{ line: 5, messageId: 'srv-4' }],
      });
    } finally {
      await server.close();
    }
  });
});
