/**
 * The two segment evaluators must always agree: the SQL compiler over the cache (SegmentService)
 * and the JS evaluator over one user's profile (matchesRule). fast-check generates small caches and
 * rules; each case is written into a real SQLite cache file (plain INSERTs, with users' first/last
 * seen and merged traits as the writer keeps them, and the daily rollup that the compiler reads to
 * pick its plan, sometimes inflated so that it scans rather than probes; half the cases read the
 * per-(name, user) event summary where it answers, half the events alone; independently, half read the
 * per-(name, key) property values for the filters they answer), and the members, count and
 * universe of the one are compared with the other's, for the rule and for every condition in it.
 * Users belong to generated accounts (none, one or several), whose traits account conditions ask about.
 * The hand-made cases of segments-semantics.test.ts pin what the answers must be.
 *
 * The delivery server's profile store (src/delivery/profile-store.ts) joins the comparison: the same records,
 * ingested in write order (not time order) into a real delivery database, make profiles that decide's
 * evaluator must judge as the SQL compiler does while each user's events of a name are under the cap;
 * and, under a cap of 3 with histories past it, as the evaluator judges the newest 3 events of each name
 * (first and last seen and the latest NPS answer stay exact). The in-memory copy the profile cache keeps
 * up to date as records arrive must equal what the store loads.
 *
 * Seeded, so a run is reproducible. GUIDEPOST_DEEP=1 (npm run test:deep) runs many more cases;
 * GUIDEPOST_SEGMENT_RUNS=n and GUIDEPOST_SEGMENT_SEED=n set the number of cases and the seed.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openDeliveryDb, type DeliveryDb } from '../../src/delivery/db';
import { evaluatorProfile, neededEventNames, type DecideProfile } from '../../src/delivery/decide';
import { compareEvents, DEFAULT_PROFILE_EVENTS_PER_NAME } from '../../src/delivery/profile-store';
import { ProfileCache } from '../../src/delivery/profiles';
import { createStore } from '../../src/delivery/store';
import { openCache } from '../../src/main/db/connection';
import { SegmentService } from '../../src/main/segments/service';
import { describeRule } from '../../src/shared/segments/describe';
import { matchesRule, type UserProfile } from '../../src/shared/segments/evaluate';
import { npsScore } from '../../src/shared/segments/values';
import { COUNT_OPS, parseRule, type Condition, type Rule, type Scalar } from '../../src/shared/segments/rule';
import type { NormalizedRecord } from '../../src/shared/event-spec';
import { storeProfileSource } from './delivery-helpers';
import { useTempDir } from './helpers';
import { addAccounts, clearCache, DAY, DirectWriter, evaluateBoth, profilesOf, writeAccounts, type TestAccount } from './segments-helpers';

const DEEP = process.env.GUIDEPOST_DEEP === '1';
const NUM_RUNS = Number(process.env.GUIDEPOST_SEGMENT_RUNS ?? (DEEP ? 50_000 : 2_500));
const SEED = Number(process.env.GUIDEPOST_SEGMENT_SEED ?? 42);

/** The instant the generated data clusters around; cases are evaluated at it or close to it. */
const ASOF = Date.UTC(2026, 2, 1, 12);

// ---------------------------------------------------------------------------------------------
// Values: text (ASCII and not, case pairs that JS lower-cases in surprising ways), numbers,
// numeric and boolean-looking strings, date strings (with offsets, bare, invalid), booleans.

const TEXTS = [
  'pro', 'Pro', 'PRO', 'free', '', ' ', 'ÉCOLE', 'école', 'ecole', 'İstanbul', 'istanbul', 'DIYARBAKIR', 'ıspanak',
  'STRASSE', 'straße', 'ΣΊΣΥΦΟΣ', 'σίσυφος', '😀 smile', '東京', '10', '1', '0', '-1', '1.5', '1e1', 'true', 'false', 'null',
  // Cut in the middle of an emoji (a lone surrogate), and a real replacement character.
  'Great app \ud83d', 'caf\ufffd',
  // The JSON texts of the arrays and objects in the data: SQL must not find a string equal to them.
  '[1,"pro"]', '{"plan":"pro"}', '[]',
];
const DATES = [
  '2026-03-01', '2026-02-28', '2026-03-02', '2026-03-01T00:00:00Z', '2026-03-01T12:00:00Z', '2026-03-01T00:00:00.001Z',
  '2026-02-28T23:59:59.999Z', '2026-03-01T01:00:00+01:00', '2026-02-28T23:00:00-01:00', '2026-03-01T05:30:00+05:30',
  '2026-03-01T12:00Z', '2026-01-15T10:00:00+14:00', '2025-12-31T23:59:59-12:00', '2024-02-29', '0050-06-01', '1950-06-01',
  // Not dates: an impossible day, no zone, a space for T, a lower-case t, a bad offset.
  '2026-02-29', '2026-03-01T00:00:00', '2026-03-01 00:00:00Z', '2026-03-01t00:00:00Z', '2026-03-01T00:00:00+24:00',
];
const NUMBERS = [0, 1, -1, 1.5, 9, 10, 10.5, 20260301, 1e21, -0.25, Date.UTC(2026, 2, 1)];
const CONTAINS = [
  'é', 'É', 'ÉCO', 'école', 'ecole', 'İ', 'i̇', 'İST', 'istanbul', 'I', 'ı', 'i', 'ss', 'SS', 'ß', 'ẞ', 'σ', 'ς', 'Σ', 'ΣΊΣ', 'ΦΟΣ',
  '😀', 'SMILE', '京', '1', '0', '', ' ', 'pro', 'R', 'T00', '+01:00', '-', '\ufffd', 'APP',
];

/** A few values come up often, in the data and in rules alike, so that rules select some users, not none or all. */
const HOT_TEXTS = ['pro', 'Pro', 'free', 'ÉCOLE', 'straße', 'Great app \ud83d', '10', ''];
const HOT_DATES = ['2026-03-01', '2026-03-01T00:00:00Z', '2026-03-01T01:00:00+01:00', '2026-02-28T23:00:00-01:00'];
const HOT_NUMBERS = [0, 1, 10];
const textArb = fc.oneof(fc.constantFrom(...HOT_TEXTS), fc.constantFrom(...TEXTS));
const dateArb = fc.oneof(fc.constantFrom(...HOT_DATES), fc.constantFrom(...DATES));
const numberArb = fc.oneof(fc.constantFrom(...HOT_NUMBERS), fc.constantFrom(...NUMBERS), fc.integer({ min: -3, max: 12 }));
const scalarArb: fc.Arbitrary<Scalar> = fc.oneof(textArb, dateArb, numberArb, fc.boolean());

/** A JSON value in the data: any scalar, JSON null, or (rarely) an array or an object. */
const dataValueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: scalarArb },
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>([1, 'pro'], { plan: 'pro' }, []) },
);

// Keys: "a.b" and "clé" test JSON paths; "constructor" is a real key in the data; "toString" and
// "missing" never are (the JS side must not find Object.prototype members).
const PROPERTY_KEYS = ['plan', 'n', 'flag', 'when', 'label', 'a.b', 'clé', 'constructor'];
const TRAIT_KEYS = ['plan', 'seats', 'beta', 'signup', 'company', 'a.b', 'ñame', 'constructor'];
const QUERY_ONLY_KEYS = ['missing', 'toString'];

function objectArb(keys: string[], maxLength: number): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .uniqueArray(fc.tuple(fc.constantFrom(...keys), dataValueArb), { selector: ([key]) => key, maxLength })
    .map((entries) => Object.fromEntries(entries));
}

// ---------------------------------------------------------------------------------------------
// Data: users with events, NPS/CSAT answers and identify calls at instants clustered around asOf
// and on exact window edges (asOf - k days, ± 1 ms).

const EDGE_DAYS = [0, 1, 2, 3, 7, 14, 30, 90];
const EVENT_NAMES = ['report_run', 'invite_sent', 'page_viewed', 'café_ordered'];
const NPS_EVENT = 'survey_answered';

const tsArb = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...EDGE_DAYS), fc.constantFrom(-1, 0, 1)).map(([k, d]) => ASOF - k * DAY + d) },
  { weight: 3, arbitrary: fc.integer({ min: -100 * DAY, max: 0 }).map((o) => ASOF + o) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 10 * DAY }).map((o) => ASOF + o) },
);
/** Survey answers fall on few instants, so that ties (same user, same ts) happen. */
const surveyTsArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(ASOF - DAY, ASOF - 1, ASOF, ASOF + 1) },
  { weight: 1, arbitrary: tsArb },
);
const surveyArb = fc.record(
  {
    survey: fc.constantFrom<unknown>('nps', 'nps', 'nps', 'nps', 'csat', 'ces', 'NPS', null),
    score: fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 0, max: 10 }) },
      { weight: 2, arbitrary: fc.constantFrom<unknown>(11, -1, 7.5, '9', '10', null, true, 1e21) },
    ),
    plan: dataValueArb,
    // A `survey` message's answers (issue 18): the survey condition reads these, wrong types included.
    message_id: fc.constantFrom<unknown>('m1', 'm1', 'm2', 5, null),
    question_id: fc.constantFrom<unknown>('q1', 'q1', 'q2', null),
    choice: fc.constantFrom<unknown>('a', 'b', 1, null, ['a']),
    choices: fc.constantFrom<unknown>(['a'], ['a', 'b'], ['b'], [], 'a', [1], null, { a: 'a' }),
  },
  { requiredKeys: ['survey'] },
);
/**
 * Record ids: a prefix and the record's number (ids must be unique). The prefix decides NPS ties,
 * so some are non-ASCII, on either side of the surrogate range.
 */
const idPrefixArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', 'm', 'Z', '0', 'msg-') },
  { weight: 1, arbitrary: fc.constantFrom('é', '\uff01', '😀', '\ue000') },
);
/** Survey answers tie often (same user, same instant), so their ids take every kind of prefix alike. */
const surveyIdPrefixArb = fc.constantFrom('a', 'b', 'é', '\uff01', '😀', '\ue000');

interface GenRecord {
  kind: 'event' | 'survey' | 'identify';
  name: string;
  ts: number;
  data: Record<string, unknown> | null;
  idPrefix: string;
  /** Where it lands in the write order. */
  rank: number;
}

const eventArb: fc.Arbitrary<GenRecord> = fc.record({
  kind: fc.constant('event' as const),
  name: fc.constantFrom(...EVENT_NAMES),
  ts: tsArb,
  data: fc.option(objectArb(PROPERTY_KEYS, 4), { nil: null }),
  idPrefix: idPrefixArb,
  rank: fc.nat(1000),
});
const surveyRecordArb: fc.Arbitrary<GenRecord> = fc.record({
  kind: fc.constant('survey' as const),
  name: fc.constant(NPS_EVENT),
  ts: surveyTsArb,
  data: surveyArb,
  idPrefix: surveyIdPrefixArb,
  rank: fc.nat(1000),
});
const identifyArb: fc.Arbitrary<GenRecord> = fc.record({
  kind: fc.constant('identify' as const),
  name: fc.constant(''),
  ts: tsArb,
  data: fc.option(objectArb(TRAIT_KEYS, 4), { nil: null }),
  idPrefix: idPrefixArb,
  rank: fc.nat(1000),
});

type UserMode = 'mixed' | 'identify-only' | 'late';
const userArb = fc.record({
  mode: fc.constantFrom<UserMode>('mixed', 'mixed', 'mixed', 'mixed', 'mixed', 'identify-only', 'late'),
  identifies: fc.array(identifyArb, { maxLength: 2 }),
  events: fc.array(eventArb, { maxLength: 7 }),
  surveys: fc.array(surveyRecordArb, { maxLength: 3 }),
});
type GenUser = typeof userArb extends fc.Arbitrary<infer U> ? U : never;

/**
 * The records of a generated cache, in write order, as normalizeRecord would make them (built
 * directly: the generator only makes valid records, and this runs thousands of times).
 */
function recordsOf(users: GenUser[], asOf: number, future: boolean): NormalizedRecord[] {
  const all: (GenRecord & { user: string })[] = [];
  users.forEach((u, i) => {
    const user = `u${String(i).padStart(2, '0')}`;
    let records = [...u.identifies, ...(u.mode === 'identify-only' ? [] : [...u.events, ...u.surveys])];
    // A late user's records all come after the data's asOf.
    if (u.mode === 'late') records = records.map((r) => ({ ...r, ts: r.ts > ASOF ? r.ts : ASOF + 1 + ((ASOF - r.ts) % (5 * DAY)) }));
    // Without a future, every user's last record is at or before asOf (the compiler then reads users.last_seen).
    if (!future) records = records.filter((r) => r.ts <= asOf);
    for (const r of records) all.push({ ...r, user });
  });
  all.sort((a, b) => a.rank - b.rank);
  return all.map((r, i): NormalizedRecord => ({
    kind: r.kind === 'identify' ? 'identify' : 'event',
    id: `${r.idPrefix}${i}`,
    userId: r.user,
    name: r.name,
    ts: r.ts,
    // normalizeRecord stores empty properties and traits as null.
    data: r.data !== null && Object.keys(r.data).length > 0 ? r.data : null,
  }));
}

// ---------------------------------------------------------------------------------------------
// Rules: every condition type but segment, every count and value operator, values of matching and
// mismatching types, nested and negated groups up to three deep.

const DAYS_ARB = fc.oneof(fc.constantFrom(1, 2, 3, 7, 14, 30, 90), fc.integer({ min: 1, max: 120 }));
const negateArb = fc.constantFrom<boolean | undefined>(undefined, undefined, undefined, true, false);

/** Drops keys whose value is undefined: the rules are what a user would write in JSON. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const valueFilterArb = fc.oneof(
  fc.record({ op: fc.constantFrom('eq' as const, 'neq' as const), value: scalarArb }),
  fc.record({ op: fc.constantFrom('in' as const, 'not_in' as const), value: fc.array(scalarArb, { maxLength: 4 }) }),
  fc.record({ op: fc.constant('contains' as const), value: fc.oneof(fc.constantFrom(...CONTAINS), textArb, dateArb) }),
  fc.record({ op: fc.constantFrom('gt' as const, 'gte' as const, 'lt' as const, 'lte' as const), value: fc.oneof(numberArb, dateArb, textArb) }),
  fc.record({ op: fc.constantFrom('exists' as const, 'not_exists' as const) }),
);

/** Property filters lean to eq and in, the ones event_property_values answers (in half the cases). */
const whereFilterArb = fc.oneof(
  { weight: 2, arbitrary: valueFilterArb },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('eq' as const), value: scalarArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('in' as const), value: fc.array(scalarArb, { minLength: 1, maxLength: 4 }) }) },
);

const eventConditionArb: fc.Arbitrary<Condition> = fc
  .record({
    event: fc.constantFrom(...EVENT_NAMES, NPS_EVENT, 'ghost'),
    op: fc.constantFrom(...COUNT_OPS),
    count: fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 0, max: 4 })),
    within: fc.option(DAYS_ARB.map((days) => ({ days })), { nil: undefined }),
    where: fc.option(
      fc.array(
        fc.tuple(fc.constantFrom(...PROPERTY_KEYS, ...QUERY_ONLY_KEYS, 'survey', 'score'), whereFilterArb).map(([property, f]) => ({ property, ...f })),
        { minLength: 0, maxLength: 3 },
      ),
      { nil: undefined },
    ),
    negate: negateArb,
  })
  .map((c) => defined({ type: 'event' as const, ...c }));

const seenConditionArb: fc.Arbitrary<Condition> = fc
  .record({
    type: fc.constantFrom('first_seen' as const, 'last_seen' as const),
    op: fc.constantFrom('within' as const, 'before' as const),
    days: DAYS_ARB,
    negate: negateArb,
  })
  .map(defined);

const traitConditionArb: fc.Arbitrary<Condition> = fc
  .tuple(fc.constantFrom(...TRAIT_KEYS, ...QUERY_ONLY_KEYS), valueFilterArb, negateArb)
  .map(([trait, f, negate]) => defined({ type: 'trait' as const, trait, ...f, negate }));

// Account conditions ask about the same keys as traits do, so a user trait cannot stand in for an account's.
const accountConditionArb: fc.Arbitrary<Condition> = fc
  .tuple(fc.constantFrom(...TRAIT_KEYS, ...QUERY_ONLY_KEYS), valueFilterArb, negateArb)
  .map(([trait, f, negate]) => defined({ type: 'account' as const, trait, ...f, negate }));

const npsConditionArb: fc.Arbitrary<Condition> = fc
  .record({ category: fc.constantFrom('promoter' as const, 'passive' as const, 'detractor' as const), negate: negateArb })
  .map((c) => defined({ type: 'nps' as const, ...c }));

/** The survey messages answers and conditions name ('m1', 'm2'); the delivery cases store them as messages. */
const SURVEY_MESSAGES = ['m1', 'm2'];
const boundArb = fc.option(fc.oneof(fc.integer({ min: -1, max: 11 }), fc.constant(7.5)), { nil: undefined });
const surveyConditionArb: fc.Arbitrary<Condition> = fc
  .record({
    message: fc.constantFrom('m1', 'm1', 'm2'),
    question: fc.constantFrom('q1', 'q1', 'q2'),
    test: fc.oneof(
      fc
        .tuple(boundArb, boundArb)
        .filter(([a, b]) => a !== undefined || b !== undefined)
        .map(([a, b]) => (a !== undefined && b !== undefined && a > b ? [b, a] : [a, b]))
        .map(([min, max]) => ({ score: defined({ min, max }) })),
      fc.constantFrom('a', 'b').map((choice) => ({ choice })),
    ),
    withinDays: fc.option(DAYS_ARB, { nil: undefined }),
    negate: negateArb,
  })
  .map(({ test, ...c }) => defined({ type: 'survey' as const, ...c, ...test }));

/** Every condition but survey answers (the cases weight those apart). */
const deliveryLeafArb: fc.Arbitrary<Condition> = fc.oneof(
  { weight: 4, arbitrary: eventConditionArb },
  { weight: 2, arbitrary: seenConditionArb },
  { weight: 4, arbitrary: traitConditionArb },
  { weight: 3, arbitrary: accountConditionArb },
  { weight: 2, arbitrary: npsConditionArb },
);
const leafArb: fc.Arbitrary<Condition> = fc.oneof({ weight: 15, arbitrary: deliveryLeafArb }, { weight: 2, arbitrary: surveyConditionArb });

function conditionArb(depth: number, leaf = leafArb): fc.Arbitrary<Condition> {
  if (depth === 0) return leaf;
  const group = fc
    .record({ match: fc.constantFrom('all' as const, 'any' as const), conditions: fc.array(conditionArb(depth - 1, leaf), { maxLength: 3 }), negate: negateArb })
    .map((g) => defined({ type: 'group' as const, ...g }));
  return fc.oneof({ weight: 3, arbitrary: leaf }, { weight: 1, arbitrary: group });
}

const ruleArbOf = (leaf: fc.Arbitrary<Condition>): fc.Arbitrary<Rule> =>
  fc.record({
    version: fc.constant(1 as const),
    match: fc.constantFrom('all' as const, 'any' as const),
    conditions: fc.array(conditionArb(3, leaf), { minLength: 1, maxLength: 3 }),
  });
const ruleArb = ruleArbOf(leafArb);

/**
 * Accounts: traits on the users' keys, and members by user number (a number past the generated users,
 * or a user without records, is dropped): users in none, one or several accounts, accounts without members.
 */
const accountArb = fc.record({
  traits: objectArb(TRAIT_KEYS, 4),
  members: fc.uniqueArray(fc.nat(45), { maxLength: 6 }),
});

const caseArb = fc.record({
  users: fc.array(userArb, { minLength: 1, maxLength: 40, size: 'medium' }),
  accounts: fc.array(accountArb, { maxLength: 4 }),
  rule: ruleArb,
  // Whole days and single milliseconds away from ASOF keep the data's window edges on the rule's.
  asOf: fc.constantFrom(ASOF, ASOF, ASOF, ASOF, ASOF - DAY, ASOF - 1, ASOF + 1, ASOF + 7 * DAY),
  future: fc.boolean(),
  // The daily rollup as the data makes it (the compiler probes per candidate) or inflated (it scans).
  rollupScale: fc.constantFrom(1, 1_000_000),
  // Counts that event_user_summary answers read it, or every count reads the events alone (as on a
  // read-only connection).
  eventSummary: fc.boolean(),
  // Property filters that event_property_values answers (eq / in on strings and numbers) read it, or
  // every filter reads the events' JSON.
  propertyValues: fc.boolean(),
});

/** Every condition of a rule at any depth, groups included. */
function subConditions(conditions: readonly Condition[]): Condition[] {
  return conditions.flatMap((c) => (c.type === 'group' ? [c, ...subConditions(c.conditions)] : [c]));
}

// ---------------------------------------------------------------------------------------------

const tempDir = useTempDir();

describe('the SQL compiler and the JS evaluator agree', () => {
  it(`on ${NUM_RUNS.toLocaleString('en-US')} generated caches and rules (seed ${SEED})`, () => {
    // One cache for every case, emptied between cases: far faster than a file per case.
    const { db } = openCache(join(tempDir(), 'agreement.db'));
    // A scratch cache: no need to wait for the disk at every commit.
    db.pragma('synchronous = OFF');
    const serviceWith = (eventSummary: boolean, propertyValues: boolean): SegmentService =>
      new SegmentService(db, () => 0, { eventSummary, propertyValues });
    const services = [serviceWith(false, false), serviceWith(false, true), serviceWith(true, false), serviceWith(true, true)];
    // How many cases read the property values: the generator must reach that path, not only compile it.
    let readValues = 0;
    const writer = new DirectWriter(db);
    try {
      fc.assert(
        fc.property(caseArb, ({ users, accounts: generatedAccounts, rule, asOf, future, rollupScale, eventSummary, propertyValues }) => {
          const service = services[(eventSummary ? 2 : 0) + (propertyValues ? 1 : 0)]!;
          const parsed = parseRule(rule);
          if (!parsed.ok) throw new Error(`the generator made an invalid rule: ${parsed.errors.join('; ')}`);
          clearCache(db);
          const records = recordsOf(users, asOf, future);
          writer.write(records, rollupScale);
          const profiles = profilesOf(records);
          const accounts: TestAccount[] = generatedAccounts.map((a, i) => ({
            groupId: `g${i}`,
            traits: a.traits,
            members: a.members.map((n) => `u${String(n).padStart(2, '0')}`).filter((id) => profiles.has(id)),
          }));
          writeAccounts(db, accounts);
          addAccounts(profiles, accounts);
          if (service.compile(parsed.rule, asOf).sql.includes('event_property_values')) readValues += 1;
          const both = evaluateBoth(service, profiles, parsed.rule, asOf);
          expect(both.sql, 'members (SQL vs JS)').toEqual(both.js);
          expect(both.count, 'count vs members').toBe(both.sql.length);
          expect(both.total, 'total vs universe').toBe(both.universe);
          expect(describeRule(parsed.rule)).toMatch(/^(Users (who |whose |\()|All users$|No users$)/);
          // Every condition inside the rule, on its own: a disagreement that the rule as a whole
          // happens to mask (in an all-group with a condition no one meets, say) still shows.
          for (const condition of subConditions(parsed.rule.conditions)) {
            const alone: Rule = { version: 1, match: 'all', conditions: [condition] };
            const sql = [...service.memberIds(alone, asOf)].sort();
            const js = [...profiles].filter(([, profile]) => matchesRule(alone, profile, asOf)).map(([id]) => id).sort();
            expect(sql, `members of ${JSON.stringify(condition)} (SQL vs JS)`).toEqual(js);
          }
        }),
        { seed: SEED, numRuns: NUM_RUNS },
      );
      expect(readValues, 'cases that read event_property_values').toBeGreaterThan(NUM_RUNS / 50);
    } finally {
      db.close();
    }
  }, Math.max(60_000, NUM_RUNS * 40));
});

// ---------------------------------------------------------------------------------------------
// The delivery server's profile store.

const DELIVERY_RUNS = Math.max(50, Math.round(NUM_RUNS / 5));

/** Users past a cap of 3: up to 16 events, most of one name, and 6 survey answers each. */
const heavyUserArb = fc.record({
  mode: fc.constantFrom<UserMode>('mixed', 'mixed', 'mixed', 'identify-only', 'late'),
  identifies: fc.array(identifyArb, { maxLength: 3 }),
  events: fc.array(
    fc.tuple(eventArb, fc.boolean()).map(([e, usual]) => (usual ? { ...e, name: EVENT_NAMES[0] as string } : e)),
    { maxLength: 16 },
  ),
  surveys: fc.array(surveyRecordArb, { maxLength: 6 }),
});

const deliveryCaseArb = (users: fc.Arbitrary<GenUser>) =>
  fc.record({
    users: fc.array(users, { minLength: 1, maxLength: 16 }),
    accounts: fc.array(accountArb, { maxLength: 3 }),
    // Survey conditions often: decide reads each question's latest answer from the profile store.
    rule: ruleArbOf(fc.oneof({ weight: 3, arbitrary: deliveryLeafArb }, { weight: 2, arbitrary: surveyConditionArb })),
    asOf: fc.constantFrom(ASOF, ASOF, ASOF - DAY, ASOF - 1, ASOF + 1, ASOF + 7 * DAY),
  });

interface DeliveryProfiles {
  /** Each user's profile as the cache kept it up to date while the records arrived. */
  applied: Map<string, DecideProfile>;
  /** Each user's profile as the store loads it afresh. */
  loaded: Map<string, DecideProfile>;
}

/**
 * Ingests the records into an emptied delivery database through the store, collecting `names` first, with every user's profile cached beforehand so that each record goes through the cache's
 * in-memory update too. Accounts are written as rows, as the cache's test accounts are.
 */
async function deliveryProfiles(
  db: DeliveryDb,
  records: readonly NormalizedRecord[],
  accounts: readonly TestAccount[],
  names: ReadonlySet<string>,
  cap: number,
  asOf: number,
): Promise<DeliveryProfiles> {
  db.exec(`DELETE FROM records; DELETE FROM profiles; DELETE FROM profile_events; DELETE FROM profile_event_counts;
           DELETE FROM profile_event_names; DELETE FROM message_shows; DELETE FROM accounts; DELETE FROM account_members;
           DELETE FROM survey_answers; DELETE FROM messages;`);
  // The survey messages the generated answers and conditions name: the store keeps answers to messages that exist.
  const message = db.prepare("INSERT INTO messages (id, version, body, state, published_at, updated_at) VALUES (?, 1, '{}', 'running', 1, 1)");
  for (const id of SURVEY_MESSAGES) message.run(id);
  const store = createStore(db, { profileEventsPerName: cap });
  const cache = new ProfileCache(storeProfileSource(store), 1_000);
  await cache.setNeededNames(names, asOf);
  const insertAccount = db.prepare<[string, string]>("INSERT INTO accounts (group_id, traits, trait_times) VALUES (?, ?, '{}')");
  const join = db.prepare<[string, string]>('INSERT INTO account_members (user_id, group_id, since) VALUES (?, ?, 0)');
  for (const account of accounts) {
    insertAccount.run(account.groupId, JSON.stringify(account.traits));
    for (const member of account.members) join.run(member, account.groupId);
  }
  const users = [...new Set(records.map((r) => r.userId))].sort();
  for (const user of users) await cache.get(user);
  store.transaction(() => {
    for (const record of records) {
      const applied = store.ingest({ type: record.kind === 'identify' ? 'identify' : 'track', record }, asOf);
      if (applied === null || 'refused' in applied) throw new Error(`the store did not take record ${record.id}`);
      cache.apply(applied);
    }
  });
  const fresh = new ProfileCache(storeProfileSource(store), 0);
  const profilesIn = async (of: ProfileCache): Promise<Map<string, DecideProfile>> => new Map(await Promise.all(users.map(async (u) => [u, await of.get(u)] as const)));
  return { applied: await profilesIn(cache), loaded: await profilesIn(fresh) };
}

/** A profile in a form toEqual compares: events sorted as the cap orders them, maps as sorted entries. */
function comparable(profile: DecideProfile): unknown {
  return {
    ...profile,
    events: [...profile.events].sort(compareEvents),
    surveyAnswers: [...(profile.surveyAnswers ?? [])].sort(compareEvents),
    shows: [...profile.shows].sort(([a], [b]) => (a < b ? -1 : 1)),
  };
}

/**
 * What the evaluator must see past the cap: the newest `cap` events of each name (by instant, then
 * record id), first and last seen over every record, the latest NPS answer over every answer, and the
 * latest answer to each survey question over every answer (the store keeps each question's latest).
 */
function cappedReference(full: UserProfile, names: ReadonlySet<string>, cap: number): UserProfile {
  const byName = new Map<string, typeof full.events[number][]>();
  for (const e of full.events) {
    if (!names.has(e.name)) continue;
    const list = byName.get(e.name) ?? [];
    list.push(e);
    byName.set(e.name, list);
  }
  const events = [...byName.values()].flatMap((list) => [...list].sort(compareEvents).slice(-cap));
  const answers = full.events.filter((e) => e.name === NPS_EVENT && npsScore(e.properties) !== null).sort(compareEvents);
  const latest = answers[answers.length - 1];
  const times = [...full.events.map((e) => e.ts), ...full.identifyTimes];
  return {
    ...full,
    events,
    identifyTimes: [Math.min(...times), Math.max(...times)],
    latestNps: latest ? { ts: latest.ts, score: npsScore(latest.properties) as number } : null,
    surveyAnswers: full.events.filter((e) => e.name === NPS_EVENT),
  };
}

describe("the delivery server's profile store agrees", () => {
  const accountsOf = (generated: { members: number[]; traits: Record<string, unknown> }[], users: ReadonlySet<string>): TestAccount[] =>
    generated.map((a, i) => ({
      groupId: `g${i}`,
      traits: a.traits,
      members: a.members.map((n) => `u${String(n).padStart(2, '0')}`).filter((id) => users.has(id)),
    }));

  it(`with the SQL compiler under the default cap, on ${DELIVERY_RUNS.toLocaleString('en-US')} generated cases (seed ${SEED})`, async () => {
    const { db } = openCache(join(tempDir(), 'agreement-delivery-cache.db'));
    db.pragma('synchronous = OFF');
    const delivery = openDeliveryDb(join(tempDir(), 'agreement-delivery.db')).db;
    delivery.pragma('synchronous = OFF');
    const service = new SegmentService(db, () => 0, { eventSummary: false, propertyValues: false });
    const writer = new DirectWriter(db);
    // Cases where a survey condition alone holds for some user and not for another: the generator must reach them.
    let surveysSplit = 0;
    try {
      await fc.assert(
        fc.asyncProperty(deliveryCaseArb(userArb), async ({ users, accounts: generatedAccounts, rule, asOf }) => {
          const parsed = parseRule(rule);
          if (!parsed.ok) throw new Error(`the generator made an invalid rule: ${parsed.errors.join('; ')}`);
          clearCache(db);
          // The server holds no record from past its clock (the clamp stops them at 5 minutes ahead).
          const records = recordsOf(users, asOf, false);
          writer.write(records, 1);
          const accounts = accountsOf(generatedAccounts, new Set(records.map((r) => r.userId)));
          writeAccounts(db, accounts);
          const names = neededEventNames([{ rule: parsed.rule }]);
          const { applied, loaded } = await deliveryProfiles(delivery, records, accounts, names, DEFAULT_PROFILE_EVENTS_PER_NAME, asOf);
          for (const [user, profile] of loaded) expect(comparable(applied.get(user) as DecideProfile), `${user}: cached vs loaded`).toEqual(comparable(profile));
          for (const condition of [parsed.rule, ...subConditions(parsed.rule.conditions).map((c): Rule => ({ version: 1, match: 'all', conditions: [c] }))]) {
            const sql = [...service.memberIds(condition, asOf)].sort();
            const js = [...loaded].filter(([, profile]) => matchesRule(condition, evaluatorProfile(profile, asOf), asOf)).map(([id]) => id).sort();
            expect(js, `members of ${JSON.stringify(condition)} (delivery vs SQL)`).toEqual(sql);
            const only = condition.conditions[0];
            if (condition.conditions.length === 1 && only?.type === 'survey' && js.length > 0 && js.length < loaded.size) surveysSplit += 1;
          }
        }),
        { seed: SEED, numRuns: DELIVERY_RUNS },
      );
      expect(surveysSplit, 'survey conditions that split the users').toBeGreaterThan(DELIVERY_RUNS / 20);
    } finally {
      db.close();
      delivery.close();
    }
  }, Math.max(60_000, DELIVERY_RUNS * 100));

  it(`past a cap of 3: the newest 3 events of each name count, first and last seen and NPS stay exact (${DELIVERY_RUNS.toLocaleString('en-US')} cases)`, async () => {
    const CAP = 3;
    const delivery = openDeliveryDb(join(tempDir(), 'agreement-capped.db')).db;
    delivery.pragma('synchronous = OFF');
    let pastTheCap = 0;
    try {
      await fc.assert(
        fc.asyncProperty(deliveryCaseArb(heavyUserArb), async ({ users, accounts: generatedAccounts, rule, asOf }) => {
          const parsed = parseRule(rule);
          if (!parsed.ok) throw new Error(`the generator made an invalid rule: ${parsed.errors.join('; ')}`);
          const records = recordsOf(users, asOf, false);
          const full = profilesOf(records);
          const accounts = accountsOf(generatedAccounts, new Set(full.keys()));
          addAccounts(full, accounts);
          // Every name the data has is collected (the rule's among them), so that the cap bites often.
          const names = new Set([...neededEventNames([{ rule: parsed.rule }]), ...EVENT_NAMES, NPS_EVENT]);
          const { applied, loaded } = await deliveryProfiles(delivery, records, accounts, names, CAP, asOf);
          const kept = delivery.prepare<[], number>('SELECT max(count) FROM profile_event_counts').pluck().get() ?? 0;
          const stored = delivery.prepare<[], number>('SELECT count(*) FROM profile_events GROUP BY collection, user_id ORDER BY 1 DESC LIMIT 1').pluck().get() ?? 0;
          expect(kept, 'the largest count').toBeLessThanOrEqual(CAP);
          expect(stored, 'the most events stored for one user and name').toBeLessThanOrEqual(CAP);
          if (records.some((r) => r.kind === 'event' && records.filter((o) => o.userId === r.userId && o.name === r.name).length > CAP)) pastTheCap += 1;
          for (const [user, profile] of loaded) expect(comparable(applied.get(user) as DecideProfile), `${user}: cached vs loaded`).toEqual(comparable(profile));
          for (const condition of [parsed.rule, ...subConditions(parsed.rule.conditions).map((c): Rule => ({ version: 1, match: 'all', conditions: [c] }))]) {
            const reference = [...full].filter(([, profile]) => matchesRule(condition, cappedReference(profile, names, CAP), asOf)).map(([id]) => id).sort();
            const js = [...loaded].filter(([, profile]) => matchesRule(condition, evaluatorProfile(profile, asOf), asOf)).map(([id]) => id).sort();
            expect(js, `members of ${JSON.stringify(condition)} (delivery vs the newest ${CAP})`).toEqual(reference);
          }
        }),
        { seed: SEED, numRuns: DELIVERY_RUNS },
      );
      expect(pastTheCap, 'cases with a user past the cap').toBeGreaterThan(DELIVERY_RUNS / 2);
    } finally {
      delivery.close();
    }
  }, Math.max(60_000, DELIVERY_RUNS * 100));
});
