/**
 * Helpers for the segment tests: write hand-made or generated records into a real cache through the
 * import's own path (normalizeRecord → prepare → RecordWriter), build every user's UserProfile from
 * the same records independently of the cache, and evaluate a rule with both evaluators.
 */
import { expect } from 'vitest';
import { openCache, type Db } from '../../src/main/db/connection';
import { prepare } from '../../src/main/ingest/parse/prepare';
import { RecordWriter } from '../../src/main/ingest/write/writer';
import { SegmentService } from '../../src/main/segments/service';
import { normalizeRecord, recordKey, type NormalizedRecord } from '../../src/shared/event-spec';
import { matchesRule, type ProfileEvent, type UserProfile } from '../../src/shared/segments/evaluate';
import type { Rule } from '../../src/shared/segments/rule';

export const DAY = 86_400_000;

/** One record as a test writes it: an event or an identify call, at an instant in ms. */
export type TestRecord =
  | { user: string; event: string; ts: number; properties?: Record<string, unknown> | null; id?: string }
  | { user: string; identify: Record<string, unknown> | null; ts: number; id?: string };

/**
 * An account as the cache keeps it (migration 0012's accounts and account_members), seeded with SQL:
 * its current traits and the ids of its members, who must be users of the records.
 */
export interface TestAccount {
  groupId: string;
  traits: Record<string, unknown>;
  members: readonly string[];
}

/** Writes accounts and their membership into the cache, as the import will from group calls. */
export function writeAccounts(db: Db, accounts: readonly TestAccount[]): void {
  const insertAccount = db
    .prepare<[string, string], number>("INSERT INTO accounts (group_id, traits, trait_times) VALUES (?, ?, '{}') RETURNING account_pk")
    .pluck();
  const userPk = db.prepare<[string], number>('SELECT user_pk FROM users WHERE id = ?').pluck();
  const insertMember = db.prepare<[number, number, number]>('INSERT INTO account_members (user_pk, account_pk, since) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (const account of accounts) {
      const accountPk = insertAccount.get(account.groupId, JSON.stringify(account.traits)) as number;
      for (const member of account.members) {
        const pk = userPk.get(member);
        if (pk === undefined) throw new Error(`test account ${account.groupId}: member ${member} is not a user of the records`);
        insertMember.run(pk, accountPk, 0);
      }
    }
  })();
}

/** Adds each user's accounts' traits to their profile (the JS side of writeAccounts). */
export function addAccounts(profiles: Map<string, UserProfile>, accounts: readonly TestAccount[]): void {
  for (const account of accounts) {
    for (const member of account.members) {
      const profile = profiles.get(member);
      if (profile) profiles.set(member, { ...profile, accounts: [...(profile.accounts ?? []), account.traits] });
    }
  }
}

/** Validates and normalizes records the way an import does; ids default to r0, r1, … in order. */
export function normalizeAll(records: readonly TestRecord[]): NormalizedRecord[] {
  return records.map((r, i) => {
    const messageId = r.id ?? `r${i}`;
    const raw =
      'event' in r
        ? { type: 'track', userId: r.user, event: r.event, timestamp: r.ts, messageId, properties: r.properties ?? undefined }
        : { type: 'identify', userId: r.user, timestamp: r.ts, messageId, traits: r.identify ?? undefined };
    const result = normalizeRecord(raw);
    if (!result.ok) throw new Error(`test record ${i} is invalid: ${result.reason}`);
    return result.record;
  });
}

/** Writes records into the cache in one transaction, as an import would. */
export function writeRecords(db: Db, records: readonly NormalizedRecord[]): void {
  db.exec('BEGIN');
  try {
    const writer = new RecordWriter(db, 'indexed');
    for (const record of records) writer.write(prepare(record, writer.shapeNumbers));
    writer.finish();
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}

/**
 * Writes records with plain INSERTs (statements prepared once), for the thousands of small caches of
 * the agreement test: users get their merged traits and first/last seen as the writer would keep them.
 */
export class DirectWriter {
  private readonly insertName;
  private readonly insertUser;
  private readonly insertEvent;
  private readonly insertRollup;

  constructor(private readonly db: Db) {
    this.insertName = db.prepare<[string], number>('INSERT INTO event_names (name) VALUES (?) RETURNING name_id').pluck();
    this.insertUser = db
      .prepare<[string, string, string, number, number], number>(
        'INSERT INTO users (id, traits, trait_times, first_seen, last_seen) VALUES (?, ?, ?, ?, ?) RETURNING user_pk',
      )
      .pluck();
    this.insertEvent = db.prepare('INSERT INTO events (event_key, event_id, user_pk, name_id, ts, properties) VALUES (?, ?, ?, ?, ?, ?)');
    this.insertRollup = db.prepare<[number]>(
      `INSERT INTO event_daily (day, name_id, events, first_ts, last_ts)
       SELECT ts / ${DAY}, name_id, count(*) * ?, min(ts), max(ts) FROM events GROUP BY 1, 2`,
    );
  }

  /**
   * Writes the records, and the daily rollup of their events with every count multiplied by
   * rollupScale: the compiler reads the rollup only to estimate how selective an event condition is,
   * so a huge scale makes it choose its scanning plan over its probing one, for the same data.
   */
  write(records: readonly NormalizedRecord[], rollupScale = 1): void {
    const names = new Map<string, number>([['', 0]]);
    const users = new Map<string, number>();
    const write = this.db.transaction(() => {
      for (const [id, user] of mergeUsers(records)) {
        const traits = Object.fromEntries([...user.traits].map(([key, { value }]) => [key, value]));
        const times = Object.fromEntries([...user.traits].map(([key, { ts }]) => [key, ts]));
        users.set(id, this.insertUser.get(id, JSON.stringify(traits), JSON.stringify(times), user.first, user.last) as number);
      }
      for (const r of records) {
        let nameId = names.get(r.name);
        if (nameId === undefined) {
          nameId = this.insertName.get(r.name) as number;
          names.set(r.name, nameId);
        }
        this.insertEvent.run(recordKey(r.id), r.id, users.get(r.userId), nameId, r.ts, r.data ? JSON.stringify(r.data) : null);
      }
      this.insertRollup.run(rollupScale);
    });
    write();
  }
}

interface MergedUser {
  events: ProfileEvent[];
  identifyTimes: number[];
  traits: Map<string, { value: unknown; ts: number }>;
  first: number;
  last: number;
}

/** Each user's records, traits merged key by key: the later timestamp wins (at equal timestamps, the later record). */
function mergeUsers(records: readonly NormalizedRecord[]): Map<string, MergedUser> {
  const users = new Map<string, MergedUser>();
  for (const r of records) {
    let user = users.get(r.userId);
    if (!user) {
      user = { events: [], identifyTimes: [], traits: new Map(), first: r.ts, last: r.ts };
      users.set(r.userId, user);
    }
    user.first = Math.min(user.first, r.ts);
    user.last = Math.max(user.last, r.ts);
    if (r.kind === 'event') {
      user.events.push({ id: r.id, name: r.name, ts: r.ts, properties: r.data });
    } else {
      user.identifyTimes.push(r.ts);
      for (const [key, value] of Object.entries(r.data ?? {})) {
        const seen = user.traits.get(key);
        if (seen === undefined || r.ts >= seen.ts) user.traits.set(key, { value, ts: r.ts });
      }
    }
  }
  return users;
}

/**
 * Runs fn with every count of the daily rollup multiplied by a million, then puts them back: the
 * compiler then takes every event condition for unselective and scans rather than probes.
 */
export function withInflatedRollup<T>(db: Db, fn: () => T): T {
  db.exec('UPDATE event_daily SET events = events * 1000000');
  try {
    return fn();
  } finally {
    db.exec('UPDATE event_daily SET events = events / 1000000');
  }
}

/** Empties a cache of users, records and segments (not of its schema), for the next generated case. */
export function clearCache(db: Db): void {
  db.exec(`DELETE FROM events; DELETE FROM users; DELETE FROM event_names WHERE name_id <> 0;
           DELETE FROM event_daily; DELETE FROM event_property_keys; DELETE FROM segments;
           DELETE FROM account_members; DELETE FROM accounts;`);
}

/**
 * Every user's profile, built from the records alone (not from the cache): events, identify times,
 * and traits merged key by key, the later timestamp winning (at equal timestamps, the later record).
 */
export function profilesOf(records: readonly NormalizedRecord[]): Map<string, UserProfile> {
  const profiles = new Map<string, UserProfile>();
  for (const [id, user] of mergeUsers(records)) {
    // Object.fromEntries defines own properties: a trait named "__proto__" stays a trait.
    const traits = Object.fromEntries([...user.traits].map(([key, { value }]) => [key, value])) as Record<string, unknown>;
    profiles.set(id, { traits, events: user.events, identifyTimes: user.identifyTimes });
  }
  return profiles;
}

const EVERYONE: Rule = { version: 1, match: 'all', conditions: [] };

export interface BothResults {
  /** Member ids from SegmentService.memberIds (the SQL compiler), sorted. */
  sql: string[];
  /** SegmentService.count. */
  count: number;
  /** SegmentService.total: the universe as of asOf. */
  total: number;
  /** Member ids from matchesRule over every profile (the JS evaluator), sorted. */
  js: string[];
  /** Users with a record at or before asOf, by the profiles. */
  universe: number;
}

const sorted = (ids: string[]): string[] => [...ids].sort();

/** Evaluates a rule with both evaluators; segment references are inlined by the service for the JS side. */
export function evaluateBoth(service: SegmentService, profiles: ReadonlyMap<string, UserProfile>, rule: Rule, asOf: number): BothResults {
  const inlined = service.inline(rule);
  const js: string[] = [];
  let universe = 0;
  for (const [id, profile] of profiles) {
    if (matchesRule(EVERYONE, profile, asOf)) universe += 1;
    if (matchesRule(inlined, profile, asOf)) js.push(id);
  }
  return {
    sql: sorted(service.memberIds(rule, asOf)),
    count: service.count(rule, asOf),
    total: service.total(asOf),
    js: sorted(js),
    universe,
  };
}

/** A cache with records written in, its service and the users' profiles. */
export interface World {
  db: Db;
  service: SegmentService;
  profiles: Map<string, UserProfile>;
  /** Both evaluators' members (sorted), plus count and total. */
  evaluate(rule: Rule, asOf: number): BothResults;
}

/**
 * Writes the records into the cache through the writer, in one import, or in several when given
 * batches (each its own transaction and writer, as successive imports or sync pages are).
 */
export function buildWorld(db: Db, records: readonly TestRecord[] | readonly TestRecord[][], accounts: readonly TestAccount[] = []): World {
  const batches = (records.length > 0 && Array.isArray(records[0]) ? records : [records]) as readonly TestRecord[][];
  const normalized = normalizeAll(batches.flat());
  let start = 0;
  for (const batch of batches) {
    writeRecords(db, normalized.slice(start, start + batch.length));
    start += batch.length;
  }
  writeAccounts(db, accounts);
  const service = new SegmentService(db, () => 0);
  const profiles = profilesOf(normalized);
  addAccounts(profiles, accounts);
  return { db, service, profiles, evaluate: (rule, asOf) => evaluateBoth(service, profiles, rule, asOf) };
}

/** A cache written in successive imports, keeping every record for the JS side. */
export interface GrowingCache {
  records: TestRecord[];
  append(batch: TestRecord[]): void;
}

/** Writes batches as successive imports (the first one given), keeping every record for the JS side. */
export function growingCache(db: Db, first: TestRecord[]): GrowingCache {
  const records: TestRecord[] = [];
  const cache: GrowingCache = {
    records,
    append(batch) {
      // Ids go on numbering across batches, as distinct messageIds would.
      const start = records.length;
      records.push(...batch.map((r, i) => ({ ...r, id: r.id ?? `r${start + i}` })));
      writeRecords(db, normalizeAll(records).slice(start));
    },
  };
  cache.append(first);
  return cache;
}

/**
 * Members of the rule (sorted ids) by the service, checked against the JS evaluator and against a
 * service that reads neither derived table (the events alone), on the same connection.
 */
export function agreedMembers(service: SegmentService, db: Db, records: readonly TestRecord[], rule: Rule, asOf: number): string[] {
  const both = evaluateBoth(service, profilesOf(normalizeAll(records)), rule, asOf);
  expect(both.sql).toEqual(both.js);
  expect(both.count).toBe(both.sql.length);
  const eventsOnly = new SegmentService(db, () => asOf, { eventSummary: false, propertyValues: false });
  expect(eventsOnly.memberIds(rule, asOf)).toEqual(both.sql);
  return both.sql;
}

/**
 * Runs `during` while another connection to the cache holds the write lock, and checks that it did not
 * wait for it; then `after`, once the lock is released.
 */
export function whileAnotherWrites(path: string, during: () => void, after: () => void): void {
  const other = openCache(path).db;
  try {
    other.exec('BEGIN IMMEDIATE');
    const started = performance.now();
    during();
    expect(performance.now() - started).toBeLessThan(1_000);
    other.exec('ROLLBACK');
    after();
  } finally {
    other.close();
  }
}

/** How many rows a table holds. */
export function rowCount(db: Db, table: string): number {
  return db.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get() ?? 0;
}
