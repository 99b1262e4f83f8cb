/**
 * The meaning of a segment rule, pinned case by case (docs: the segments issue). Every case builds a
 * small real cache through the import's writer and checks BOTH evaluators: the SQL compiler over the
 * cache (SegmentService: memberIds, count, total) and the JS evaluator (matchesRule) over profiles
 * built from the same records.
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/shared/errors';
import type { SavedSegment } from '../../src/shared/types';
import { describeRule } from '../../src/shared/segments/describe';
import { matchesRule } from '../../src/shared/segments/evaluate';
import { parseRule, type Condition, type CountOp, type Rule, type ValueFilter } from '../../src/shared/segments/rule';
import { useTempCache } from './helpers';
import { buildWorld, DAY, withInflatedRollup, type TestAccount, type TestRecord, type World } from './segments-helpers';

const tempCache = useTempCache();

/** asOf for every case: noon UTC, 1 March 2026. */
const A = Date.UTC(2026, 2, 1, 12);

function world(records: TestRecord[] | TestRecord[][], accounts: TestAccount[] = []): World {
  return buildWorld(tempCache().db, records, accounts);
}

const all = (...conditions: Condition[]): Rule => ({ version: 1, match: 'all', conditions });
const any = (...conditions: Condition[]): Rule => ({ version: 1, match: 'any', conditions });
const group = (match: 'all' | 'any', conditions: Condition[], negate?: boolean): Condition =>
  negate === undefined ? { type: 'group', match, conditions } : { type: 'group', match, conditions, negate };

/**
 * Both evaluators return exactly these members (and count them); total is the universe. The SQL side
 * is asked twice: with the daily rollup as written (small counts: the compiler probes candidates
 * per user) and with it inflated (the compiler scans): two plans, one answer.
 */
function expectMembers(w: World, rule: Rule, asOf: number, expected: string[]): void {
  const want = [...expected].sort();
  for (const plan of ['probe', 'scan'] as const) {
    const both = plan === 'probe' ? w.evaluate(rule, asOf) : withInflatedRollup(w.db, () => w.evaluate(rule, asOf));
    expect({ plan, sql: both.sql, js: both.js, count: both.count }).toEqual({ plan, sql: want, js: want, count: want.length });
    expect(both.total).toBe(both.universe);
  }
}

function ids(w: World): string[] {
  return [...w.profiles.keys()].sort();
}

function without(list: string[], ...excluded: string[]): string[] {
  return list.filter((x) => !excluded.includes(x));
}

describe('the universe: every user with a record at or before asOf', () => {
  const records: TestRecord[] = [
    { user: 'event-only', event: 'ping', ts: A - DAY },
    { user: 'identify-only', identify: { plan: 'pro' }, ts: A - 5 * DAY },
    { user: 'identify-at-asof', identify: null, ts: A },
    { user: 'late', event: 'ping', ts: A + 1 },
    { user: 'late', identify: { plan: 'pro' }, ts: A + DAY },
    { user: 'earlier-and-later', identify: { plan: 'free' }, ts: A - 3 * DAY },
    { user: 'earlier-and-later', event: 'ping', ts: A + 1 },
  ];
  const inUniverse = ['event-only', 'identify-only', 'identify-at-asof', 'earlier-and-later'];

  it('includes identify-only users and a record at asOf; users who appear only later are in neither count nor total', () => {
    const w = world(records);
    expectMembers(w, all(), A, inUniverse);
    expect(w.evaluate(all(), A).total).toBe(4);
    expect(w.service.total(A)).toBe(4);
    expectMembers(w, all(), A + 1, [...inUniverse, 'late']);
    expect(w.service.total(A + 1)).toBe(5);
    expectMembers(w, all(), A - 5 * DAY - 1, []);
    expect(w.service.total(A - 5 * DAY - 1)).toBe(0);
    expectMembers(w, any(), A, []);
  });

  it('negations, zero counts, neq, not_in and not_exists never bring in users from outside it', () => {
    const w = world(records);
    expectMembers(w, all({ type: 'trait', trait: 'plan', op: 'eq', value: 'x', negate: true }), A, inUniverse);
    expectMembers(w, all({ type: 'trait', trait: 'plan', op: 'neq', value: 'x' }), A, inUniverse);
    expectMembers(w, all({ type: 'trait', trait: 'plan', op: 'not_in', value: ['free'] }), A, without(inUniverse, 'earlier-and-later'));
    expectMembers(w, all({ type: 'trait', trait: 'nickname', op: 'not_exists' }), A, inUniverse);
    // The ping after asOf does not count: "earlier-and-later" did not ping, as of asOf.
    expectMembers(w, all({ type: 'event', event: 'ping', op: '=', count: 0 }), A, ['identify-only', 'identify-at-asof', 'earlier-and-later']);
    expectMembers(w, all({ type: 'event', event: 'never_happens', op: '<=', count: 3 }), A, inUniverse);
    expectMembers(w, all({ type: 'nps', category: 'promoter', negate: true }), A, inUniverse);
    expectMembers(w, all(group('any', [], true)), A, inUniverse);
    expectMembers(w, all({ type: 'first_seen', op: 'within', days: 36_500 }), A, inUniverse);
  });
});

describe('event conditions: windows', () => {
  const records: TestRecord[] = [
    { user: 'at-edge', event: 'ping', ts: A - 7 * DAY },
    { user: 'edge+1ms', event: 'ping', ts: A - 7 * DAY + 1 },
    { user: 'at-asof', event: 'ping', ts: A },
    { user: 'after-asof', identify: null, ts: A - 30 * DAY },
    { user: 'after-asof', event: 'ping', ts: A + 1 },
    { user: 'old', event: 'ping', ts: A - 100 * DAY },
    { user: 'never', identify: null, ts: A - DAY },
    { user: 'day-edge', event: 'ping', ts: A - DAY },
    { user: 'day-edge+1ms', event: 'ping', ts: A - DAY + 1 },
  ];
  const ping = (op: '>=' | '=', count: number, days?: number): Condition =>
    days === undefined ? { type: 'event', event: 'ping', op, count } : { type: 'event', event: 'ping', op, count, within: { days } };

  it('within N days counts asOf - N days < ts <= asOf: the edge itself is out, 1 ms later is in, asOf is in, asOf + 1 ms is out', () => {
    const w = world(records);
    expectMembers(w, all(ping('>=', 1, 7)), A, ['edge+1ms', 'at-asof', 'day-edge', 'day-edge+1ms']);
    expectMembers(w, all(ping('>=', 1, 1)), A, ['at-asof', 'day-edge+1ms']);
    expectMembers(w, all(ping('=', 0, 7)), A, ['at-edge', 'after-asof', 'old', 'never']);
  });

  it('without within, every event up to asOf counts, and none after it', () => {
    const w = world(records);
    expectMembers(w, all(ping('>=', 1)), A, without(ids(w), 'after-asof', 'never'));
    expectMembers(w, all(ping('=', 0)), A, ['after-asof', 'never']);
  });

  it('the window moves with asOf, to the millisecond', () => {
    const w = world(records);
    // asOf + 1 ms: the event 1 ms inside the 7-day edge is now on it; the event at asOf + 1 is in.
    expectMembers(w, all(ping('>=', 1, 7)), A + 1, ['at-asof', 'after-asof', 'day-edge', 'day-edge+1ms']);
    // asOf - 1 ms: the event at asOf is in the future.
    expectMembers(w, all(ping('>=', 1, 7)), A - 1, ['at-edge', 'edge+1ms', 'day-edge', 'day-edge+1ms']);
  });
});

describe('event conditions: counts', () => {
  // c<n> pinged n times in the last 30 days, and everyone once before that.
  const records: TestRecord[] = [];
  for (const n of [0, 1, 2, 3]) {
    const user = `c${n}`;
    records.push({ user, event: 'ping', ts: A - 40 * DAY });
    for (let i = 0; i < n; i++) records.push({ user, event: 'ping', ts: A - i * DAY });
  }
  const cases: [CountOp, number, string[]][] = [
    ['>=', 2, ['c2', 'c3']],
    ['>', 2, ['c3']],
    ['=', 2, ['c2']],
    ['!=', 2, ['c0', 'c1', 'c3']],
    ['<=', 2, ['c0', 'c1', 'c2']],
    ['<', 2, ['c0', 'c1']],
    ['=', 0, ['c0']],
    ['>', 0, ['c1', 'c2', 'c3']],
    ['>=', 0, ['c0', 'c1', 'c2', 'c3']],
    ['<=', 0, ['c0']],
    ['<', 0, []],
    ['!=', 0, ['c1', 'c2', 'c3']],
    ['<', 1, ['c0']],
  ];

  it.each(cases)('ping %s %i in the last 30 days', (op, count, expected) => {
    expectMembers(world(records), all({ type: 'event', event: 'ping', op, count, within: { days: 30 } }), A, expected);
  });

  it('without a window, the ping 40 days ago counts too', () => {
    const w = world(records);
    expectMembers(w, all({ type: 'event', event: 'ping', op: '=', count: 2 }), A, ['c1']);
    expectMembers(w, all({ type: 'event', event: 'ping', op: '=', count: 0 }), A, []);
    expectMembers(w, all({ type: 'event', event: 'ping', op: '>', count: 3 }), A, ['c3']);
  });

  it('an event nobody did: = 0 is everyone, >= 1 no one', () => {
    const w = world(records);
    expectMembers(w, all({ type: 'event', event: 'ghost', op: '=', count: 0 }), A, ids(w));
    expectMembers(w, all({ type: 'event', event: 'ghost', op: '>=', count: 1 }), A, []);
    expectMembers(w, all({ type: 'event', event: 'ghost', op: '>=', count: 1, negate: true }), A, ids(w));
  });
});

describe('event conditions: where', () => {
  const records: TestRecord[] = [
    { user: 'w1', event: 'export', ts: A - DAY, properties: { format: 'csv', rows: 5 } },
    { user: 'w1', event: 'export', ts: A - DAY, properties: { format: 'pdf', rows: 50 } },
    { user: 'w2', event: 'export', ts: A - DAY, properties: { format: 'csv', rows: 50 } },
    { user: 'w3', event: 'export', ts: A - DAY },
    { user: 'w4', event: 'import', ts: A - DAY, properties: { format: 'csv', rows: 50 } },
  ];

  it('several filters on one condition must all hold, on the same event', () => {
    const w = world(records);
    const filters: Condition = {
      type: 'event',
      event: 'export',
      op: '>=',
      count: 1,
      where: [
        { property: 'format', op: 'eq', value: 'csv' },
        { property: 'rows', op: 'gte', value: 10 },
      ],
    };
    expectMembers(w, all(filters), A, ['w2']);
    expectMembers(w, all({ ...filters, op: '=', count: 0 }), A, ['w1', 'w3', 'w4']);
  });

  it('filters count only the events that pass them', () => {
    const w = world(records);
    const where = (filter: ValueFilter & { property: string }, op: '>=' | '=', count: number): Rule =>
      all({ type: 'event', event: 'export', op, count, where: [filter] });
    expectMembers(w, where({ property: 'format', op: 'in', value: ['csv', 'pdf'] }, '>=', 2), A, ['w1']);
    expectMembers(w, where({ property: 'format', op: 'eq', value: 'csv' }, '=', 0), A, ['w3', 'w4']);
    expectMembers(w, where({ property: 'format', op: 'not_exists' }, '>=', 1), A, ['w3']);
    expectMembers(w, where({ property: 'format', op: 'neq', value: 'csv' }, '>=', 1), A, ['w1', 'w3']);
  });
});

describe('first_seen and last_seen', () => {
  const E = A - 30 * DAY;
  const records = (withFuture: boolean): TestRecord[] => [
    { user: 'first-at-edge', event: 'ping', ts: E },
    { user: 'first-at-edge', event: 'ping', ts: A - DAY },
    { user: 'first-edge+1ms', event: 'ping', ts: E + 1 },
    { user: 'first-edge-1ms', event: 'ping', ts: E - 1 },
    { user: 'identify-at-asof', identify: null, ts: A },
    { user: 'later-records', event: 'ping', ts: E - 5 * DAY },
    ...(withFuture
      ? ([
          { user: 'later-records', event: 'ping', ts: A + 1 },
          { user: 'later-records', identify: { plan: 'pro' }, ts: A + 10 * DAY },
        ] satisfies TestRecord[])
      : []),
    { user: 'last-by-identify', event: 'ping', ts: A - 60 * DAY },
    { user: 'last-by-identify', identify: { plan: 'pro' }, ts: A - 2 * DAY },
    { user: 'last-at-edge', event: 'ping', ts: A - 60 * DAY },
    { user: 'last-at-edge', event: 'ping', ts: E },
    { user: 'last-edge+1ms', event: 'ping', ts: A - 60 * DAY },
    { user: 'last-edge+1ms', identify: null, ts: E + 1 },
  ];

  // With records after asOf, the compiler computes last seen as of asOf from events; without, it
  // reads users.last_seen. Same answers either way.
  it.each([true, false])('within: asOf - 30 days < t <= asOf; before: t < asOf - 30 days (records after asOf: %s)', (withFuture) => {
    const w = world(records(withFuture));
    const seen = (type: 'first_seen' | 'last_seen', op: 'within' | 'before'): Rule => all({ type, op, days: 30 });
    expectMembers(w, seen('first_seen', 'within'), A, ['first-edge+1ms', 'identify-at-asof']);
    expectMembers(w, seen('first_seen', 'before'), A, ['first-edge-1ms', 'later-records', 'last-by-identify', 'last-at-edge', 'last-edge+1ms']);
    expectMembers(w, seen('last_seen', 'within'), A, ['first-at-edge', 'first-edge+1ms', 'identify-at-asof', 'last-by-identify', 'last-edge+1ms']);
    expectMembers(w, seen('last_seen', 'before'), A, ['first-edge-1ms', 'later-records']);
    // Exactly on the edge is neither within nor before.
    expectMembers(w, all(group('any', [{ type: 'first_seen', op: 'within', days: 30 }, { type: 'first_seen', op: 'before', days: 30 }], true)), A, ['first-at-edge']);
    expectMembers(w, all(group('any', [{ type: 'last_seen', op: 'within', days: 30 }, { type: 'last_seen', op: 'before', days: 30 }], true)), A, ['last-at-edge']);
  });

  it('seen as of an earlier asOf ignores the records after it', () => {
    const w = world(records(true));
    // As of A - 2 days + 1 ms, the identify at A - 2 days is the last record of "last-by-identify".
    expectMembers(w, all({ type: 'last_seen', op: 'within', days: 1 }), A - 2 * DAY + 1, ['last-by-identify']);
    expectMembers(w, all({ type: 'last_seen', op: 'within', days: 1 }), A - 2 * DAY - 1, []);
    // An identify-only user is first seen by its identify call.
    expectMembers(w, all({ type: 'first_seen', op: 'within', days: 1 }), A, ['identify-at-asof']);
  });
});

describe('traits: the current merged traits, whatever asOf', () => {
  it('a trait set after asOf already counts; later timestamps win key by key, whatever the write order', () => {
    const w = world([
      { user: 'upgraded-later', identify: { plan: 'free', seats: 3 }, ts: A - 10 * DAY },
      { user: 'upgraded-later', identify: { plan: 'pro' }, ts: A + 5 * DAY },
      // Written newest first: the older identify must not win.
      { user: 'out-of-order', identify: { plan: 'team' }, ts: A - DAY },
      { user: 'out-of-order', identify: { plan: 'basic', seats: 10 }, ts: A - 2 * DAY },
      { user: 'cleared', identify: { plan: 'pro' }, ts: A - 3 * DAY },
      { user: 'cleared', identify: { plan: null }, ts: A - 2 * DAY },
    ]);
    expectMembers(w, all({ type: 'trait', trait: 'plan', op: 'eq', value: 'pro' }), A, ['upgraded-later']);
    expectMembers(w, all({ type: 'trait', trait: 'plan', op: 'eq', value: 'free' }), A, []);
    expectMembers(w, all({ type: 'trait', trait: 'plan', op: 'eq', value: 'team' }), A, ['out-of-order']);
    expectMembers(w, all({ type: 'trait', trait: 'seats', op: 'gte', value: 3 }), A, ['upgraded-later', 'out-of-order']);
    expectMembers(w, all({ type: 'trait', trait: 'plan', op: 'not_exists' }), A, ['cleared']);
  });

  it('traits named like Object.prototype members ("constructor", "toString", "__proto__") are traits like any other', () => {
    const odd = (json: string): Record<string, unknown> => JSON.parse(json) as Record<string, unknown>;
    // Two imports: the second merges into traits the writer reads back from the cache.
    const w = world([
      [
        { user: 'odd-keys', identify: odd('{"constructor":"acme","toString":"x","__proto__":"p","valueOf":1}'), ts: A - DAY },
        { user: 'plain', identify: { plan: 'pro' }, ts: A - DAY },
      ],
      [
        { user: 'odd-keys', identify: odd('{"constructor":"older","hasOwnProperty":true}'), ts: A - 2 * DAY },
        { user: 'odd-keys', identify: odd('{"valueOf":2}'), ts: A },
      ],
    ]);
    expectMembers(w, all({ type: 'trait', trait: 'constructor', op: 'eq', value: 'acme' }), A, ['odd-keys']);
    expectMembers(w, all({ type: 'trait', trait: 'toString', op: 'exists' }), A, ['odd-keys']);
    expectMembers(w, all({ type: 'trait', trait: '__proto__', op: 'eq', value: 'p' }), A, ['odd-keys']);
    expectMembers(w, all({ type: 'trait', trait: 'valueOf', op: 'eq', value: 2 }), A, ['odd-keys']);
    expectMembers(w, all({ type: 'trait', trait: 'hasOwnProperty', op: 'eq', value: true }), A, ['odd-keys']);
    expectMembers(w, all({ type: 'trait', trait: 'constructor', op: 'not_exists' }), A, ['plain']);
  });
});

/**
 * A world where each user holds one value, as the trait "v" and as the property "v" of one "probe"
 * event (absent for "missing"), so every filter is checked on traits and in where, by both evaluators.
 */
function valueWorld(values: Record<string, unknown>): World {
  const records: TestRecord[] = [];
  for (const [user, value] of Object.entries(values)) {
    const data = value === MISSING ? { other: 1 } : { v: value };
    records.push({ user, identify: data, ts: A - 2 * DAY }, { user, event: 'probe', ts: A - DAY, properties: data });
  }
  return world(records);
}
const MISSING = Symbol('missing');

function expectFilter(w: World, filter: ValueFilter, expected: string[]): void {
  expectMembers(w, all({ type: 'trait', trait: 'v', ...filter }), A, expected);
  expectMembers(w, all({ type: 'event', event: 'probe', op: '>=', count: 1, where: [{ property: 'v', ...filter }] }), A, expected);
  expectMembers(w, all({ type: 'event', event: 'probe', op: '=', count: 0, where: [{ property: 'v', ...filter }] }), A, without(ids(w), ...expected));
}

describe('account: some account of the user has a trait that passes, as a trait condition judges one value', () => {
  const records: TestRecord[] = [
    { user: 'one-enterprise', event: 'ping', ts: A - DAY },
    { user: 'two-one-matching', event: 'ping', ts: A - DAY },
    { user: 'only-free', identify: { plan: 'enterprise' }, ts: A - DAY },
    { user: 'no-plan-account', event: 'ping', ts: A - DAY },
    { user: 'no-account', identify: { plan: 'enterprise' }, ts: A - DAY },
    // Joins the universe only after asOf: an account does not bring a user in early.
    { user: 'late', event: 'ping', ts: A + DAY },
  ];
  const accounts: TestAccount[] = [
    { groupId: 'acme', traits: { plan: 'enterprise', seats: 250, since: '2024-01-01' }, members: ['one-enterprise', 'two-one-matching', 'late'] },
    { groupId: 'tiny', traits: { plan: 'free', seats: 2 }, members: ['two-one-matching', 'only-free'] },
    { groupId: 'bare', traits: { name: 'No plan yet' }, members: ['no-plan-account'] },
  ];
  const account = (filter: ValueFilter, negate?: boolean): Condition =>
    negate === undefined ? { type: 'account', trait: 'plan', ...filter } : { type: 'account', trait: 'plan', ...filter, negate };

  it('a member of one matching account, and of two accounts of which one matches, match; the user trait of that name does not count', () => {
    const w = world(records, accounts);
    expectMembers(w, all(account({ op: 'eq', value: 'enterprise' })), A, ['one-enterprise', 'two-one-matching']);
    expectMembers(w, all(account({ op: 'eq', value: 'free' })), A, ['two-one-matching', 'only-free']);
    // neq holds through any account whose plan is not "free": acme for two-one-matching, and bare, whose
    // missing plan passes neq as a missing trait does; only-free's one account fails it.
    expectMembers(w, all(account({ op: 'neq', value: 'free' })), A, ['one-enterprise', 'two-one-matching', 'no-plan-account']);
    expectMembers(w, all({ type: 'account', trait: 'seats', op: 'gte', value: 100 }), A, ['one-enterprise', 'two-one-matching']);
    expectMembers(w, all({ type: 'account', trait: 'since', op: 'lt', value: '2025-01-01' }), A, ['one-enterprise', 'two-one-matching']);
    expectMembers(w, all(account({ op: 'not_exists' })), A, ['no-plan-account']);
    expectMembers(w, all(account({ op: 'eq', value: 'enterprise' }), { type: 'trait', trait: 'plan', op: 'eq', value: 'enterprise' }), A, []);
  });

  it('a user with no account matches no account condition, whatever the operator; negated, every one of them holds', () => {
    const w = world(records, accounts);
    const filters: ValueFilter[] = [
      { op: 'eq', value: 'x' }, { op: 'neq', value: 'x' }, { op: 'in', value: ['x'] }, { op: 'not_in', value: ['x'] },
      { op: 'contains', value: '' }, { op: 'gt', value: 0 }, { op: 'gte', value: 0 }, { op: 'lt', value: 'z' }, { op: 'lte', value: 'z' },
      { op: 'exists' }, { op: 'not_exists' },
    ];
    for (const filter of filters) {
      const both = w.evaluate(all(account(filter)), A);
      expect({ filter, sql: both.sql.includes('no-account'), js: both.js.includes('no-account') }).toEqual({ filter, sql: false, js: false });
      const negated = w.evaluate(all(account(filter, true)), A);
      expect({ filter, sql: negated.sql.includes('no-account'), js: negated.js.includes('no-account') }).toEqual({ filter, sql: true, js: true });
    }
    // "No account on the enterprise plan": negate, which keeps users without any account.
    expectMembers(w, all(account({ op: 'eq', value: 'enterprise' }, true)), A, ['only-free', 'no-plan-account', 'no-account']);
  });

  it('membership and account traits are current whatever asOf, but the universe still follows asOf', () => {
    const w = world(records, accounts);
    const enterprise = all(account({ op: 'eq', value: 'enterprise' }));
    expectMembers(w, enterprise, A - 2 * DAY, []);
    expectMembers(w, enterprise, A - DAY, ['one-enterprise', 'two-one-matching']);
    expectMembers(w, enterprise, A + DAY, ['one-enterprise', 'two-one-matching', 'late']);
  });

  it('the word "group" stays the nesting condition, and account conditions nest in it', () => {
    const w = world(records, accounts);
    const rule = all(group('any', [account({ op: 'eq', value: 'free' }), { type: 'trait', trait: 'plan', op: 'eq', value: 'enterprise' }]));
    expectMembers(w, rule, A, ['two-one-matching', 'only-free', 'no-account']);
    expect(describeRule(all(account({ op: 'eq', value: 'enterprise' }, true)))).toBe('Users who have no account whose plan is “enterprise”');
    expect(w.service.warnings(all({ type: 'account', trait: 'region', op: 'exists' }, { type: 'account', trait: 'seats', op: 'exists' }))).toEqual([
      'No account has the trait “region” yet.',
    ]);
  });
});

describe('value filters: a missing value and JSON null match only neq, not_in and not_exists', () => {
  const values = { missing: MISSING, null: null, x: 'x', five: 5, day: '2026-03-01' };
  const cases: [ValueFilter, string[]][] = [
    [{ op: 'eq', value: 'x' }, ['x']],
    [{ op: 'neq', value: 'x' }, ['missing', 'null', 'five', 'day']],
    [{ op: 'in', value: ['x', 5] }, ['x', 'five']],
    [{ op: 'not_in', value: ['x', 5] }, ['missing', 'null', 'day']],
    [{ op: 'in', value: [] }, []],
    [{ op: 'not_in', value: [] }, ['missing', 'null', 'x', 'five', 'day']],
    [{ op: 'contains', value: '' }, ['x', 'day']],
    [{ op: 'gt', value: 1 }, ['five']],
    [{ op: 'gte', value: 5 }, ['five']],
    [{ op: 'lt', value: 6 }, ['five']],
    [{ op: 'lte', value: 5 }, ['five']],
    [{ op: 'gt', value: '2026-02-01' }, ['day']],
    [{ op: 'lte', value: '2026-03-01' }, ['day']],
    [{ op: 'exists' }, ['x', 'five', 'day']],
    [{ op: 'not_exists' }, ['missing', 'null']],
    [{ op: 'eq', value: 'null' }, []],
    [{ op: 'neq', value: 'null' }, ['missing', 'null', 'x', 'five', 'day']],
  ];
  it.each(cases)('%j', (filter, expected) => {
    const matchesAbsent = filter.op === 'neq' || filter.op === 'not_in' || filter.op === 'not_exists';
    expect(expected.includes('missing')).toBe(matchesAbsent);
    expect(expected.includes('null')).toBe(matchesAbsent);
    expectFilter(valueWorld(values), filter, expected);
  });
});

describe('value filters: no type coercion', () => {
  const values = { num10: 10, str10: '10', real: 10.5, one: 1, str1: '1', zero: 0, yes: true, no: false, strTrue: 'true' };
  const everyone = Object.keys(values);
  const cases: [ValueFilter, string[]][] = [
    [{ op: 'eq', value: 10 }, ['num10']],
    [{ op: 'eq', value: '10' }, ['str10']],
    [{ op: 'eq', value: true }, ['yes']],
    [{ op: 'eq', value: 1 }, ['one']],
    [{ op: 'eq', value: '1' }, ['str1']],
    [{ op: 'eq', value: false }, ['no']],
    [{ op: 'eq', value: 0 }, ['zero']],
    [{ op: 'eq', value: 'true' }, ['strTrue']],
    [{ op: 'in', value: [10, true] }, ['num10', 'yes']],
    [{ op: 'in', value: ['10', '1'] }, ['str10', 'str1']],
    [{ op: 'neq', value: 1 }, without(everyone, 'one')],
    [{ op: 'not_in', value: [true, 0] }, without(everyone, 'yes', 'zero')],
    [{ op: 'gt', value: 9 }, ['num10', 'real']],
    [{ op: 'gte', value: 1 }, ['num10', 'real', 'one']],
    [{ op: 'lt', value: 1 }, ['zero']],
    [{ op: 'lte', value: 0 }, ['zero']],
    // "9" is text and not a date: nothing compares with it, not even "10".
    [{ op: 'gt', value: '9' }, []],
    [{ op: 'lt', value: '11' }, []],
    // Numbers are not text.
    [{ op: 'contains', value: '1' }, ['str10', 'str1']],
    [{ op: 'contains', value: 'TRU' }, ['strTrue']],
  ];
  it.each(cases)('%j', (filter, expected) => expectFilter(valueWorld(values), filter, expected));
});

describe('value filters: contains is case-insensitive as JavaScript lower-cases (Unicode)', () => {
  const values = {
    ecole: 'ÉCOLE',
    istanbul: 'İstanbul',
    diyarbakir: 'DIYARBAKIR',
    ispanak: 'ıspanak',
    strasse: 'STRASSE',
    strasze: 'straße',
    sisyphus: 'ΣΊΣΥΦΟΣ',
    smile: '😀 Smile',
    // A string cut in the middle of an emoji (a lone surrogate, "\ud83d" in JSON), and one that
    // holds a real U+FFFD replacement character (mojibake).
    cut: 'Great app \ud83d',
    mojibake: 'caf\ufffd',
  };
  const cases: [string, string[]][] = [
    ['école', ['ecole']],
    ['ÉCO', ['ecole']],
    // No accent folding.
    ['ecole', []],
    // "İ".toLowerCase() is "i" + U+0307 (combining dot above): "İstanbul" holds "i̇st", not "ist".
    ['İST', ['istanbul']],
    ['istanbul', []],
    ['stanbul', ['istanbul']],
    // Not Turkish-aware: "I" lower-cases to "i", never to dotless "ı"; "ı" stays "ı".
    ['diyarbakir', ['diyarbakir']],
    ['diyarbakır', []],
    ['I', ['istanbul', 'diyarbakir', 'smile']],
    ['ı', ['ispanak']],
    // No case folding: "ß" is not "ss"; capital "ẞ" lower-cases to "ß".
    ['ss', ['strasse']],
    ['STRASSE', ['strasse']],
    ['ß', ['strasze']],
    ['ẞ', ['strasze']],
    // Final sigma: "ΣΊΣΥΦΟΣ" lower-cases to "σίσυφος"; the needle "ΣΊΣ" to "σίς", which it does not hold.
    ['σίσυφος', ['sisyphus']],
    ['ΦΟΣ', ['sisyphus']],
    ['ΣΊΣ', []],
    ['σίσ', ['sisyphus']],
    ['😀 s', ['smile']],
    ['GREAT APP', ['cut']],
    // Searching for mojibake: a lone surrogate is not U+FFFD.
    ['\ufffd', ['mojibake']],
    ['F\ufffd', ['mojibake']],
  ];
  it.each(cases)('contains %j', (needle, expected) => expectFilter(valueWorld(values), { op: 'contains', value: needle }, expected));
});

describe('value filters: gt/gte/lt/lte compare date strings as instants', () => {
  // T0 = 2026-03-01T00:00:00Z.
  const values = {
    z: '2026-03-01T00:00:00Z', // T0
    bare: '2026-03-01', // T0: a bare date is UTC midnight
    plus2h: '2026-03-01T01:00:00+02:00', // T0 - 1 h
    minus1h: '2026-02-28T23:30:00-01:00', // T0 + 30 min
    ms: '2026-03-01T00:00:00.001Z', // T0 + 1 ms
    impossible: '2026-02-30',
    noZone: '2026-03-01T00:00:00',
    epoch: Date.UTC(2026, 2, 1), // a number, not a date
    ancient: '0050-06-01', // the year 50, not 1950
  };
  const cases: [ValueFilter, string[]][] = [
    [{ op: 'gt', value: '2026-03-01' }, ['minus1h', 'ms']],
    [{ op: 'gte', value: '2026-03-01' }, ['z', 'bare', 'minus1h', 'ms']],
    [{ op: 'lt', value: '2026-03-01' }, ['plus2h', 'ancient']],
    [{ op: 'lte', value: '2026-03-01T02:00:00+02:00' }, ['z', 'bare', 'plus2h', 'ancient']],
    [{ op: 'gt', value: '2026-02-28T23:59:59.999Z' }, ['z', 'bare', 'minus1h', 'ms']],
    [{ op: 'lt', value: '2026-03-01T00:00:00-00:30' }, ['z', 'bare', 'plus2h', 'ms', 'ancient']],
    [{ op: 'lt', value: '1900-01-01' }, ['ancient']],
    [{ op: 'gt', value: '0050-05-31T23:59:59.999Z' }, ['z', 'bare', 'plus2h', 'minus1h', 'ms', 'ancient']],
    // eq compares strings, not instants.
    [{ op: 'eq', value: '2026-03-01' }, ['bare']],
    // An expected value that is not a date, and a number against date strings: false.
    [{ op: 'gt', value: '2026-02-30' }, []],
    [{ op: 'lt', value: '2026-03-02T00:00:00' }, []],
    [{ op: 'gt', value: 0 }, ['epoch']],
    [{ op: 'lte', value: Date.UTC(2026, 2, 1) }, ['epoch']],
  ];
  it.each(cases)('%j', (filter, expected) => expectFilter(valueWorld(values), filter, expected));
});

describe('nps: the latest NPS answer at or before asOf', () => {
  const nps = (user: string, ts: number, properties: Record<string, unknown> | null, id?: string): TestRecord => ({
    user,
    event: 'survey_answered',
    ts,
    properties,
    ...(id === undefined ? {} : { id }),
  });
  const records: TestRecord[] = [
    nps('promoter', A - 10 * DAY, { survey: 'nps', score: 9 }),
    nps('changed-mind', A - 10 * DAY, { survey: 'nps', score: 10 }),
    nps('changed-mind', A - DAY, { survey: 'nps', score: 3 }),
    nps('answers-later', A - DAY, { survey: 'nps', score: 3 }),
    nps('answers-later', A + 1, { survey: 'nps', score: 10 }),
    nps('then-csat', A - 10 * DAY, { survey: 'nps', score: 8 }),
    nps('then-csat', A - DAY, { survey: 'csat', score: 2 }),
    nps('csat-only', A - DAY, { survey: 'csat', score: 10 }),
    nps('ces-only', A - DAY, { survey: 'ces', score: 1 }),
    nps('invalid-later', A - 10 * DAY, { survey: 'nps', score: 6 }),
    nps('invalid-later', A - 5 * DAY, { survey: 'nps', score: 11 }),
    nps('invalid-later', A - 4 * DAY, { survey: 'nps', score: '10' }),
    nps('invalid-later', A - 3 * DAY, { survey: 'nps', score: 9.5 }),
    nps('invalid-later', A - 2 * DAY, { survey: 'nps', score: null }),
    nps('invalid-later', A - 2 * DAY + 1, { survey: 'nps', score: -1 }),
    nps('invalid-later', A - DAY, { survey: 'nps' }),
    nps('invalid-later', A - DAY + 1, null),
    // Same instant: the greater record id wins, whichever was written first.
    nps('tie-greater-first', A - DAY, { survey: 'nps', score: 9 }, 'tie1-b'),
    nps('tie-greater-first', A - DAY, { survey: 'nps', score: 0 }, 'tie1-a'),
    nps('tie-greater-second', A - DAY, { survey: 'nps', score: 9 }, 'tie2-a'),
    nps('tie-greater-second', A - DAY, { survey: 'nps', score: 7 }, 'tie2-b'),
    { user: 'never-answered', identify: { plan: 'pro' }, ts: A - DAY },
    nps('upper-case-survey', A - DAY, { survey: 'NPS', score: 10 }),
    nps('at-asof', A, { survey: 'nps', score: 8 }),
    { user: 'other-event', event: 'nps_answered', ts: A - DAY, properties: { survey: 'nps', score: 10 } },
    nps('boundaries', A - 3 * DAY, { survey: 'nps', score: 6 }),
    nps('boundaries', A - 2 * DAY, { survey: 'nps', score: 7 }),
    nps('boundaries', A - DAY, { survey: 'nps', score: 0 }),
  ];
  const category = (c: 'promoter' | 'passive' | 'detractor', negate = false): Rule =>
    all(negate ? { type: 'nps', category: c, negate } : { type: 'nps', category: c });

  it('promoters 9-10, passives 7-8, detractors 0-6; CSAT/CES, invalid scores and later answers never count', () => {
    const w = world(records);
    expectMembers(w, category('promoter'), A, ['promoter', 'tie-greater-first']);
    expectMembers(w, category('passive'), A, ['then-csat', 'tie-greater-second', 'at-asof']);
    expectMembers(w, category('detractor'), A, ['changed-mind', 'answers-later', 'invalid-later', 'boundaries']);
  });

  it('users who never answered match none, so a negated category includes them', () => {
    const w = world(records);
    const answered = ['promoter', 'tie-greater-first', 'then-csat', 'tie-greater-second', 'at-asof', 'changed-mind', 'answers-later', 'invalid-later', 'boundaries'];
    expectMembers(w, any({ type: 'nps', category: 'promoter' }, { type: 'nps', category: 'passive' }, { type: 'nps', category: 'detractor' }), A, answered);
    expectMembers(w, category('promoter', true), A, without(ids(w), 'promoter', 'tie-greater-first'));
  });

  it('as of an earlier instant, the answer that was latest then', () => {
    const w = world(records);
    expectMembers(w, category('promoter'), A - 5 * DAY, ['promoter', 'changed-mind']);
    expectMembers(w, category('passive'), A - 2 * DAY, ['then-csat', 'boundaries']);
    expectMembers(w, category('detractor'), A - 2 * DAY - 1, ['invalid-later', 'boundaries']);
  });

  it('both evaluators break a tie between non-ASCII record ids the same way', () => {
    // U+FF01 sorts after U+1F600 in UTF-16 code units (0xFF01 > 0xD83D) but before it in UTF-8
    // bytes and code points. Whichever order "greater" means, SQL and JS must mean the same.
    const w = world([
      nps('tie', A - DAY, { survey: 'nps', score: 10 }, '\uff01'),
      nps('tie', A - DAY, { survey: 'nps', score: 0 }, '😀'),
    ]);
    for (const c of ['promoter', 'detractor'] as const) {
      const both = w.evaluate(category(c), A);
      expect(both.sql, c).toEqual(both.js);
    }
  });
});

describe('survey: the latest answer to one question of a survey message (issue 18)', () => {
  const answer = (user: string, ts: number, properties: Record<string, unknown>, id?: string): TestRecord => ({
    user,
    event: 'survey_answered',
    ts,
    properties: { message_id: 'csat', response_id: `${user}-${ts}`, locale: 'en', ...properties },
    ...(id === undefined ? {} : { id }),
  });
  const sat = (score: unknown) => ({ question_id: 'sat', question_type: 'csat', survey: 'csat', score });
  const why = (value: Record<string, unknown>) => ({ question_id: 'why', question_type: 'single_choice', survey: 'single_choice', ...value });
  const records: TestRecord[] = [
    answer('unhappy', A - 3 * DAY, sat(2)),
    answer('recovered', A - 40 * DAY, sat(1)),
    answer('recovered', A - 2 * DAY, sat(5)),
    answer('old-unhappy', A - 40 * DAY, sat(2)),
    answer('later', A - DAY, sat(4)),
    answer('later', A + 1, sat(1)),
    answer('edge', A - 30 * DAY, sat(1)), // exactly 30 days back: outside "the last 30 days"
    answer('edge-in', A - 30 * DAY + 1, sat(1)),
    answer('text-score', A - DAY, sat('2')),
    answer('other-survey', A - DAY, { ...sat(1), message_id: 'nps-q1' }),
    answer('other-question', A - DAY, { ...sat(1), question_id: 'sat2' }),
    answer('price', A - DAY, why({ choice: 'price' })),
    answer('many', A - DAY, why({ choices: ['speed', 'price'] })),
    answer('changed', A - 5 * DAY, why({ choice: 'price' })),
    answer('changed', A - DAY, why({ choice: 'speed' })),
    answer('tie', A - DAY, sat(1), 'tie-b'),
    answer('tie', A - DAY, sat(5), 'tie-a'),
    { user: 'never', identify: { plan: 'pro' }, ts: A - DAY },
  ];
  const score = (range: { min?: number; max?: number }, extra: Partial<Condition> = {}): Rule =>
    all({ type: 'survey', message: 'csat', question: 'sat', score: range, ...extra } as Condition);

  it('a score range reads the latest answer at or before asOf; other surveys, questions and text scores never count', () => {
    const w = world(records);
    expectMembers(w, score({ max: 2 }), A, ['unhappy', 'old-unhappy', 'edge', 'edge-in', 'tie']);
    expectMembers(w, score({ min: 4 }), A, ['recovered', 'later']);
    expectMembers(w, score({ min: 2, max: 4 }), A, ['unhappy', 'old-unhappy', 'later']);
  });

  it('a window keeps to the answers of its last days; the boundary is open like every window', () => {
    const w = world(records);
    expectMembers(w, score({ max: 2 }, { withinDays: 30 }), A, ['unhappy', 'edge-in', 'tie']);
  });

  it('as of an earlier instant, the answer that was latest then', () => {
    const w = world(records);
    expectMembers(w, score({ max: 2 }), A - 10 * DAY, ['recovered', 'old-unhappy', 'edge', 'edge-in']);
  });

  it('a choice matches a single choice or one of several', () => {
    const w = world(records);
    const choice = (id: string): Rule => all({ type: 'survey', message: 'csat', question: 'why', choice: id });
    expectMembers(w, choice('price'), A, ['price', 'many']);
    expectMembers(w, choice('speed'), A, ['many', 'changed']);
  });

  it('negated, it holds for everyone whose latest answer misses, and everyone without one', () => {
    const w = world(records);
    expectMembers(w, score({ max: 2 }, { negate: true }), A, without(ids(w), 'unhappy', 'old-unhappy', 'edge', 'edge-in', 'tie'));
  });

  it('describes itself in words', () => {
    expect(describeRule(score({ max: 2 }, { withinDays: 30 }))).toBe('Users whose latest answer to “sat” in survey “csat” in the last 30 days is at most 2');
    expect(describeRule(all({ type: 'survey', message: 'csat', question: 'why', choice: 'price', negate: true }))).toBe(
      'Users whose latest answer to “why” in survey “csat” does not include the choice “price”, or who gave none',
    );
    expect(describeRule(score({ min: 1, max: 3 }))).toBe('Users whose latest answer to “sat” in survey “csat” is from 1 to 3');
  });

  it('refuses a condition with neither or both of a score range and a choice, or an upside-down range', () => {
    for (const bad of [
      { type: 'survey', message: 'csat', question: 'sat' },
      { type: 'survey', message: 'csat', question: 'sat', score: { max: 2 }, choice: 'a' },
      { type: 'survey', message: 'csat', question: 'sat', score: {} },
      { type: 'survey', message: 'csat', question: 'sat', score: { min: 3, max: 2 } },
    ]) {
      expect(parseRule({ version: 1, match: 'all', conditions: [bad] }).ok, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('groups and negation', () => {
  const records: TestRecord[] = [
    { user: 'pro-pinged', identify: { plan: 'pro' }, ts: A - DAY },
    { user: 'pro-pinged', event: 'ping', ts: A - DAY },
    { user: 'pro-silent', identify: { plan: 'pro' }, ts: A - DAY },
    { user: 'free-pinged', identify: { plan: 'free' }, ts: A - DAY },
    { user: 'free-pinged', event: 'ping', ts: A - DAY },
    { user: 'free-silent', identify: { plan: 'free' }, ts: A - DAY },
  ];
  const pro: Condition = { type: 'trait', trait: 'plan', op: 'eq', value: 'pro' };
  const pinged: Condition = { type: 'event', event: 'ping', op: '>=', count: 1 };

  it('all, any, and negated groups', () => {
    const w = world(records);
    expectMembers(w, all(pro, pinged), A, ['pro-pinged']);
    expectMembers(w, any(pro, pinged), A, ['pro-pinged', 'pro-silent', 'free-pinged']);
    expectMembers(w, all(group('all', [pro, pinged], true)), A, ['pro-silent', 'free-pinged', 'free-silent']);
    expectMembers(w, all(group('any', [pro, pinged], true)), A, ['free-silent']);
    expectMembers(w, all(group('all', [pro, pinged], false)), A, ['pro-pinged']);
    // A negated group of negated conditions: not (not pro and not pinged) = pro or pinged.
    expectMembers(w, all(group('all', [{ ...pro, negate: true }, { ...pinged, negate: true }], true)), A, ['pro-pinged', 'pro-silent', 'free-pinged']);
    // Nested: pro and not (pinged or not pro) = pro and silent.
    expectMembers(w, all(pro, group('any', [pinged, group('all', [pro], true)], true)), A, ['pro-silent']);
  });

  it('an empty all-group is true and an empty any-group false, negated or not, at any depth', () => {
    const w = world(records);
    const everyone = ids(w);
    expectMembers(w, all(), A, everyone);
    expectMembers(w, any(), A, []);
    expectMembers(w, all(group('all', [])), A, everyone);
    expectMembers(w, all(group('any', [])), A, []);
    expectMembers(w, all(group('all', [], true)), A, []);
    expectMembers(w, all(group('any', [], true)), A, everyone);
    expectMembers(w, any(pro, group('any', [])), A, ['pro-pinged', 'pro-silent']);
    expectMembers(w, all(pro, group('all', [group('any', [group('all', [])])])), A, ['pro-pinged', 'pro-silent']);
    expectMembers(w, all(pinged, group('all', [group('any', [], true)], true)), A, []);
  });
});

describe('segment references', () => {
  const records: TestRecord[] = [
    { user: 'pro-pinged', identify: { plan: 'pro' }, ts: A - DAY },
    { user: 'pro-pinged', event: 'ping', ts: A - DAY },
    { user: 'pro-silent', identify: { plan: 'pro' }, ts: A - DAY },
    { user: 'free-pinged', identify: { plan: 'free' }, ts: A - DAY },
    { user: 'free-pinged', event: 'ping', ts: A - DAY },
  ];
  const pro: Condition = { type: 'trait', trait: 'plan', op: 'eq', value: 'pro' };
  const pinged: Condition = { type: 'event', event: 'ping', op: '>=', count: 1 };

  it('a reference evaluates as the saved rule, negated or nested', () => {
    const w = world(records);
    const pros = w.service.save({ name: 'Pro plans', rule: all(pro) });
    const active = w.service.save({ name: 'Active pros', rule: all({ type: 'segment', segment: pros.id }, pinged) });
    expectMembers(w, all({ type: 'segment', segment: pros.id }), A, ['pro-pinged', 'pro-silent']);
    expectMembers(w, all({ type: 'segment', segment: pros.id, negate: true }), A, ['free-pinged']);
    expectMembers(w, all({ type: 'segment', segment: active.id }), A, ['pro-pinged']);
    expectMembers(w, any({ type: 'segment', segment: active.id, negate: true }), A, ['pro-silent', 'free-pinged']);
    expect(active.sentence).toBe('Users who are in “Pro plans” and did ping');
    expect(w.service.inline(all({ type: 'segment', segment: active.id })).conditions).toEqual([
      { type: 'group', match: 'all', conditions: [{ type: 'group', match: 'all', conditions: [pro] }, pinged] },
    ]);
  });

  it('a cycle is refused when saving, and the saved rule stays as it was', () => {
    const w = world(records);
    const a = w.service.save({ name: 'A', rule: all(pro) });
    const b = w.service.save({ name: 'B', rule: all({ type: 'segment', segment: a.id }) });
    const refuse = (rule: Rule): ApiError => {
      try {
        w.service.save({ id: a.id, name: 'A', rule });
      } catch (err) {
        return err as ApiError;
      }
      throw new Error('saved a cycle');
    };
    const viaB = refuse(all({ type: 'segment', segment: b.id }));
    expect(viaB).toBeInstanceOf(ApiError);
    expect(viaB.code).toBe('invalid_argument');
    expect(viaB.message).toBe(`The segment cannot be saved: segments refer to each other in a cycle: ${b.id} → ${a.id} → ${b.id}.`);
    const itself = refuse(any(pinged, group('all', [{ type: 'segment', segment: a.id, negate: true }])));
    expect(itself.message).toMatch(/cycle/);
    expect(w.service.get(a.id).rule).toEqual(all(pro));
    expectMembers(w, all({ type: 'segment', segment: b.id }), A, ['pro-pinged', 'pro-silent']);
  });

  it('references cannot multiply a rule past what SQLite runs: saving refuses it, or it counts', () => {
    // Each saved rule is small; inlined, S2 is 60 × 100 list conditions. A cap on one rule's size
    // alone would not catch this: the size that matters is after inlining.
    const w = world(records);
    const s0 = w.service.save({ name: 'S0', rule: all({ type: 'trait', trait: 'plan', op: 'in', value: ['x', 1] }) });
    const s1 = w.service.save({ name: 'S1', rule: all(...Array.from({ length: 100 }, (): Condition => ({ type: 'segment', segment: s0.id }))) });
    let s2: SavedSegment;
    try {
      s2 = w.service.save({ name: 'S2', rule: any(...Array.from({ length: 60 }, (): Condition => ({ type: 'segment', segment: s1.id, negate: true }))) });
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      return;
    }
    // Saved: then it must count (one query: the statement is megabytes long). Everyone is in S2.
    expect(w.service.memberIds(all({ type: 'segment', segment: s2.id }), A)).toEqual(['free-pinged', 'pro-pinged', 'pro-silent']);
  });

  it('a reference to a deleted segment is an error, not an empty set', () => {
    const w = world(records);
    const a = w.service.save({ name: 'A', rule: all(pro) });
    w.service.delete(a.id);
    expect(() => w.service.count(all({ type: 'segment', segment: a.id }), A)).toThrow(/no longer exists/);
  });
});

describe('parseRule: errors that name the condition', () => {
  const ev = { type: 'event', event: 'report_run', op: '>=', count: 1 };
  it.each([
    [{ version: 1, match: 'all', conditions: [ev, { ...ev, count: -1 }] }, 'condition 2 › count: cannot be negative'],
    [{ version: 1, match: 'all', conditions: [{ ...ev, count: 1.5 }] }, 'condition 1 › count: must be a whole number'],
    [
      { version: 1, match: 'any', conditions: [{ type: 'group', match: 'all', conditions: [ev, { type: 'last_seen', op: 'within', days: 2.5 }] }] },
      'condition 1 › condition 2 › days: must be a whole number of days',
    ],
    [{ version: 1, match: 'all', conditions: [{ type: 'first_seen', op: 'before', days: 0 }] }, 'condition 1 › days: must be at least 1'],
    [
      { version: 1, match: 'all', conditions: [{ ...ev, where: [{ property: 'a', op: 'exists' }, { property: 'b', op: 'contains', value: 3 }] }] },
      'condition 1 › filter 2 › value: "contains" compares text: give a string',
    ],
    [{ version: 1, match: 'all', conditions: [ev, ev, { type: 'trait', trait: 'plan', op: 'gt', value: true }] }, 'condition 3 › value: "gt" compares numbers or dates, not true/false'],
    [{ version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'exists', value: 'x' }] }, 'condition 1 › value: "exists" takes no value'],
    [{ version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'in', value: 'pro' }] }, 'condition 1 › value: "in" needs a list of values'],
    [{ version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'eq' }] }, 'condition 1 › value: "eq" needs one value'],
    [{ version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'a"b', op: 'exists' }] }, 'condition 1 › trait: may not contain quotes, backslashes or control characters'],
    [{ version: 2, match: 'all', conditions: [] }, 'version: version must be 1'],
    [{ version: 1, match: 'all', conditions: [{ type: 'account', trait: 'plan', op: 'in', value: 'pro' }] }, 'condition 1 › value: "in" needs a list of values'],
    [{ version: 1, match: 'all', conditions: [{ type: 'account', trait: '', op: 'exists' }] }, 'condition 1 › trait: must not be empty'],
    [{ version: 1, match: 'all', conditions: [{ type: 'account', trait: 'plan', op: 'eq', value: 'x', groupId: 'acme' }] }, 'condition 1: Unrecognized key: "groupId"'],
  ])('%j → %s', (input, message) => {
    const parsed = parseRule(input);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.errors).toContain(message);
  });

  it('accepts an account condition shaped like a trait condition, negated or not, with every value operator', () => {
    const rule = all(
      { type: 'account', trait: 'plan', op: 'eq', value: 'enterprise' },
      { type: 'account', trait: 'seats', op: 'gte', value: 100, negate: true },
      { type: 'account', trait: 'region', op: 'in', value: ['eu', 'us'] },
      { type: 'account', trait: 'plan', op: 'not_exists' },
      group('any', [{ type: 'account', trait: 'name', op: 'contains', value: 'Acme' }]),
    );
    expect(parseRule(rule)).toEqual({ ok: true, rule });
  });

  it('rejects groups nested deeper than 8', () => {
    let c: Condition = { type: 'nps', category: 'promoter' };
    for (let i = 0; i < 7; i++) c = group('all', [c]);
    expect(parseRule(all(c)).ok).toBe(true);
    expect(parseRule(all(group('any', [c])))).toEqual({ ok: false, errors: ['rule: groups nest more than 8 deep'] });
  });

  it('refuses a rule nesting 2,000 groups with a reason, not a stack overflow (zod used to recurse first)', () => {
    let c: Condition = { type: 'nps', category: 'promoter' };
    for (let i = 0; i < 2000; i++) c = group('all', [c]);
    expect(parseRule(all(c))).toEqual({
      ok: false,
      errors: ['rule: the rule nests objects and arrays more than 64 levels deep, far more than groups may nest (8)'],
    });
  });

  it('saving an invalid rule says where it is wrong', () => {
    const { db } = tempCache();
    const w = buildWorld(db, []);
    expect(() => w.service.save({ name: 'Bad', rule: { version: 1, match: 'all', conditions: [ev, { ...ev, count: -1 }] } })).toThrow(
      'The rule is not valid: condition 2 › count: cannot be negative.',
    );
  });
});

describe('describeRule', () => {
  const ev = (event: string, op: '>=' | '>' | '=' | '!=' | '<=' | '<', count: number, days?: number): Condition =>
    days === undefined ? { type: 'event', event, op, count } : { type: 'event', event, op, count, within: { days } };

  it('reads a rule as a sentence', () => {
    expect(describeRule(all(ev('report_run', '>=', 6, 30), ev('invite_sent', '=', 0)))).toBe(
      'Users who did report_run at least 6 times in the last 30 days and never did invite_sent',
    );
    expect(describeRule(any(ev('login', '>=', 1, 1), ev('login', '<', 1)))).toBe('Users who did login in the last 1 day or never did login');
    expect(describeRule(all(ev('export', '=', 1), ev('export', '>', 2), ev('export', '<=', 1_000)))).toBe(
      'Users who did export exactly once and did export more than twice and did export at most 1,000 times',
    );
    expect(describeRule(all({ type: 'nps', category: 'promoter' }, { type: 'nps', category: 'detractor', negate: true }))).toBe(
      'Users who are NPS promoters and are not NPS detractors',
    );
    expect(describeRule(all(group('any', [{ type: 'trait', trait: 'plan', op: 'in', value: ['pro', 'team'] }, ev('upgrade', '>=', 1)], true)))).toBe(
      'Users whose plan is none of “pro” or “team” and who never did upgrade',
    );
    expect(describeRule(all())).toBe('All users');
    expect(describeRule(any())).toBe('No users');
  });

  it('says what the rule means at the edges: a count that holds for everyone, a negated empty group', () => {
    // ">= 0" holds for everyone, including those who never did it: not "did report_run".
    expect(describeRule(all(ev('report_run', '>=', 0)))).not.toBe('Users who did report_run');
    // A negated empty any-group is everyone, a negated empty all-group no one.
    expect(describeRule(all(group('any', [], true)))).toBe(describeRule(all(group('all', []))));
    expect(describeRule(all(group('all', [], true)))).toBe(describeRule(all(group('any', []))));
  });
});

describe('rules the schema accepts run in SQLite', () => {
  const records: TestRecord[] = [
    { user: 'pro', identify: { plan: 'v999' }, ts: A - DAY },
    { user: 'pro', event: 'ping', ts: A - DAY, properties: { plan: 'v999' } },
    { user: 'free', identify: { plan: 'free' }, ts: A - DAY },
  ];
  const values = (n: number): string[] => Array.from({ length: n }, (_, i) => `v${i}`);

  it('an in-list of 1,000 values (the most a filter takes)', () => {
    const w = world(records);
    const rule = all({ type: 'trait', trait: 'plan', op: 'in', value: values(1000) });
    expect(parseRule(rule).ok).toBe(true);
    expectMembers(w, rule, A, ['pro']);
    expectMembers(w, all({ type: 'event', event: 'ping', op: '=', count: 0, where: [{ property: 'plan', op: 'not_in', value: values(1000) }] }), A, ['pro', 'free']);
  });

  it('many list filters in one rule (tens of thousands of values in all)', () => {
    const w = world(records);
    const rule = all(...Array.from({ length: 40 }, (): Condition => ({ type: 'trait', trait: 'plan', op: 'not_in', value: [...values(299), 'v999'] })));
    expect(parseRule(rule).ok).toBe(true);
    expectMembers(w, rule, A, ['free']);
  });

  it('a rule of 6,000 conditions (60 groups of 100; the schema takes 100 of 100): it counts, or parseRule refuses it', () => {
    const w = world(records);
    const rule = all(
      ...Array.from({ length: 60 }, (_, g): Condition =>
        group('any', Array.from({ length: 100 }, (_, i): Condition => ({ type: 'trait', trait: 'plan', op: 'in', value: [`x${g}-${i}`, i] })), true),
      ),
    );
    const parsed = parseRule(rule);
    // Refusing it with a message is fine; accepting it and then failing in SQLite is not. (One
    // query, not expectMembers' six: the statement is megabytes long.)
    if (parsed.ok) {
      expect(w.service.memberIds(parsed.rule, A)).toEqual(['free', 'pro']);
      expect([...w.profiles].filter(([, profile]) => matchesRule(parsed.rule, profile, A)).map(([id]) => id)).toEqual(['pro', 'free']);
    } else expect(parsed.errors.join('; ')).toMatch(/condition/);
  });
});
