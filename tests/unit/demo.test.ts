import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBackend } from '../../src/main/api';
import { runCli } from '../../src/main/cli';
import { openCache, type Db } from '../../src/main/db/connection';
import { createEventsRepo } from '../../src/main/db/events-repo';
import { DEMO_AS_OF, DEMO_WINDOW_DAYS, generateDemo } from '../../src/main/demo/generate';
import { DAY_MS } from '../../src/main/db/rollup';
import { apiErrorOf, useTempCache, useTempDir } from './helpers';

const tempCache = useTempCache();
const tempDir = useTempDir();

const USERS = 2000;
const NOW = Date.UTC(2026, 6, 1, 12);

interface Fingerprint {
  users: number;
  events: number;
  records: number;
  sumTs: number;
  firstIds: string;
  traits: string;
}

function fingerprint(db: Db): Fingerprint {
  const one = (sql: string): unknown => db.prepare(sql).pluck().get();
  return {
    users: one('SELECT count(*) FROM users') as number,
    events: one('SELECT count(*) FROM events WHERE name_id <> 0') as number,
    records: one('SELECT count(*) FROM events') as number,
    sumTs: one('SELECT sum(ts) FROM events') as number,
    firstIds: one('SELECT group_concat(event_id) FROM (SELECT event_id FROM events ORDER BY event_pk LIMIT 50)') as string,
    // A cheap digest of every user row: its id, traits and first/last seen.
    traits: one(
      "SELECT count(*) || ':' || sum(length(traits)) || ':' || sum(first_seen % 1000003) || ':' || sum(last_seen % 999983) FROM users",
    ) as string,
  };
}

function indexNames(db: Db): string[] {
  return db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").pluck().all();
}

describe('generateDemo (2,000 users)', () => {
  it('fills an empty cache, reports the counts the database holds, and sets data as of', async () => {
    const { db, path } = tempCache();
    const indexesBefore = indexNames(db);
    const progress: number[] = [];
    const result = await generateDemo(db, { users: USERS, now: NOW, onProgress: (p) => progress.push(p.users) });

    expect(result.created).toBe(true);
    expect(result.users).toBe(USERS);
    expect(result.users).toBe(db.prepare('SELECT count(*) FROM users').pluck().get());
    expect(result.events).toBe(db.prepare('SELECT count(*) FROM events WHERE name_id <> 0').pluck().get());
    expect(result.events).toBeGreaterThan(USERS);
    // One identify record per user besides the events.
    expect(db.prepare('SELECT count(*) FROM events WHERE name_id = 0').pluck().get()).toBe(USERS);
    expect(progress).toEqual([1000, 2000]);
    // The bulk load put back every index it dropped, and left no transaction open.
    expect(indexNames(db)).toEqual(indexesBefore);
    expect(db.inTransaction).toBe(false);

    const status = await createBackend({ db, path }).handlers.getStatus({});
    expect(status).toMatchObject({
      users: USERS,
      events: result.events,
      dataAsOf: DEMO_AS_OF,
      dataAsOfSource: 'demo',
      hasDemo: true,
    });
    expect(status.sizeBytes).toBeGreaterThan(0);
  });

  it('keeps every event inside the 90 days before data as of', async () => {
    const { db } = tempCache();
    await generateDemo(db, { users: USERS, now: NOW });
    const range = db
      .prepare<[], { lo: number; hi: number }>('SELECT min(ts) AS lo, max(ts) AS hi FROM events WHERE name_id <> 0')
      .get();
    expect(range?.lo).toBeGreaterThanOrEqual(DEMO_AS_OF - DEMO_WINDOW_DAYS * DAY_MS);
    expect(range?.hi).toBeLessThan(DEMO_AS_OF);
    // Every event belongs to a user that exists, with a name the catalog knows.
    expect(db.prepare('SELECT count(*) FROM events e LEFT JOIN users u USING (user_pk) WHERE u.user_pk IS NULL').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM events e LEFT JOIN event_names n USING (name_id) WHERE n.name_id IS NULL').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(DISTINCT event_id) FROM events').pluck().get()).toBe(db.prepare('SELECT count(*) FROM events').pluck().get());
  });

  it('a second call changes nothing and reports the same counts with created: false', async () => {
    const { db } = tempCache();
    const first = await generateDemo(db, { users: USERS, now: NOW });
    const before = fingerprint(db);
    const createdAt = db.prepare("SELECT value FROM kv WHERE key = 'demo_created_at'").pluck().get();
    expect(createdAt).toBe(String(NOW));

    const second = await generateDemo(db, { users: USERS, now: NOW + 1_000_000 });
    expect(second).toEqual({ users: first.users, events: first.events, created: false });
    expect(fingerprint(db)).toEqual(before);
    expect(db.prepare("SELECT value FROM kv WHERE key = 'demo_created_at'").pluck().get()).toBe(createdAt);
  });

  it('is deterministic: two caches get identical rows', async () => {
    const a = tempCache('a.db');
    const b = tempCache('b.db');
    const ra = await generateDemo(a.db, { users: USERS, now: 1 });
    const rb = await generateDemo(b.db, { users: USERS, now: 2 });
    expect(rb).toEqual(ra);
    const fa = fingerprint(a.db);
    expect(fa.firstIds.split(',')).toHaveLength(50);
    expect(fingerprint(b.db)).toEqual(fa);
    const rollup = 'SELECT day, name_id, events, first_ts, last_ts FROM event_daily ORDER BY day, name_id';
    expect(b.db.prepare(rollup).all()).toEqual(a.db.prepare(rollup).all());
  });

  it('refuses a cache that holds users of its own with conflict, and leaves it as it was', async () => {
    const { db } = tempCache();
    db.prepare("INSERT INTO users (user_pk, id) VALUES (1, 'customer-42')").run();
    const before = fingerprint(db);
    const caught = await apiErrorOf(generateDemo(db, { users: USERS }));
    expect(caught.code).toBe('conflict');
    expect(caught.message).toMatch(/already holds 1 users/);
    expect(fingerprint(db)).toEqual(before);
    expect(db.prepare('SELECT count(*) FROM kv').pluck().get()).toBe(0);
    expect(db.inTransaction).toBe(false);
  });

  it('keeps the daily rollup equal to a direct count of events, per name and per day', async () => {
    const { db } = tempCache();
    await generateDemo(db, { users: USERS, now: NOW });
    const direct = db
      .prepare(
        `SELECT CAST(ts / ${DAY_MS} AS INTEGER) AS day, name_id, count(*) AS events, min(ts) AS first_ts, max(ts) AS last_ts
           FROM events GROUP BY 1, 2 ORDER BY 1, 2`,
      )
      .all();
    const rollup = db.prepare('SELECT day, name_id, events, first_ts, last_ts FROM event_daily ORDER BY day, name_id').all();
    expect(rollup.length).toBeGreaterThan(DEMO_WINDOW_DAYS);
    expect(rollup).toEqual(direct);

    const perName = db.prepare('SELECT name_id, count(*) AS n FROM events GROUP BY name_id ORDER BY name_id').all();
    const perNameRollup = db.prepare('SELECT name_id, sum(events) AS n FROM event_daily GROUP BY name_id ORDER BY name_id').all();
    expect(perNameRollup).toEqual(perName);
  });

  it('feeds the catalog and the daily volume from the same counts', async () => {
    const { db, path } = tempCache();
    const result = await generateDemo(db, { users: USERS, now: NOW });
    const { handlers } = createBackend({ db, path });
    const catalog = await handlers.listEventCatalog({});
    expect(catalog.reduce((sum, entry) => sum + entry.count, 0)).toBe(result.events);
    expect(catalog.map((entry) => entry.name)).not.toContain('');
    const login = catalog.find((entry) => entry.name === 'login');
    expect(login?.count).toBe(
      db.prepare("SELECT count(*) FROM events JOIN event_names USING (name_id) WHERE name = 'login'").pluck().get(),
    );
    expect(login?.users).toBe(
      db.prepare("SELECT count(DISTINCT user_pk) FROM events JOIN event_names USING (name_id) WHERE name = 'login'").pluck().get(),
    );
    for (const entry of catalog) {
      expect(entry.users, entry.name).toBeLessThanOrEqual(USERS);
      expect(entry.firstSeen, entry.name).toBeLessThanOrEqual(entry.lastSeen);
    }
    const volume = await handlers.getDailyVolume({ days: DEMO_WINDOW_DAYS });
    expect(volume).toHaveLength(DEMO_WINDOW_DAYS);
    expect(volume.at(-1)?.day).toBe(DEMO_AS_OF - DAY_MS);
    expect(volume.reduce((sum, point) => sum + point.events, 0)).toBe(result.events);
  });
});

describe('the guidepost CLI', () => {
  function io() {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { stdout: (text: string) => out.push(text), stderr: (text: string) => err.push(text) } };
  }

  it('demo --json creates the full 50,000-user workspace once, then reports it unchanged', async () => {
    const file = join(tempDir(), 'full.db');
    const first = io();
    expect(await runCli(['demo', '--db', file, '--json'], first.io)).toBe(0);
    expect(first.out).toHaveLength(1);
    const created = JSON.parse(first.out[0] as string) as { users: number; events: number; created: boolean };
    expect(created.users).toBe(50_000);
    expect(created.created).toBe(true);
    expect(created.events).toBeGreaterThanOrEqual(800_000);
    expect(created.events).toBeLessThanOrEqual(1_300_000);

    const second = io();
    expect(await runCli(['demo', '--db', file, '--json'], second.io)).toBe(0);
    expect(JSON.parse(second.out[0] as string)).toEqual({ users: created.users, events: created.events, created: false });

    const { db } = openCache(file);
    try {
      expect(db.prepare('SELECT count(*) FROM users').pluck().get()).toBe(50_000);
      expect(db.prepare('SELECT count(*) FROM events WHERE name_id <> 0').pluck().get()).toBe(created.events);
      expect(db.prepare('SELECT count(*) FROM events WHERE name_id <> 0 AND ts >= ?').pluck().get(DEMO_AS_OF)).toBe(0);
      const catalog = createEventsRepo(db).catalog();
      expect(catalog.length).toBeGreaterThanOrEqual(35);
      expect(catalog.reduce((sum, entry) => sum + entry.count, 0)).toBe(created.events);
    } finally {
      db.close();
    }

    const status = io();
    expect(await runCli(['status', '--db', file, '--json'], status.io)).toBe(0);
    expect(JSON.parse(status.out[0] as string)).toMatchObject({
      users: 50_000,
      events: created.events,
      dataAsOf: DEMO_AS_OF,
      dataAsOfSource: 'demo',
      hasDemo: true,
    });
  });

  it('an unknown command prints {"error": ...} with --json and returns 2', async () => {
    const run = io();
    expect(await runCli(['nope', '--json'], run.io)).toBe(2);
    expect(run.out).toHaveLength(1);
    const printed = JSON.parse(run.out[0] as string) as Record<string, unknown>;
    expect(Object.keys(printed)).toEqual(['error']);
    expect(printed.error).toMatch(/unknown command "nope"/);
  });

  it('an unknown option is an error too, exit code 2', async () => {
    const run = io();
    expect(await runCli(['status', '--bogus', '--json'], run.io)).toBe(2);
    expect(JSON.parse(run.out[0] as string)).toEqual({ error: expect.stringMatching(/bogus/) as unknown as string });
  });

  it('--version prints the version from package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { version: string };
    const run = io();
    expect(await runCli(['--version'], run.io)).toBe(0);
    expect(run.out).toEqual([version]);
    const json = io();
    expect(await runCli(['--version', '--json'], json.io)).toBe(0);
    expect(JSON.parse(json.out[0] as string)).toEqual({ version });
  });
});
