/**
 * The backtest's two ways of reading histories (src/main/messages/backtest-history.ts) give the same
 * backtest: 'relevant' (only the records that can change a decision, the page stretches, the requests
 * counted in SQL) against 'everything' (every record of every replayed user, the straightforward replay).
 * On generated caches with a page-only banner, a page-and-event message, an NPS on login, shows before
 * the window, NPS answers, page views without a URL, screen views, records sharing an instant (ids in
 * any order, some past U+FFFF) and users whose first record shares its instant with a later-read one.
 */
import { describe, expect, it } from 'vitest';
import { compareIds, historyMode } from '../../src/main/messages/backtest-history';
import { compileDraft, competitorsOf, messageBacktest, type BacktestDeps } from '../../src/main/messages/backtest';
import { buildPublishBody } from '../../src/main/messages/publish-body';
import { SegmentService } from '../../src/main/segments/service';
import { WorkshopService } from '../../src/main/workshops/service';
import type { MessageDraft, MessageRecord } from '../../src/shared/messages/model';
import { Random } from '../../src/shared/random';
import type { Rule } from '../../src/shared/segments/rule';
import { useTempCache } from './helpers';
import { liveRecord, LOGIN_NPS, modalDraft } from './messages-helpers';
import { buildWorld, DAY, type TestRecord } from './segments-helpers';

const tempCache = useTempCache();

const HOUR = 3_600_000;
const AS_OF = Date.UTC(2026, 5, 29);
const WEEKS = 3;
const FROM = AS_OF - WEEKS * 7 * DAY;
const ORIGIN = 'https://app.example.com';

const ACTIVE: Rule = { version: 1, match: 'all', conditions: [{ type: 'event', event: 'login', op: '>=', count: 2, within: { days: 10 } }] };
const SEGMENTS: { id: string; rule: Rule }[] = [
  { id: 'seg_active', rule: ACTIVE },
  { id: 'seg_all', rule: { version: 1, match: 'all', conditions: [] } },
  // Counted ever, with a filter: its records are read from the beginning, their properties looked into.
  { id: 'seg_limited', rule: { version: 1, match: 'all', conditions: [{ type: 'event', event: 'limit_hit', op: '>=', count: 1, where: [{ property: 'limit', op: 'eq', value: 'projects' }] }] } },
];

/** The draft: a modal on PDF exports for active users, with a goal. */
const DRAFT = modalDraft({
  id: 'draft-pdf',
  name: 'Draft',
  target: { type: 'segment', segmentId: 'seg_active' },
  trigger: { event: { name: 'exported', where: [{ property: 'format', op: 'eq', value: 'pdf' }] } },
  frequency: { everyDays: 2, maxTimes: 4 },
  cooldownHours: 6,
  rollout: 90,
  priority: 5,
  environment: 'production',
  goal: { event: 'upgraded', where: [{ property: 'plan', op: 'eq', value: 'pro' }], withinDays: 5 },
});

/** A banner on the reports pages (page-only trigger): every tracked event made there asks for it too. */
const BANNER: MessageDraft = {
  ...modalDraft({ id: 'live-banner', name: 'Banner', target: { type: 'segment', segmentId: 'seg_active' }, trigger: { page: `${ORIGIN}/reports*` } }),
  kind: 'banner',
  modal: undefined,
  banner: { text: 'New reports', position: 'top', dismissLabel: 'Dismiss' },
  frequency: { everyDays: 3 },
  cooldownHours: 4,
  priority: 1,
  environment: 'production',
};

/** A modal on the billing pages, on a limit hit only (page and event). */
const BILLING = modalDraft({
  id: 'live-billing',
  name: 'Billing',
  target: { type: 'segment', segmentId: 'seg_limited' },
  trigger: { page: `${ORIGIN}/billing*`, event: { name: 'limit_hit', where: [{ property: 'limit', op: 'eq', value: 'projects' }] } },
  frequency: { everyDays: 1 },
  cooldownHours: 12,
  priority: 10,
  environment: 'production',
});

const NPS = LOGIN_NPS;

const PAGES = ['/home', '/reports/weekly', '/reports', '/billing/plan', '/projects'];
const OTHER_EVENTS = ['task_created', 'comment_added', 'search', 'mobile_opened'];
/** Id tails that SQLite and JavaScript order differently unless compared by code point. */
const ID_TAILS = ['a', 'B', 'é', '\uffe0', '\u{1d4b3}', 'z'];

/** A seeded history with many records sharing instants (a few seconds apart at most, on a coarse clock). */
function generateHistory(seed: number, users: number): TestRecord[] {
  const rng = new Random(seed);
  const records: TestRecord[] = [];
  let n = 0;
  const id = (): string => `r${String((n += 1) % 7)}${rng.pick(ID_TAILS)}${n}`;
  for (let u = 0; u < users; u++) {
    const user = `u${String(u).padStart(3, '0')}`;
    // A coarse clock (whole minutes): records of one user often share an instant. Some users arrive inside the window.
    let t = (rng.chance(0.4) ? FROM + rng.int(0, 10) * DAY : AS_OF - 45 * DAY) + rng.int(0, 10) * HOUR;
    if (rng.chance(0.3)) {
      // The first record and a login at the same instant, the login's id first or last.
      records.push({ user, event: 'task_created', ts: t, properties: null, id: id() });
      records.push({ user, event: 'login', ts: t, properties: {}, id: id() });
    }
    records.push({ user, identify: { plan: rng.pick(['starter', 'pro']) }, ts: t, id: id() });
    while (t < AS_OF + 3 * DAY) {
      const session = rng.int(1, 6);
      for (let k = 0; k < session; k++) {
        t += rng.int(0, 3) * 60_000;
        const kind = rng.int(0, 19);
        const ts = t;
        if (kind <= 4) records.push({ user, event: 'page_viewed', ts, properties: { url: `${ORIGIN}${rng.pick(PAGES)}` }, id: id() });
        else if (kind === 5) records.push({ user, event: 'page_viewed', ts, properties: rng.chance(0.5) ? {} : null, id: id() });
        else if (kind === 6) records.push({ user, event: 'screen_viewed', ts, properties: { name: 'Home' }, id: id() });
        else if (kind <= 9) records.push({ user, event: 'login', ts, properties: {}, id: id() });
        else if (kind <= 11) records.push({ user, event: 'exported', ts, properties: { format: rng.pick(['pdf', 'csv']) }, id: id() });
        else if (kind === 12) records.push({ user, event: 'limit_hit', ts, properties: { limit: rng.pick(['projects', 'seats']) }, id: id() });
        else if (kind === 13 && rng.chance(0.4)) records.push({ user, event: 'upgraded', ts, properties: { plan: rng.pick(['pro', 'growth']) }, id: id() });
        else if (kind === 14 && rng.chance(0.3)) records.push({ user, event: 'survey_answered', ts, properties: { message_id: NPS.id, score: rng.int(0, 10) }, id: id() });
        else if (kind === 15 && ts < FROM && rng.chance(0.3)) records.push({ user, event: 'message_shown', ts, properties: { message_id: rng.pick([NPS.id, BANNER.id, DRAFT.id]) }, id: id() });
        else if (kind === 16 && rng.chance(0.2)) records.push({ user, identify: { plan: rng.pick(['starter', 'pro']) }, ts, id: id() });
        else records.push({ user, event: rng.pick(OTHER_EVENTS), ts, properties: rng.chance(0.5) ? { n: k } : null, id: id() });
      }
      t += rng.int(2, 30) * HOUR;
    }
  }
  return records;
}


function fixture(records: readonly TestRecord[], competitors: readonly MessageDraft[]): { deps: BacktestDeps; others: MessageRecord[] } {
  const cache = tempCache();
  buildWorld(cache.db, records);
  const segments = new SegmentService(cache.db, () => 0);
  for (const s of SEGMENTS) segments.save({ id: s.id, name: s.id, rule: s.rule });
  const workshops = new WorkshopService(cache.db, () => 0, segments);
  const ruleOf = (d: MessageDraft): Rule => (SEGMENTS.find((s) => d.target.type === 'segment' && s.id === d.target.segmentId) as { rule: Rule }).rule;
  const others = competitors.map((d) => liveRecord(d, buildPublishBody({ ...d, schedule: {} }, ruleOf(d), 1)));
  return { deps: { db: cache.db, segments, workshops, asOf: AS_OF }, others };
}

describe('the backtest reads only the records that matter and answers as if it had read them all', () => {
  it.each([
    { seed: 19, users: 120, competitors: [BANNER, BILLING, NPS] },
    { seed: 7, users: 90, competitors: [BANNER, NPS] },
    { seed: 31, users: 90, competitors: [BILLING, NPS] },
  ])('seed $seed, $users users: the same backtest as the straightforward replay', { timeout: 120_000 }, ({ seed, users, competitors }) => {
    const f = fixture(generateHistory(seed, users), competitors);
    const messages = [compileDraft(f.deps, DRAFT), ...competitorsOf(f.others, DRAFT).map((c) => c.live)];
    expect(historyMode(messages)).toBe('relevant');

    const { elapsedMs: _fastMs, ...fast } = messageBacktest(f.deps, DRAFT, { weeks: WEEKS, others: f.others });
    const { elapsedMs: _slowMs, ...everything } = messageBacktest(f.deps, DRAFT, { weeks: WEEKS, others: f.others, historyMode: 'everything' });
    expect(fast).toEqual(everything);

    // The history means something: shows, blocks by each kind of cause, the goal, page requests with and without a URL.
    expect(fast.impressions).toBeGreaterThan(10);
    expect(fast.blocked.usersEver).toBeGreaterThan(0);
    expect(fast.goal?.converted).toBeGreaterThan(0);
    expect(fast.replayed.requests).toBeGreaterThan(fast.replayed.users);
    if (competitors.includes(BANNER)) {
      expect(fast.blocked.byMessage.some((b) => b.messageId === BANNER.id)).toBe(true);
    }
  });

  it('keeps reading every record when a rule reads first or last seen, or a message answers any request', () => {
    const f = fixture(generateHistory(3, 4), [NPS]);
    const draft = compileDraft(f.deps, DRAFT);
    const seenRule: Rule = { version: 1, match: 'all', conditions: [{ type: 'first_seen', op: 'within', days: 30 }] };
    expect(historyMode([draft, { ...draft, id: 'seen', rule: seenRule }])).toBe('everything');
    expect(historyMode([draft, { ...draft, id: 'any', event: null, page: null }])).toBe('everything');
    expect(historyMode([draft, { ...draft, id: 'page', event: null, page: `${ORIGIN}/*` }])).toBe('relevant');
  });

  it('orders records of one instant by id as SQLite orders text, by code point', () => {
    const cache = tempCache();
    const ids = ['b', 'a\u{1d4b3}', 'a\uffe0', 'aé', 'aZ', 'a', '', 'a\u{1d4b3}b', '\ud7ff', '\u{10000}', 'A'];
    const sqlite = cache.db
      .prepare<[string], string>('SELECT value FROM json_each(?) ORDER BY value')
      .pluck()
      .all(JSON.stringify(ids));
    expect([...ids].sort(compareIds)).toEqual(sqlite);
  });
});
