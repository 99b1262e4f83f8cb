/**
 * Erasure in the companion's cache (issue 16, privacy): a real delivery server on loopback erases a user,
 * the cache's sync reads the erase marker and removes that user and every id merged into them (events,
 * user row, identity links, account membership, their rows of the derived tables, exactly), and keeps a
 * tombstone, so a later import of an old file skips their records on every import path and counts them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/main/db/connection';
import { importFile } from '../../src/main/ingest/import-file';
import { syncFromSource } from '../../src/main/ingest/sync';
import { eraseUserFromCache } from '../../src/main/ingest/write/erase';
import { refreshEventSummary } from '../../src/main/segments/event-summary';
import { recordKey } from '../../src/shared/event-spec';
import { erasedNote } from '../../src/shared/import-notes';
import type { ImportSummary } from '../../src/shared/types';
import { ADMIN_TOKEN, T0, useDeliveryServer, type Running } from './delivery-helpers';
import { useTempCache, useTempDir } from './helpers';
import { scalar } from './ingest-helpers';

const start = useDeliveryServer();
const tempCache = useTempCache();
const tempDir = useTempDir();
const iso = (ts: number): string => new Date(ts).toISOString();
const HOUR = 3_600_000;

/** Records for the old file: ann (with an anonymous id merged into her), bob, all before the erasure. */
function oldFile(): Record<string, unknown>[] {
  return [
    { type: 'track', event: 'page_opened', anonymousId: 'anon-1', messageId: 'f-1', timestamp: iso(T0 - 3 * HOUR), properties: { path: '/pricing' } },
    { type: 'identify', userId: 'ann', anonymousId: 'anon-1', messageId: 'f-2', timestamp: iso(T0 - 2 * HOUR), traits: { email: 'ann@example.com' } },
    { type: 'track', event: 'report_run', userId: 'ann', messageId: 'f-3', timestamp: iso(T0 - HOUR), properties: { format: 'pdf' } },
    { type: 'group', userId: 'ann', groupId: 'acme', messageId: 'f-4', timestamp: iso(T0 - HOUR), traits: { tier: 'gold' } },
    { type: 'track', event: 'report_run', userId: 'bob', messageId: 'f-5', timestamp: iso(T0 - HOUR), properties: { format: 'csv' } },
    { type: 'group', userId: 'bob', groupId: 'acme', messageId: 'f-6', timestamp: iso(T0 - HOUR) },
  ];
}

function writeNdjson(records: Record<string, unknown>[]): string {
  const file = join(tempDir(), 'events.ndjson');
  writeFileSync(file, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
  return file;
}

/** The server holds more of ann and bob; the cache holds the old file and a sync of the server. */
async function syncedCache(): Promise<{ r: Running; db: Db; path: string }> {
  const r = await start();
  await r.track([
    { type: 'track', event: 'report_run', userId: 'ann', messageId: 's-1', timestamp: iso(T0), properties: { format: 'xlsx' } },
    { type: 'track', event: 'report_run', userId: 'bob', messageId: 's-2', timestamp: iso(T0), properties: { format: 'xlsx' } },
  ]);
  await r.identify('ann', { plan: 'pro' });
  const { db, path } = tempCache();
  await importFile(db, writeNdjson(oldFile()), { mode: 'indexed' });
  await sync(r, db);
  return { r, db, path };
}

function sync(r: Running, db: Db): ReturnType<typeof syncFromSource> {
  return syncFromSource(db, { source: r.url, token: ADMIN_TOKEN, sleep: async () => undefined });
}

const userIds = (db: Db): string[] => db.prepare('SELECT id FROM users ORDER BY id').pluck().all() as string[];
const links = (db: Db): string[] => db.prepare('SELECT id FROM identity_links ORDER BY id').pluck().all() as string[];
const eventIds = (db: Db): string[] => db.prepare('SELECT event_id FROM events ORDER BY event_id').pluck().all() as string[];

/** The summary and rollup as a rebuild from the events alone would make them. */
function rebuiltDerived(db: Db): { summary: unknown[]; daily: unknown[] } {
  return {
    summary: db
      .prepare(
        `SELECT name_id, user_pk, min(ts) AS first_ts, max(ts) AS last_ts, count(*) AS events FROM events WHERE name_id <> 0
          GROUP BY name_id, user_pk ORDER BY 1, 2`,
      )
      .all(),
    daily: db.prepare('SELECT ts / 86400000 AS day, name_id, count(*) AS events FROM events GROUP BY 1, 2 ORDER BY 1, 2').all(),
  };
}

function storedDerived(db: Db): { summary: unknown[]; daily: unknown[] } {
  return {
    summary: db.prepare('SELECT name_id, user_pk, first_ts, last_ts, events FROM event_user_summary ORDER BY 1, 2').all(),
    daily: db.prepare('SELECT day, name_id, events FROM event_daily ORDER BY 1, 2').all(),
  };
}

describe('sync applies an erase marker', () => {
  it('removes the user and every id merged into them, tombstones each, and counts it in the report', async () => {
    const { r, db } = await syncedCache();
    expect(userIds(db)).toEqual(['ann', 'bob']);
    expect(links(db)).toEqual(['ann', 'anon-1', 'bob']);
    expect(refreshEventSummary(db)).toBe(true);

    r.clock.advance(HOUR);
    expect((await r.admin('DELETE', '/v1/users/ann')).status).toBe(200);
    const summary = await sync(r, db);
    expect(summary).toMatchObject({ fetched: 1, imported: 0, usersErased: 1 });

    expect(userIds(db)).toEqual(['bob']);
    expect(links(db)).toEqual(['bob']);
    expect(eventIds(db)).toEqual(['f-5', 's-2']);
    expect(scalar(db, 'SELECT count(*) FROM account_members')).toBe(1);
    expect(db.prepare('SELECT user_id, erased_at FROM erased_users ORDER BY 1').all()).toEqual([
      { user_id: 'ann', erased_at: T0 + HOUR },
      { user_id: 'anon-1', erased_at: T0 + HOUR },
    ]);
    // The derived tables lost exactly ann's rows: the stamp stands, nothing to rebuild, and equal to a rebuild.
    expect(scalar(db, "SELECT value FROM kv WHERE key = 'event_summary_through'")).not.toBeUndefined();
    expect(storedDerived(db)).toEqual(rebuiltDerived(db));
    expect(scalar(db, "SELECT value FROM kv WHERE key = 'users_erased'")).toBe('1');

    const report = db.prepare("SELECT details FROM import_reports WHERE kind = 'sync' ORDER BY id DESC LIMIT 1").pluck().get() as string;
    expect(JSON.parse(report)).toMatchObject({ usersErased: 1 });
    expect(erasedNote(JSON.parse(report))).toBe('1 user was erased on the delivery server and removed from the cache, with every id merged into them.');
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('keeps what came after the marker: records stored after the erasure bring the user back from then on', async () => {
    const { r, db } = await syncedCache();
    r.clock.advance(HOUR);
    await r.admin('DELETE', '/v1/users/ann');
    r.clock.advance(HOUR);
    await r.track([{ type: 'track', event: 'login', userId: 'ann', messageId: 's-3', timestamp: iso(r.clock.now) }]);
    const summary = await sync(r, db);
    expect(summary).toMatchObject({ fetched: 2, imported: 1, usersErased: 1 });
    expect(eventIds(db)).toEqual(['f-5', 's-2', 's-3']);
    expect(userIds(db)).toEqual(['ann', 'bob']);
    expect(links(db)).toEqual(['ann', 'bob']);
  });

  it('an erase marker for a user the cache never held leaves a tombstone and changes nothing else', async () => {
    const r = await start();
    await r.identify('carol', { plan: 'free' });
    await r.admin('DELETE', '/v1/users/carol');
    const { db } = tempCache();
    expect(await sync(r, db)).toMatchObject({ fetched: 1, usersErased: 1 });
    expect(userIds(db)).toEqual([]);
    expect(db.prepare('SELECT user_id FROM erased_users').pluck().all()).toEqual(['carol']);
  });

  it('a malformed erase marker is a rejected record, not an erasure', async () => {
    const { db } = tempCache();
    const { syncItem } = await import('../../src/main/ingest/sync');
    expect(syncItem({ type: 'erase', userId: 'ann' }, 3)).toEqual({ rejected: 'an erase marker without a userId and a valid timestamp', at: { line: 3 } });
    expect(syncItem({ type: 'erase', userId: 'ann', timestamp: iso(T0) }, 4)).toEqual({ erase: { userId: 'ann', erasedAt: T0 }, at: { line: 4 } });
    expect(userIds(db)).toEqual([]);
  });
});

/** tests/unit/fixtures/import-run.ts in a child process: an import with the parser threads, as the app runs one. */
function importInChild(file: string, db: string): Promise<ImportSummary> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', './scripts/register-ts.mjs', 'tests/unit/fixtures/import-run.ts', file, db], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1) as string) as ImportSummary) : reject(new Error(err))));
  });
}

describe('the tombstone blocks a later import of an old file', () => {
  /** The old file again, and a record of ann's after her erasure, which is imported. */
  const laterFile = (): string =>
    writeNdjson([...oldFile(), { type: 'track', event: 'login', userId: 'ann', anonymousId: 'anon-1', messageId: 'f-7', timestamp: iso(T0 + 2 * HOUR) }]);

  async function erasedCache(): Promise<{ db: Db; path: string }> {
    const { r, db, path } = await syncedCache();
    r.clock.advance(HOUR);
    await r.admin('DELETE', '/v1/users/ann');
    await sync(r, db);
    return { db, path };
  }

  function expectSkipped(db: Db, summary: ImportSummary): void {
    // f-1 (anon-1), f-2, f-3, f-4 (ann): skipped; bob's are duplicates; f-7 is after the erasure.
    expect(summary).toMatchObject({ imported: 1, duplicates: 1, rejected: 0 });
    expect(summary.details?.erasedSkipped).toBe(4);
    expect(eventIds(db)).toEqual(['f-5', 'f-7', 's-2']);
    expect(userIds(db)).toEqual(['ann', 'bob']);
    // Her record after the erasure links her anonymous id again: that is new data, not the old file's.
    expect(links(db)).toEqual(['ann', 'anon-1', 'bob']);
    expect(db.prepare("SELECT traits FROM users WHERE id = 'ann'").pluck().get()).toBe('{}');
    expect(scalar(db, 'SELECT count(*) FROM account_members')).toBe(1);
    const note = erasedNote(summary.details);
    expect(note).toBe('4 records were skipped: their users were erased after they were recorded, and erased users are not brought back.');
  }

  it('inline, in indexed mode', async () => {
    const { db } = await erasedCache();
    expectSkipped(db, await importFile(db, laterFile(), { mode: 'indexed' }));
  });

  it('inline, in bulk mode', async () => {
    const { db } = await erasedCache();
    expectSkipped(db, await importFile(db, laterFile(), { mode: 'bulk' }));
  });

  it('with the parser threads (the app and the CLI)', async () => {
    const { db, path } = await erasedCache();
    db.close();
    const summary = await importInChild(laterFile(), path);
    const { openCache } = await import('../../src/main/db/connection');
    const reopened = openCache(path).db;
    try {
      expectSkipped(reopened, summary);
    } finally {
      reopened.close();
    }
  });
});

describe('the CLI', () => {
  it('the built CLI says what erasure did on import and sync, in its text and --json output', async () => {
    const { r, db, path } = await syncedCache();
    r.clock.advance(HOUR);
    await r.admin('DELETE', '/v1/users/ann');
    db.close();
    const cli = (args: string[]): { status: number | null; stdout: string; stderr: string } =>
      spawnSync(process.execPath, ['out/main/cli.js', ...args, '--db', path], {
        cwd: process.cwd(),
        encoding: 'utf8',
        env: { ...process.env, GUIDEPOST_SYNC_TOKEN: ADMIN_TOKEN },
      });
    const synced = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      // Asynchronously: the delivery server answers from this process.
      const child = spawn(process.execPath, ['out/main/cli.js', 'sync', '--source', r.url, '--db', path], {
        cwd: process.cwd(),
        env: { ...process.env, GUIDEPOST_SYNC_TOKEN: ADMIN_TOKEN },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    expect(synced.status, synced.stderr).toBe(0);
    expect(synced.stdout).toContain('1 user was erased on the delivery server and removed from the cache, with every id merged into them.');
    const text = cli(['import', writeNdjson(oldFile())]);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain('4 records were skipped: their users were erased after they were recorded');
    const json = cli(['import', writeNdjson(oldFile()), '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ imported: 0, details: { erasedSkipped: 4 } });
  });
});

describe('erasure keeps every stored record reachable', () => {
  it('closes the gap an erased event leaves in a probe walk: a later import of the rest finds them all', async () => {
    const { db } = tempCache();
    // Every id keyed into 3 slots: the events of ann and bob share probe walks.
    const weak = (id: string): number => recordKey(id) % 3;
    const records = Array.from({ length: 12 }, (_, i) => ({
      type: 'track',
      event: 'login',
      userId: i % 2 === 0 ? 'ann' : 'bob',
      messageId: `w-${i}`,
      timestamp: iso(T0 + i),
    }));
    const file = writeNdjson(records);
    expect((await importFile(db, file, { mode: 'indexed', recordKey: weak })).imported).toBe(12);
    db.exec('BEGIN');
    eraseUserFromCache(db, 'ann', T0 + HOUR, weak);
    db.exec('COMMIT');
    const again = await importFile(db, file, { mode: 'indexed', recordKey: weak });
    expect(again).toMatchObject({ imported: 0, duplicates: 6, details: { erasedSkipped: 6 } });
    expect(scalar(db, 'SELECT count(*) FROM events')).toBe(6);
  });
});
