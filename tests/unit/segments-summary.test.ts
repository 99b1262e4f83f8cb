/**
 * event_user_summary stays exact without any writer keeping it: the segment service folds in the
 * events appended since its stamp before a count, rebuilds it when an event is deleted or changed, and
 * counts from the events alone when it cannot write (a read-only connection, another connection
 * writing). Every count here is checked against the JS evaluator and against the events-only SQL.
 */
import { describe, expect, it } from 'vitest';
import { openCache, type Db } from '../../src/main/db/connection';
import { newestEventPk } from '../../src/main/segments/derived';
import { refreshEventSummary } from '../../src/main/segments/event-summary';
import { SegmentService } from '../../src/main/segments/service';
import type { Rule } from '../../src/shared/segments/rule';
import { useTempCache } from './helpers';
import { agreedMembers, DAY, growingCache, rowCount, whileAnotherWrites, type TestRecord } from './segments-helpers';

const tempCache = useTempCache();

const A = Date.UTC(2026, 2, 1, 12);

/** "login in the last 14 days and never upgrade": both kinds of condition the summary answers. */
const ACTIVE_NOT_UPGRADED: Rule = {
  version: 1,
  match: 'all',
  conditions: [
    { type: 'event', event: 'login', op: '>=', count: 1, within: { days: 14 } },
    { type: 'event', event: 'upgrade', op: '=', count: 0 },
  ],
};
/** Answered by the summary's counts when no login lies after asOf. */
const THREE_LOGINS_EVER: Rule = { version: 1, match: 'all', conditions: [{ type: 'event', event: 'login', op: '>=', count: 3 }] };
const RULES = [ACTIVE_NOT_UPGRADED, THREE_LOGINS_EVER];

const FIRST: TestRecord[] = [
  { user: 'ana', event: 'login', ts: A - 2 * DAY },
  { user: 'ana', event: 'login', ts: A - 40 * DAY },
  { user: 'ben', event: 'login', ts: A - 20 * DAY },
  { user: 'ben', event: 'login', ts: A - 21 * DAY },
  { user: 'ben', event: 'login', ts: A - 22 * DAY },
  { user: 'cy', event: 'login', ts: A - 1 * DAY },
  { user: 'cy', event: 'upgrade', ts: A - 30 * DAY },
];

/** Members of the rule: the summary-reading service, the events-only one and the JS evaluator agree. */
function members(service: SegmentService, records: TestRecord[], rule: Rule, asOf: number, db: Db): string[] {
  return agreedMembers(service, db, records, rule, asOf);
}

const stamp = (db: Db): string | undefined =>
  db.prepare<[], string>("SELECT value FROM kv WHERE key = 'event_summary_through'").pluck().get();

describe('event_user_summary', () => {
  it('is read by counts it answers, and follows appended events (successive imports)', () => {
    const { db } = tempCache();
    const service = new SegmentService(db, () => A);
    const cache = growingCache(db, FIRST);
    expect(service.compile(ACTIVE_NOT_UPGRADED, A).sql).toContain('event_user_summary');
    expect(members(service, cache.records, ACTIVE_NOT_UPGRADED, A, db)).toEqual(['ana']);
    expect(members(service, cache.records, THREE_LOGINS_EVER, A, db)).toEqual(['ben']);
    expect(stamp(db)).toBe(String(newestEventPk(db)));

    // Ben comes back, Ana upgrades, a new user logs in three times.
    cache.append([
      { user: 'ben', event: 'login', ts: A - 3 * DAY },
      { user: 'ana', event: 'upgrade', ts: A - 1 * DAY },
      { user: 'dee', event: 'login', ts: A - 5 * DAY },
      { user: 'dee', event: 'login', ts: A - 4 * DAY },
      { user: 'dee', event: 'login', ts: A - 3 * DAY },
    ]);
    expect(members(service, cache.records, ACTIVE_NOT_UPGRADED, A, db)).toEqual(['ben', 'dee']);
    expect(members(service, cache.records, THREE_LOGINS_EVER, A, db)).toEqual(['ben', 'dee']);
    // Folded in, not rebuilt: one row per (name, user).
    expect(rowCount(db, 'event_user_summary')).toBe(6);
  });

  it('is not trusted for windows and counts when events lie after asOf', () => {
    const { db } = tempCache();
    const service = new SegmentService(db, () => A);
    const cache = growingCache(db, FIRST);
    const earlier = A - 10 * DAY;
    // As of ten days ago, Ana's and Cy's recent logins lie in the future: last_ts says nothing then,
    // and only Ben's logins (20 to 22 days before A) are in that window.
    const windowOnly: Rule = { version: 1, match: 'all', conditions: [ACTIVE_NOT_UPGRADED.conditions[0]!] };
    expect(service.compile(windowOnly, earlier).sql).not.toContain('event_user_summary');
    expect(members(service, cache.records, ACTIVE_NOT_UPGRADED, earlier, db)).toEqual(['ben']);
    expect(members(service, cache.records, THREE_LOGINS_EVER, earlier, db)).toEqual(['ben']);
    expect(members(service, cache.records, THREE_LOGINS_EVER, A - 21 * DAY, db)).toEqual([]);
    // "Ever" needs only first_ts, so it reads the summary at any asOf.
    const everUpgraded: Rule = { version: 1, match: 'all', conditions: [{ type: 'event', event: 'upgrade', op: '>=', count: 1 }] };
    expect(service.compile(everUpgraded, A - 35 * DAY).sql).toContain('event_user_summary');
    expect(members(service, cache.records, everUpgraded, A - 35 * DAY, db)).toEqual([]);
    expect(members(service, cache.records, everUpgraded, A - 25 * DAY, db)).toEqual(['cy']);
  });

  it('is rebuilt when an event is deleted or changed', () => {
    const { db } = tempCache();
    const service = new SegmentService(db, () => A);
    const cache = growingCache(db, FIRST);
    expect(members(service, cache.records, ACTIVE_NOT_UPGRADED, A, db)).toEqual(['ana']);
    db.prepare("DELETE FROM events WHERE event_id = 'r6'").run(); // Cy's upgrade
    expect(stamp(db)).toBeUndefined();
    expect(members(service, cache.records.filter((r) => r.id !== 'r6'), ACTIVE_NOT_UPGRADED, A, db)).toEqual(['ana', 'cy']);
    db.prepare("UPDATE events SET ts = ? WHERE event_id = 'r0'").run(A - 30 * DAY); // Ana's recent login, moved back
    expect(stamp(db)).toBeUndefined();
    const moved = cache.records.filter((r) => r.id !== 'r6').map((r) => (r.id === 'r0' ? { ...r, ts: A - 30 * DAY } : r));
    expect(members(service, moved, ACTIVE_NOT_UPGRADED, A, db)).toEqual(['cy']);
  });

  it('is not written through a read-only connection, whose counts read the events alone', () => {
    const { db, path } = tempCache();
    const cache = growingCache(db, FIRST);
    const writer = new SegmentService(db, () => A);
    expect(writer.count(ACTIVE_NOT_UPGRADED, A)).toBe(1);
    // New events the summary has not seen yet.
    cache.append([{ user: 'ben', event: 'login', ts: A - 3 * DAY }]);
    const before = stamp(db);

    const readonly = openCache(path, { readonly: true }).db;
    try {
      const service = new SegmentService(readonly, () => A);
      expect(service.compile(ACTIVE_NOT_UPGRADED, A).sql).not.toContain('event_user_summary');
      expect(members(service, cache.records, ACTIVE_NOT_UPGRADED, A, readonly)).toEqual(['ana', 'ben']);
      expect(stamp(readonly)).toBe(before);
      // Once the writable connection has refreshed it, the read-only one reads it too.
      expect(writer.count(ACTIVE_NOT_UPGRADED, A)).toBe(2);
      expect(service.compile(ACTIVE_NOT_UPGRADED, A).sql).toContain('event_user_summary');
      expect(members(service, cache.records, ACTIVE_NOT_UPGRADED, A, readonly)).toEqual(['ana', 'ben']);
    } finally {
      readonly.close();
    }
  });

  it('does not wait for another connection that is writing: that count reads the events alone', () => {
    const { db, path } = tempCache();
    const cache = growingCache(db, FIRST);
    whileAnotherWrites(
      path,
      () => {
        expect(refreshEventSummary(db)).toBe(false);
        expect(members(new SegmentService(db, () => A), cache.records, ACTIVE_NOT_UPGRADED, A, db)).toEqual(['ana']);
      },
      () => {
        expect(refreshEventSummary(db)).toBe(true);
        for (const rule of RULES) members(new SegmentService(db, () => A), cache.records, rule, A, db);
      },
    );
  });
});
