/**
 * "Who would see this now" (src/main/messages/audience.ts) and the rule explanation behind it
 * (src/shared/segments/explain.ts), on small hand-built caches: the target's count, every reason a
 * named user would not see a message in the delivery server's order, and explainRule's agreement
 * with matchesRule, by construction and over generated profiles and rules.
 */
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { inHoldout, rolloutBucket } from '../../src/delivery/decide';
import { loadProfile, messageAudience, type MessageDeps } from '../../src/main/messages/audience';
import { SegmentService } from '../../src/main/segments/service';
import { WorkshopService } from '../../src/main/workshops/service';
import type { MessageDraft } from '../../src/shared/messages/model';
import { matchesRule, type ProfileEvent, type UserProfile } from '../../src/shared/segments/evaluate';
import { explainRule } from '../../src/shared/segments/explain';
import type { Condition, PropertyFilter, Rule } from '../../src/shared/segments/rule';
import { rulePersona } from './messages-helpers';
import { apiErrorOf, useTempCache } from './helpers';
import { buildWorld, DAY, type TestRecord } from './segments-helpers';

const tempCache = useTempCache();

const ASOF = Date.UTC(2026, 2, 1, 12);
const HOUR = 3_600_000;

const ENGAGED: Rule = {
  version: 1,
  match: 'all',
  conditions: [
    { type: 'event', event: 'report_run', op: '>=', count: 6, within: { days: 30 } },
    { type: 'trait', trait: 'plan', op: 'in', value: ['starter', 'growth'] },
  ],
};

function reports(user: string, n: number, from = ASOF - 10 * DAY): TestRecord[] {
  return Array.from({ length: n }, (_, i) => ({ user, event: 'report_run', ts: from + i * HOUR }));
}

const shown = (user: string, messageId: string, ts: number): TestRecord => ({ user, event: 'message_shown', ts, properties: { message_id: messageId, message_version: 1 } });

function draft(overrides: Partial<MessageDraft> = {}): MessageDraft {
  return {
    id: 'nps_q1',
    name: 'Q1 NPS',
    kind: 'nps',
    nps: {
      question: 'How likely are you to recommend us?',
      lowLabel: 'Not likely',
      highLabel: 'Very likely',
      followUp: { promoter: 'What do you like?', passive: 'What is missing?', detractor: 'What went wrong?' },
      thankYou: 'Thank you!',
    },
    target: { type: 'segment', segmentId: 'seg_engaged' },
    trigger: {},
    frequency: {},
    schedule: {},
    rollout: 100,
    priority: 0,
    environment: 'production',
    archived: false,
    ...overrides,
  };
}

interface Env extends MessageDeps {
  check(message: unknown, userId?: string): ReturnType<typeof messageAudience>;
}

function env(records: TestRecord[]): Env {
  const { db } = tempCache();
  buildWorld(db, records);
  const segments = new SegmentService(db, () => ASOF);
  const workshops = new WorkshopService(db, () => ASOF, segments);
  segments.save({ id: 'seg_engaged', name: 'Engaged', rule: ENGAGED });
  const deps = { db, segments, workshops, asOf: ASOF };
  return { ...deps, check: (message, userId) => messageAudience(deps, message, userId) };
}

const BASE: TestRecord[] = [
  { user: 'u_pro', identify: { plan: 'growth' }, ts: ASOF - 40 * DAY },
  ...reports('u_pro', 7),
  { user: 'u_123', identify: { plan: 'enterprise' }, ts: ASOF - 40 * DAY },
  ...reports('u_123', 2),
  { user: 'u_starter', identify: { plan: 'starter' }, ts: ASOF - 20 * DAY },
  ...reports('u_starter', 9),
  // Arrives only after the data's as-of: not yet a user then.
  { user: 'u_later', identify: { plan: 'growth' }, ts: ASOF + DAY },
];

describe('messageAudience: the count', () => {
  it('counts the target segment and the universe as of asOf', () => {
    const e = env(BASE);
    expect(e.check(draft())).toEqual({ count: 2, total: 3, asOf: ASOF });
  });

  it('counts a persona target with its rule, and names a deleted workshop or persona clearly', async () => {
    const e = env(BASE);
    const persona = rulePersona;

    const created = e.workshops.create({ title: 'Acme personas', template: 'personas' });
    const enterpriseRule: Rule = { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'eq', value: 'enterprise' }] };
    const workshop = e.workshops.save({ ...created, personas: [persona('p_ent', 'Enterprise admins', enterpriseRule)] });
    const target = { type: 'persona' as const, workshopId: workshop.id, personaId: 'p_ent' };
    expect(e.check(draft({ target }))).toEqual({ count: 1, total: 3, asOf: ASOF });
    expect(e.check(draft({ target }), 'u_pro').user?.reasons).toEqual(['Not in the persona “Enterprise admins”: trait plan is “enterprise”: it is “growth”.']);

    e.workshops.save({ ...workshop, personas: [] });
    const gone = await apiErrorOf(() => e.check(draft({ target })));
    expect(gone.code).toBe('not_found');
    expect(gone.message).toBe('The persona “p_ent” this message targets is no longer in the workshop “Acme personas”: pick another target.');
    const noWorkshop = await apiErrorOf(() => e.check(draft({ target: { ...target, workshopId: 'ws_nope' } })));
    expect(noWorkshop.code).toBe('not_found');
    expect(noWorkshop.message).toBe('The workshop “ws_nope” whose persona this message targets no longer exists: pick another target.');
  });

  it('says clearly that the target segment was deleted', async () => {
    const e = env(BASE);
    e.segments.delete('seg_engaged');
    const err = await apiErrorOf(() => e.check(draft(), 'u_pro'));
    expect(err.code).toBe('not_found');
    expect(err.message).toBe('The segment “seg_engaged” this message targets no longer exists: pick another segment.');
  });

  it('refuses an invalid message, naming every field', async () => {
    const e = env(BASE);
    const bad = { ...draft({ kind: 'modal', rollout: 140 }), nps: undefined, modal: { title: '', body: '', cta: { label: 'Go', url: 'javascript:alert(1)' }, dismissLabel: 'Later' } };
    const err = await apiErrorOf(() => e.check(bad));
    expect(err.code).toBe('invalid_argument');
    expect(err.message).toMatch(/^The message is not valid: /);
    expect(err.message).toContain('modal.title: give the title');
    expect(err.message).toContain('modal.cta.url: must be an http(s) URL');
    expect(err.message).toContain('rollout: rollout is 0 to 100%');
    expect((await apiErrorOf(() => e.check({ id: 'x' }))).code).toBe('invalid_argument');
  });
});

describe('messageAudience: would this user see it, and if not, why not', () => {
  let e: Env;
  beforeEach(() => {
    e = env([
      ...BASE,
      // u_seen was shown this message 2 days ago and another one 3 hours ago.
      { user: 'u_seen', identify: { plan: 'growth' }, ts: ASOF - 30 * DAY },
      ...reports('u_seen', 6),
      shown('u_seen', 'nps_q1', ASOF - 2 * DAY),
      shown('u_seen', 'upsell_x', ASOF - 3 * HOUR),
    ]);
  });

  it('a member sees it: no reasons', () => {
    expect(e.check(draft(), 'u_pro').user).toEqual({ userId: 'u_pro', wouldSee: true, reasons: [], notes: [] });
  });

  it('explains each failing top-level condition with what the user has', () => {
    expect(e.check(draft(), 'u_123').user).toEqual({
      userId: 'u_123',
      wouldSee: false,
      reasons: [
        'Not in the segment “Engaged”: did report_run at least 6 times in the last 30 days: 2 times.',
        'Trait plan is one of “starter” or “growth”: it is “enterprise”.',
      ],
      notes: [],
    });
  });

  it('an unknown user, and one not yet seen as of asOf', () => {
    expect(e.check(draft(), 'u_zzz').user).toEqual({ userId: 'u_zzz', wouldSee: false, reasons: ['u_zzz is not in the cache (no events or traits yet).'], notes: [] });
    expect(e.check(draft(), 'u_later').user?.reasons).toEqual([
      'Not in the segment “Engaged”: has no record at or before 2026-03-01 12:00 UTC, so is not yet a user as of then.',
    ]);
  });

  it('lists the message-wide reasons first: archived, then the schedule', () => {
    const archived = e.check(draft({ archived: true, schedule: { start: '2026-03-05T09:00:00Z' } }), 'u_pro').user;
    expect(archived).toEqual({
      userId: 'u_pro',
      wouldSee: false,
      reasons: ['The message is archived: it is not delivered.', 'The schedule has not started: it starts 2026-03-05 09:00 UTC.'],
      notes: [],
    });
    expect(e.check(draft({ schedule: { end: '2026-03-01T12:00:00Z' } }), 'u_pro').user?.reasons).toEqual(['The schedule has ended: it ended 2026-03-01 12:00 UTC.']);
    // The end is exclusive, as on the server: one millisecond before it, the message still shows.
    expect(e.check(draft({ schedule: { end: '2026-03-01T12:00:00.001Z' } }), 'u_pro').user?.wouldSee).toBe(true);
  });

  it('uses the server’s rollout hash', () => {
    const place = rolloutBucket('u_pro', 'nps_q1') / 100;
    const below = Math.floor(place); // u_pro's place is at or above this rollout
    const outside = e.check(draft({ rollout: below }), 'u_pro').user;
    expect(outside?.wouldSee).toBe(false);
    expect(outside?.reasons).toEqual([
      below === 0
        ? 'The rollout is 0%: no one sees it yet.'
        : `Not in the ${below}% rollout: their place for this message is ${place.toFixed(2)}%, and only places below ${below}% see it.`,
    ]);
    expect(e.check(draft({ rollout: Math.min(100, below + 1) }), 'u_pro').user?.wouldSee).toBe(true);
    expect(e.check(draft({ rollout: 0 }), 'u_pro').user?.reasons).toEqual(['The rollout is 0%: no one sees it yet.']);
  });

  it('explains frequency and cooldown from the user’s message_shown events', () => {
    const user = (frequency: MessageDraft['frequency'], cooldownHours?: number) =>
      e.check(draft({ frequency, ...(cooldownHours === undefined ? {} : { cooldownHours }) }), 'u_seen').user;
    expect(user({})).toEqual({ userId: 'u_seen', wouldSee: true, reasons: [], notes: [] });
    expect(user({ once: true })?.reasons).toEqual(['Already shown to them (once, last 2026-02-27 12:00 UTC), and it shows once per user.']);
    expect(user({ maxTimes: 1 })?.reasons).toEqual(['Already shown to them once, and it shows at most once.']);
    expect(user({ maxTimes: 2 })?.wouldSee).toBe(true);
    expect(user({ everyDays: 7 })?.reasons).toEqual([
      'Shown to them 2026-02-27 12:00 UTC, and it shows at most every 7 days: not again before 2026-03-06 12:00 UTC.',
    ]);
    expect(user({ everyDays: 2 })?.wouldSee).toBe(true);
    expect(user({}, 4)?.reasons).toEqual([
      'The message “upsell_x” was shown to them 2026-03-01 09:00 UTC: the 4-hour cooldown between messages lasts until 2026-03-01 13:00 UTC.',
    ]);
    expect(user({}, 3)?.wouldSee).toBe(true);
  });

  it('describes the trigger as a note, without letting it decide', () => {
    const trigger = { page: 'https://app.example.com/reports*', event: { name: 'report_run', where: [{ property: 'format', op: 'eq', value: 'pdf' }] }, delaySeconds: 5 };
    const note = 'It depends on their next visit too: it shows on a page matching “https://app.example.com/reports*”, when they do report_run where format is “pdf”, 5 seconds after that.';
    expect(e.check(draft({ trigger }), 'u_pro').user).toEqual({ userId: 'u_pro', wouldSee: true, reasons: [], notes: [note] });
    const no = e.check(draft({ trigger }), 'u_123').user;
    expect(no?.wouldSee).toBe(false);
    expect(no?.reasons).not.toContain(note);
    expect(no?.notes).toEqual([note]);
  });

  it('loads a profile from the cache: events, identify times and current traits', () => {
    const profile = loadProfile(e.db, 'u_seen');
    expect(profile?.traits).toEqual({ plan: 'growth' });
    expect(profile?.identifyTimes).toEqual([ASOF - 30 * DAY]);
    expect(profile?.events.map((x) => x.name).sort()).toEqual(['message_shown', 'message_shown', ...Array<string>(6).fill('report_run')]);
    expect(profile?.events.find((x) => x.name === 'message_shown' && x.ts === ASOF - 3 * HOUR)?.properties).toEqual({ message_id: 'upsell_x', message_version: 1 });
    expect(loadProfile(e.db, 'nobody')).toBeNull();
  });

  it('a profile loaded from the cache gets the verdict of the profile built from the records', () => {
    const records: TestRecord[] = [
      ...BASE,
      { user: 'u_nps', identify: { plan: 'starter', seats: 4 }, ts: ASOF - 5 * DAY },
      { user: 'u_nps', identify: { plan: 'growth' }, ts: ASOF - 2 * DAY },
      { user: 'u_nps', event: 'survey_answered', ts: ASOF - DAY, properties: { survey: 'nps', score: 9, message_id: 'nps_q1' } },
      ...reports('u_nps', 6, ASOF - 3 * DAY),
    ];
    const { db } = tempCache();
    const world = buildWorld(db, records, [
      { groupId: 'acme', traits: { plan: 'enterprise' }, members: ['u_nps'] },
      { groupId: 'tiny', traits: { plan: 'free' }, members: ['u_nps', 'u_pro'] },
    ]);
    const rules: Rule[] = [
      ENGAGED,
      { version: 1, match: 'all', conditions: [{ type: 'account', trait: 'plan', op: 'eq', value: 'enterprise' }] },
      { version: 1, match: 'all', conditions: [{ type: 'account', trait: 'plan', op: 'neq', value: 'free', negate: true }] },
      { version: 1, match: 'any', conditions: [{ type: 'nps', category: 'promoter' }, { type: 'first_seen', op: 'within', days: 7 }] },
      { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'seats', op: 'gte', value: 4 }, { type: 'last_seen', op: 'within', days: 2 }] },
    ];
    for (const [id, profile] of world.profiles) {
      const cached = loadProfile(db, id);
      expect(cached).not.toBeNull();
      expect(cached?.accounts ?? [], `accounts of ${id}`).toEqual(profile.accounts ?? []);
      for (const rule of rules) {
        for (const asOf of [ASOF, ASOF - 2 * DAY, ASOF + 2 * DAY]) {
          expect(explainRule(rule, cached as UserProfile, asOf)).toEqual(explainRule(rule, profile, asOf));
        }
      }
    }
  });
});

// ── explainRule ──────────────────────────────────────────────────────────────────────────────────

const ev = (name: string, ts: number, properties: Record<string, unknown> | null = null, id = `${name}@${ts}`): ProfileEvent => ({ id, name, ts, properties });

describe('explainRule: the sentences', () => {
  const profile: UserProfile = {
    traits: { plan: 'starter', seats: 3 },
    events: [
      ev('report_run', ASOF - DAY, { format: 'pdf' }),
      ev('report_run', ASOF - 2 * DAY, { format: 'csv' }),
      ev('report_run', ASOF - 40 * DAY, { format: 'pdf' }),
      ev('survey_answered', ASOF - 3 * DAY, { survey: 'nps', score: 4 }),
      ev('survey_answered', ASOF - 5 * DAY, { survey: 'nps', score: 10 }),
    ],
    identifyTimes: [ASOF - 45 * DAY - HOUR],
  };
  const why = (...conditions: Condition[]): string[] => explainRule({ version: 1, match: 'all', conditions }, profile, ASOF).failing;

  it('words every kind of condition with the user’s own figure', () => {
    expect(why({ type: 'event', event: 'report_run', op: '>=', count: 2, within: { days: 30 }, where: [{ property: 'format', op: 'eq', value: 'pdf' }] })).toEqual([
      'did report_run where format is “pdf” at least twice in the last 30 days: 1 time',
    ]);
    expect(why({ type: 'event', event: 'invite_sent', op: '>=', count: 1 })).toEqual(['did invite_sent: 0 times']);
    expect(why({ type: 'event', event: 'report_run', op: '=', count: 0 })).toEqual(['never did report_run: 3 times']);
    expect(why({ type: 'first_seen', op: 'within', days: 14 })).toEqual(['were first seen in the last 14 days: first seen 2026-01-15 11:00 UTC, 45 days before 2026-03-01 12:00 UTC']);
    expect(why({ type: 'last_seen', op: 'before', days: 30 })).toEqual(['were last seen more than 30 days ago: last seen 2026-02-28 12:00 UTC, 1 day before 2026-03-01 12:00 UTC']);
    expect(why({ type: 'trait', trait: 'plan', op: 'eq', value: 'growth' })).toEqual(['trait plan is “growth”: it is “starter”']);
    expect(why({ type: 'trait', trait: 'seats', op: 'gt', value: 5 })).toEqual(['trait seats is above 5: it is 3']);
    expect(why({ type: 'trait', trait: 'role', op: 'exists' })).toEqual(['trait role is set: it is not set']);
    expect(why({ type: 'nps', category: 'promoter' })).toEqual(['are NPS promoters: their latest NPS answer is 4 (a detractor)']);
    expect(why({ type: 'nps', category: 'detractor', negate: true })).toEqual(['are not NPS detractors: their latest NPS answer is 4 (a detractor)']);
    expect(why({ type: 'trait', trait: 'plan', op: 'eq', value: 'starter', negate: true })).toEqual(['trait plan is not “starter”: it is “starter”']);
    expect(why({ type: 'account', trait: 'plan', op: 'eq', value: 'enterprise' })).toEqual(['have an account whose plan is “enterprise”: they belong to no account']);
    const member = (...accounts: Record<string, unknown>[]): string[] =>
      explainRule({ version: 1, match: 'all', conditions: [{ type: 'account', trait: 'plan', op: 'eq', value: 'enterprise' }] }, { ...profile, accounts }, ASOF).failing;
    expect(member({ plan: 'free' })).toEqual(['have an account whose plan is “enterprise”: their account has “free”']);
    expect(member({ plan: 'free' }, {}, ...Array.from({ length: 5 }, () => ({ plan: 'team' })))).toEqual([
      'have an account whose plan is “enterprise”: their 7 accounts have “free”, not set, “team”, “team”, “team”, and 2 more',
    ]);
  });

  it('words groups by the parts that decide them', () => {
    expect(
      why({
        type: 'group',
        match: 'any',
        conditions: [
          { type: 'trait', trait: 'plan', op: 'eq', value: 'enterprise' },
          { type: 'event', event: 'invite_sent', op: '>', count: 0 },
        ],
      }),
    ).toEqual(['(trait plan is “enterprise” or did invite_sent): none of it holds: trait plan is “enterprise” (it is “starter”); did invite_sent (0 times)']);
    expect(
      why({
        type: 'group',
        match: 'all',
        conditions: [
          { type: 'trait', trait: 'plan', op: 'eq', value: 'starter' },
          { type: 'event', event: 'report_run', op: '>=', count: 5 },
        ],
      }),
    ).toEqual(['(trait plan is “starter” and did report_run at least 5 times): fails on did report_run at least 5 times (3 times)']);
    expect(
      why({ type: 'group', match: 'any', negate: true, conditions: [{ type: 'trait', trait: 'plan', op: 'eq', value: 'starter' }, { type: 'trait', trait: 'seats', op: 'eq', value: 9 }] }),
    ).toEqual(['(trait plan is not “starter” and trait seats is not 9): holds through trait plan is “starter” (it is “starter”)']);
  });

  it('only the failing conditions of an all rule; every condition of an any rule; nothing for a match', () => {
    const pass: Condition = { type: 'trait', trait: 'plan', op: 'eq', value: 'starter' };
    const fail: Condition = { type: 'trait', trait: 'seats', op: 'eq', value: 9 };
    expect(why(pass, fail)).toEqual(['trait seats is 9: it is 3']);
    expect(explainRule({ version: 1, match: 'any', conditions: [fail, fail] }, profile, ASOF).failing).toHaveLength(2);
    expect(explainRule({ version: 1, match: 'any', conditions: [fail, pass] }, profile, ASOF)).toEqual({ matches: true, failing: [] });
    expect(explainRule({ version: 1, match: 'any', conditions: [] }, profile, ASOF)).toEqual({ matches: false, failing: ['the rule is an empty “any”: it matches no one'] });
    expect(explainRule({ version: 1, match: 'all', conditions: [] }, profile, ASOF)).toEqual({ matches: true, failing: [] });
    expect(explainRule({ version: 1, match: 'all', conditions: [] }, profile, ASOF - 50 * DAY).matches).toBe(false);
  });
});

describe('explainRule agrees with matchesRule', () => {
  // Small value sets, so generated rules select some users and not none or all.
  const NAMES = ['a', 'b', 'survey_answered'];
  const eventArb = fc.record({
    id: fc.constantFrom('r1', 'r2', 'r3', 'r4'),
    name: fc.constantFrom(...NAMES),
    ts: fc.integer({ min: ASOF - 40 * DAY, max: ASOF + DAY }),
    properties: fc.oneof(
      fc.constant(null),
      fc.record({ format: fc.constantFrom('pdf', 'csv', 1) }),
      fc.record({ survey: fc.constantFrom('nps', 'csat'), score: fc.constantFrom(0, 4, 7, 8, 9, 10, 11, 9.5) }),
    ),
  });
  const profileArb: fc.Arbitrary<UserProfile> = fc.record({
    traits: fc.record({ plan: fc.constantFrom('pro', 'free', 'PRO', 3, null) }, { requiredKeys: [] }),
    events: fc.array(eventArb, { maxLength: 8 }),
    identifyTimes: fc.array(fc.integer({ min: ASOF - 60 * DAY, max: ASOF + DAY }), { maxLength: 2 }),
    accounts: fc.array(fc.record({ plan: fc.constantFrom('pro', 'free', 3, null) }, { requiredKeys: [] }), { maxLength: 3 }),
  });
  const negate = fc.option(fc.boolean(), { nil: undefined });
  const leafArb: fc.Arbitrary<Condition> = fc.oneof(
    fc.record({
      type: fc.constant('event' as const),
      event: fc.constantFrom(...NAMES),
      op: fc.constantFrom('>=', '>', '=', '!=', '<=', '<'),
      count: fc.integer({ min: 0, max: 3 }),
      within: fc.option(fc.record({ days: fc.constantFrom(1, 7, 30) }), { nil: undefined }),
      where: fc.option(fc.constant<PropertyFilter[]>([{ property: 'format', op: 'eq', value: 'pdf' }]), { nil: undefined }),
      negate,
    }),
    fc.record({ type: fc.constantFrom('first_seen' as const, 'last_seen' as const), op: fc.constantFrom('within' as const, 'before' as const), days: fc.constantFrom(1, 14, 30), negate }),
    fc.record({ type: fc.constant('trait' as const), trait: fc.constant('plan'), op: fc.constantFrom('eq' as const, 'neq' as const), value: fc.constantFrom('pro', 3), negate }),
    fc.record({ type: fc.constant('trait' as const), trait: fc.constant('plan'), op: fc.constantFrom('exists' as const, 'not_exists' as const), negate }),
    fc.record({ type: fc.constant('trait' as const), trait: fc.constant('plan'), op: fc.constant('contains' as const), value: fc.constant('pr'), negate }),
    fc.record({ type: fc.constant('nps' as const), category: fc.constantFrom('promoter' as const, 'passive' as const, 'detractor' as const), negate }),
    fc.record({ type: fc.constant('account' as const), trait: fc.constant('plan'), op: fc.constantFrom('eq' as const, 'neq' as const), value: fc.constantFrom('pro', 3), negate }),
    fc.record({ type: fc.constant('account' as const), trait: fc.constant('plan'), op: fc.constantFrom('exists' as const, 'not_exists' as const), negate }),
  );
  const conditionArb: fc.Arbitrary<Condition> = fc.letrec<{ c: Condition }>((tie) => ({
    c: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leafArb,
      fc.record({ type: fc.constant('group' as const), match: fc.constantFrom('all' as const, 'any' as const), conditions: fc.array(tie('c'), { maxLength: 3 }), negate }),
    ),
  })).c;
  const ruleArb: fc.Arbitrary<Rule> = fc.record({ version: fc.constant(1 as const), match: fc.constantFrom('all' as const, 'any' as const), conditions: fc.array(conditionArb, { maxLength: 4 }) });

  it('on generated profiles and rules: the same verdict, and reasons exactly when it is no', () => {
    fc.assert(
      fc.property(ruleArb, profileArb, fc.integer({ min: ASOF - 2 * DAY, max: ASOF }), (rule, profile, asOf) => {
        const explained = explainRule(rule, profile, asOf);
        const matches = matchesRule(rule, profile, asOf);
        expect(explained.matches).toBe(matches);
        expect(explained.failing.length > 0).toBe(!matches);
        if (!matches && rule.match === 'all' && matchesRule({ version: 1, match: 'all', conditions: [] }, profile, asOf)) {
          // An all rule fails on exactly the conditions that fail on their own.
          const alone = rule.conditions.filter((c) => !matchesRule({ version: 1, match: 'all', conditions: [c] }, profile, asOf));
          expect(explained.failing).toHaveLength(alone.length);
        }
        for (const sentence of explained.failing) expect(sentence).toMatch(/\S: \S|^has no record at or before|^the rule is an empty/);
      }),
      { seed: 7, numRuns: 1500 },
    );
  });
});

describe('messageAudience: the holdout group', () => {
  it('says a user who passes every check but falls in the holdout is "in the holdout group", and only them', () => {
    const e = env(BASE);
    // The message id decides the draw: find one whose holdout holds u_pro out and one that does not.
    const ids = Array.from({ length: 40 }, (_, i) => `upsell_${i}`);
    const heldId = ids.find((id) => inHoldout('u_pro', id, 50)) as string;
    const exposedId = ids.find((id) => !inHoldout('u_pro', id, 50)) as string;
    const held = e.check(draft({ id: heldId, holdout: 50 }), 'u_pro').user;
    expect(held?.wouldSee).toBe(false);
    expect(held?.reasons).toEqual([expect.stringMatching(/^In the holdout group: 50% of the users who pass every check are held back/)]);
    expect(e.check(draft({ id: exposedId, holdout: 50 }), 'u_pro').user).toMatchObject({ wouldSee: true, reasons: [] });
    expect(e.check(draft({ id: heldId }), 'u_pro').user).toMatchObject({ wouldSee: true, reasons: [] });
  });
});
