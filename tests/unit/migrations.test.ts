import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CACHE_APPLICATION_ID, openCache } from '../../src/main/db/connection';
import { cacheMigrations } from '../../src/main/db/migrations';
import { migrate } from '../../src/shared/migrate';
import { ApiError } from '../../src/shared/errors';
import { useTempDir } from './helpers';

const tempDir = useTempDir();

function expectApiError(fn: () => unknown, code: string, text: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(code);
    expect((err as ApiError).message).toMatch(text);
    return;
  }
  throw new Error('expected an error');
}

describe('cache migrations', () => {
  it('bring an empty file to the newest schema, record each step, and mark the file as ours', () => {
    const file = join(tempDir(), 'new.db');
    const { db, migration } = openCache(file, { now: 1_000 });
    expect(migration).toEqual({ from: 0, to: cacheMigrations.length, applied: cacheMigrations.map((m) => m.version) });
    expect(db.pragma('user_version', { simple: true })).toBe(cacheMigrations.length);
    expect(db.pragma('application_id', { simple: true })).toBe(CACHE_APPLICATION_ID);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const recorded = db.prepare('SELECT version, name, applied_at FROM schema_migrations').all();
    expect(recorded).toEqual(cacheMigrations.map((m) => ({ version: m.version, name: m.name, applied_at: 1_000 })));
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['events', 'users', 'kv', 'event_names', 'event_daily']));
    db.close();
  });

  it('are applied once: reopening changes nothing', () => {
    const file = join(tempDir(), 'again.db');
    openCache(file).db.close();
    const { db, migration } = openCache(file);
    expect(migration.applied).toEqual([]);
    expect(db.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(cacheMigrations.length);
    db.close();
  });

  it('refuse a database written by a newer version and leave its bytes untouched', () => {
    const file = join(tempDir(), 'future.db');
    openCache(file).db.close();
    const raw = new Database(file);
    raw.pragma('journal_mode = DELETE');
    raw.pragma('user_version = 99');
    raw.close();
    const before = readFileSync(file);
    expectApiError(() => openCache(file), 'database_too_new', new RegExp(`newer version of Guidepost \\(schema 99; this version knows up to ${cacheMigrations.length}\\)`));
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('refuse an SQLite file of another application, untouched', () => {
    const file = join(tempDir(), 'foreign.db');
    const raw = new Database(file);
    raw.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    raw.close();
    const before = readFileSync(file);
    expectApiError(() => openCache(file), 'database_error', /not the Guidepost cache/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('refuse a file that is not a database at all', () => {
    const file = join(tempDir(), 'not-a-db.db');
    writeFileSync(file, 'hello, this is plain text and certainly not SQLite '.repeat(100));
    expectApiError(() => openCache(file), 'database_error', /Cannot use the cache/);
  });

  it('refuse to continue when an applied migration was edited afterwards', () => {
    const file = join(tempDir(), 'edited.db');
    openCache(file).db.close();
    const db = new Database(file);
    const edited = cacheMigrations.map((m) => (m.version === 1 ? { ...m, sql: `${m.sql}\n-- an edit` } : m));
    expectApiError(
      () => migrate(db, edited, { applicationId: CACHE_APPLICATION_ID, label: 'the Guidepost cache', now: 0 }),
      'database_error',
      /Migration 1 \(init\) changed after it was applied/,
    );
    db.close();
  });

  it('move users.id uniqueness to a named index (10) and keep every user and reference as it was', () => {
    const file = join(tempDir(), 'schema-9.db');
    const raw = new Database(file);
    migrate(raw, cacheMigrations.slice(0, 9), { applicationId: CACHE_APPLICATION_ID, label: 'the Guidepost cache', now: 0 });
    raw.exec(`INSERT INTO users (user_pk, id, traits, trait_times, first_seen, last_seen) VALUES
      (1, 'ann', '{"plan":"pro"}', '{"plan":5}', 5, 9), (7, 'bob', '{}', '{}', NULL, NULL)`);
    raw.exec("INSERT INTO events (event_key, event_id, user_pk, name_id, ts, properties) VALUES (11, 'm1', 7, 0, 3, NULL)");
    const before = raw.prepare('SELECT * FROM users ORDER BY user_pk').all();
    raw.close();
    const { db, migration } = openCache(file);
    expect(migration.applied).toEqual(cacheMigrations.slice(9).map((m) => m.version));
    expect(db.prepare('SELECT * FROM users ORDER BY user_pk').all()).toEqual(before);
    expect(db.prepare('SELECT u.id FROM events JOIN users u USING (user_pk)').pluck().all()).toEqual(['bob']);
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'users' ORDER BY name").pluck().all();
    expect(indexes).toEqual(['users_by_first_seen', 'users_by_id', 'users_by_last_seen']);
    expect(() => db.exec("INSERT INTO users (id) VALUES ('ann')")).toThrow(/UNIQUE constraint failed: users.id/);
    expect(db.prepare("SELECT count(*) FROM pragma_foreign_key_check('events')").pluck().get()).toBe(0);
    db.close();
  });

  it('roll a failing migration back whole', () => {
    const db = new Database(':memory:');
    const broken = [
      ...cacheMigrations,
      { version: cacheMigrations.length + 1, name: 'broken', sql: 'CREATE TABLE half (x INTEGER); SELECT * FROM no_such_table;' },
    ];
    expectApiError(
      () => migrate(db, broken, { applicationId: CACHE_APPLICATION_ID, label: 'the Guidepost cache', now: 0 }),
      'database_error',
      new RegExp(`Migration ${cacheMigrations.length + 1} \\(broken\\) failed and was rolled back`),
    );
    expect(db.pragma('user_version', { simple: true })).toBe(cacheMigrations.length);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half'").pluck().get()).toBe(0);
    db.close();
  });
});
