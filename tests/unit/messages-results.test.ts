/**
 * A message's results (src/main/messages/results.ts) on a small hand-built cache with known answers:
 * shown, dismissed, clicked and the click-through rate; the NPS score, distribution, weekly trend at
 * its boundaries, per segment and per persona; comments newest first with personas, and their search.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { MessageDeps } from '../../src/main/messages/audience';
import { messageResults, npsOf } from '../../src/main/messages/results';
import { SegmentService } from '../../src/main/segments/service';
import { WorkshopService } from '../../src/main/workshops/service';
import type { Rule } from '../../src/shared/segments/rule';
import { apiErrorOf, useTempCache } from './helpers';
import { rulePersona } from './messages-helpers';
import { buildWorld, DAY, type TestRecord } from './segments-helpers';

const tempCache = useTempCache();

const ASOF = Date.UTC(2026, 2, 1, 12);
const HOUR = 3_600_000;
const WEEK = 7 * DAY;

const planIs = (plan: string): Rule => ({ version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'eq', value: plan }] });

const persona = rulePersona;

const event = (user: string, name: string, ts: number, properties: Record<string, unknown>): TestRecord => ({ user, event: name, ts, properties });
const shown = (user: string, messageId: string, ts: number): TestRecord => event(user, 'message_shown', ts, { message_id: messageId, message_version: 1 });
const clicked = (user: string, messageId: string, ts: number): TestRecord => event(user, 'message_clicked', ts, { message_id: messageId, message_version: 1 });
const dismissed = (user: string, messageId: string, ts: number): TestRecord => event(user, 'message_dismissed', ts, { message_id: messageId, message_version: 1 });
function answer(user: string, ts: number, score: unknown, comment?: string, extra: Record<string, unknown> = {}): TestRecord {
  return event(user, 'survey_answered', ts, { message_id: 'nps_q1', message_version: 1, survey: 'nps', score, ...(comment === undefined ? {} : { comment }), ...extra });
}

const PLANS: Record<string, string> = { u1: 'starter', u2: 'starter', u3: 'growth', u4: 'growth', u5: 'growth', u6: 'enterprise', u7: 'enterprise', u8: 'free' };

const RECORDS: TestRecord[] = [
  ...Object.entries(PLANS).map(([user, plan]): TestRecord => ({ user, identify: { plan }, ts: ASOF - 100 * DAY })),
  // The survey's answers: 10, 9, 9, 8, 7, 6, 3, and u2 a second time, 10.
  answer('u1', ASOF - HOUR, 10, 'Love the PDF reports'),
  answer('u2', ASOF - 2 * HOUR, 9, ''),
  answer('u3', ASOF - WEEK, 9), // exactly a week before asOf: the week before the latest
  answer('u4', ASOF - WEEK + 1, 8, '   '), // one ms later: the latest week; a blank comment is no comment
  answer('u5', ASOF - 20 * DAY, 7, 'Export is slow'),
  answer('u2', ASOF - 30 * DAY, 10, 'great'),
  answer('u6', ASOF - 12 * WEEK + 1, 6, 'Too expensive for us'), // the oldest week of the trend
  answer('u7', ASOF - 12 * WEEK, 3, 'Reports break on big data'), // before the trend, still in the totals
  // Not answers to this survey: another score scale, another survey, another message, after asOf, no message id.
  answer('u8', ASOF - DAY, 11, 'eleven'),
  answer('u8', ASOF - DAY, 9.5, 'nine and a half'),
  answer('u8', ASOF - DAY, 2, 'csat', { survey: 'csat' }),
  answer('u1', ASOF - DAY, 0, 'other message', { message_id: 'nps_other' }),
  answer('u1', ASOF + HOUR, 0, 'from the future'),
  event('u8', 'survey_answered', ASOF - DAY, { survey: 'nps', score: 0 }),
  // The survey was shown 8 times and dismissed twice (nobody clicks a survey).
  ...['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8'].map((u, i) => shown(u, 'nps_q1', ASOF - 40 * DAY + i * HOUR)),
  dismissed('u8', 'nps_q1', ASOF - 40 * DAY + 8 * HOUR),
  dismissed('u3', 'nps_q1', ASOF - 40 * DAY + 3 * HOUR),
  // An upsell modal: shown 4 times, clicked once, dismissed twice; plus a show after asOf and one of another message.
  ...['u1', 'u2', 'u6', 'u7'].map((u, i) => shown(u, 'upsell_1', ASOF - 3 * DAY + i * HOUR)),
  clicked('u6', 'upsell_1', ASOF - 3 * DAY + 2 * HOUR + 1000),
  dismissed('u1', 'upsell_1', ASOF - 3 * DAY + 1000),
  dismissed('u2', 'upsell_1', ASOF - 3 * DAY + HOUR + 1000),
  shown('u8', 'upsell_1', ASOF + HOUR),
  shown('u8', 'upsell_2', ASOF - HOUR),
];

function env(records: TestRecord[] = RECORDS): MessageDeps {
  const { db } = tempCache();
  buildWorld(db, records);
  // A clock that moves, so workshops list in a known order (newest change first).
  let now = ASOF;
  const clock = (): number => (now += 1000);
  const segments = new SegmentService(db, clock);
  const workshops = new WorkshopService(db, clock, segments);
  segments.save({ name: 'Starters', rule: planIs('starter') });
  segments.save({ name: 'Enterprise', rule: planIs('enterprise') });
  segments.save({ name: 'Engaged', rule: { version: 1, match: 'all', conditions: [{ type: 'event', event: 'report_run', op: '>=', count: 1 }] } });
  const acme = workshops.create({ title: 'Acme', template: 'personas' });
  workshops.save({ ...acme, personas: [persona('p_growth', 'Growth admins', planIs('growth')), persona('p_big', 'Big spenders', planIs('enterprise'))] });
  // An archived workshop's personas are not reported.
  const old = workshops.create({ title: 'Old', template: 'personas' });
  workshops.save({ ...old, personas: [persona('p_ghost', 'Ghosts', planIs('starter'))] });
  workshops.setArchived(old.id, true);
  return { db, segments, workshops, asOf: ASOF };
}

describe('npsOf', () => {
  it('is % promoters minus % detractors, rounded; null without answers', () => {
    expect(npsOf([])).toBeNull();
    expect(npsOf([9, 10, 7, 8])).toBe(50);
    expect(npsOf([0, 6, 7, 8])).toBe(-50);
    expect(npsOf([10, 9, 9, 8, 7, 6, 3])).toBe(14); // 3 − 2 of 7: 14.29
    expect(npsOf([10, 0, 8])).toBe(0);
    expect(npsOf([10, 10, 8])).toBe(67);
  });
});

describe('messageResults', () => {
  let deps: MessageDeps;
  beforeEach(() => {
    deps = env();
  });

  it('counts shown, clicked and answered per day over the last 30 days (issue 17, item 9)', () => {
    const { daily } = messageResults(deps, 'upsell_1');
    expect(daily).toHaveLength(30);
    expect(daily[0]?.dayStart).toBe(ASOF - 30 * DAY);
    expect(daily[29]?.dayStart).toBe(ASOF - DAY);
    // Shown 4 times from exactly 3 days before asOf, an hour apart: the first show falls in the day
    // ending at that instant (the windows are closed at their end), the other three and the click after it.
    const busy = daily.filter((d) => d.shown > 0 || d.clicked > 0);
    expect(busy).toEqual([
      { dayStart: ASOF - 4 * DAY, shown: 1, clicked: 0, answered: 0 },
      { dayStart: ASOF - 3 * DAY, shown: 3, clicked: 1, answered: 0 },
    ]);
    expect(daily.reduce((n, d) => n + d.answered, 0)).toBe(0);
    // The survey's answers in the last 30 days: u1, u2 (2 h ago), u3 and u4 (a week), u5 (20 days); u2's at exactly 30 days is the window's edge, out.
    const survey = messageResults(deps, 'nps_q1').daily;
    expect(survey.reduce((n, d) => n + d.answered, 0)).toBe(5);
    expect(survey[29]?.answered).toBe(2);
  });

  it('says how many respondents are outside the message’s target now', () => {
    const nps = messageResults(deps, 'nps_q1', undefined, { rule: planIs('growth'), name: 'Growth' }).nps;
    // Respondents u1..u7 (7 users); u3, u4, u5 are on growth.
    expect(nps?.outsideTarget).toEqual({ users: 4, respondents: 7, target: 'Growth' });
    expect(messageResults(deps, 'nps_q1').nps?.outsideTarget).toBeNull();
  });

  it('counts shown, dismissed and clicked for the message only, as of asOf, with the click-through rate', () => {
    expect(messageResults(deps, 'upsell_1')).toMatchObject({ messageId: 'upsell_1', shown: 4, dismissed: 2, clicked: 1, clickThroughRate: 0.25, nps: null });
    expect(messageResults(deps, 'never_sent')).toMatchObject({ messageId: 'never_sent', shown: 0, dismissed: 0, clicked: 0, clickThroughRate: 0, nps: null });
    expect(messageResults({ ...deps, asOf: ASOF - 3 * DAY + HOUR }, 'upsell_1')).toMatchObject({ shown: 2, dismissed: 1, clicked: 0, clickThroughRate: 0 });
  });

  it('the NPS score and distribution, every answer counted (u2 answered twice)', () => {
    const results = messageResults(deps, 'nps_q1');
    expect(results).toMatchObject({ messageId: 'nps_q1', shown: 8, dismissed: 2, clicked: 0, clickThroughRate: 0 });
    const nps = results.nps;
    expect(nps?.answers).toBe(8);
    // Promoters 10, 9, 9, 10; passives 8, 7; detractors 6, 3: (4 − 2) / 8 = 25.
    expect(nps?.score).toBe(25);
    expect(nps?.distribution).toEqual([0, 0, 0, 1, 0, 0, 1, 1, 1, 2, 2]);
  });

  it('a weekly trend of the last 12 weeks ending at asOf, oldest first, boundaries exact', () => {
    const weekly = messageResults(deps, 'nps_q1').nps?.weekly ?? [];
    expect(weekly).toHaveLength(12);
    expect(weekly.map((w) => w.weekStart)).toEqual(Array.from({ length: 12 }, (_, i) => ASOF - (12 - i) * WEEK));
    const byWeeksAgo = (k: number) => weekly[11 - k];
    // The latest week (asOf − 7 days, asOf]: u1 10, u2 9, u4 8 (one ms inside it).
    expect(byWeeksAgo(0)).toEqual({ weekStart: ASOF - WEEK, answers: 3, score: 67 });
    // Exactly 7 days before asOf belongs to the week before.
    expect(byWeeksAgo(1)).toEqual({ weekStart: ASOF - 2 * WEEK, answers: 1, score: 100 });
    expect(byWeeksAgo(2)).toEqual({ weekStart: ASOF - 3 * WEEK, answers: 1, score: 0 });
    expect(byWeeksAgo(3)).toEqual({ weekStart: ASOF - 4 * WEEK, answers: 0, score: null });
    expect(byWeeksAgo(4)).toEqual({ weekStart: ASOF - 5 * WEEK, answers: 1, score: 100 });
    // One ms inside the twelfth week; u7, exactly 12 weeks back, is before the trend.
    expect(byWeeksAgo(11)).toEqual({ weekStart: ASOF - 12 * WEEK, answers: 1, score: -100 });
    expect(weekly.reduce((n, w) => n + w.answers, 0)).toBe(7);
  });

  it('the score per saved segment and per persona of every workshop that is not archived', () => {
    const nps = messageResults(deps, 'nps_q1').nps;
    expect(nps?.bySegment).toEqual([
      { label: 'Engaged', answers: 0, score: null },
      { label: 'Enterprise', answers: 2, score: -100 },
      { label: 'Starters', answers: 3, score: 100 },
    ]);
    expect(nps?.byPersona).toEqual([
      { label: 'Growth admins', answers: 3, score: 33 },
      { label: 'Big spenders', answers: 2, score: -100 },
    ]);
  });

  it('comments newest first, non-empty only, with the commenter’s personas', () => {
    expect(messageResults(deps, 'nps_q1').nps?.comments).toEqual([
      { userId: 'u1', score: 10, category: 'promoter', comment: 'Love the PDF reports', ts: ASOF - HOUR, personas: [] },
      { userId: 'u5', score: 7, category: 'passive', comment: 'Export is slow', ts: ASOF - 20 * DAY, personas: ['Growth admins'] },
      { userId: 'u2', score: 10, category: 'promoter', comment: 'great', ts: ASOF - 30 * DAY, personas: [] },
      { userId: 'u6', score: 6, category: 'detractor', comment: 'Too expensive for us', ts: ASOF - 12 * WEEK + 1, personas: ['Big spenders'] },
      { userId: 'u7', score: 3, category: 'detractor', comment: 'Reports break on big data', ts: ASOF - 12 * WEEK, personas: ['Big spenders'] },
    ]);
  });

  it('searches comments by text, user id or persona, ignoring case', () => {
    const search = (text: string): string[] => (messageResults(deps, 'nps_q1', text).nps?.comments ?? []).map((c) => c.userId);
    expect(search('REPORT')).toEqual(['u1', 'u7']);
    expect(search('u5')).toEqual(['u5']);
    expect(search('big spenders')).toEqual(['u6', 'u7']);
    expect(search('growth adm')).toEqual(['u5']);
    expect(search('   ')).toEqual(['u1', 'u5', 'u2', 'u6', 'u7']);
    expect(search('nothing like this')).toEqual([]);
    // The search narrows the comments, not the figures.
    expect(messageResults(deps, 'nps_q1', 'u5').nps).toMatchObject({ answers: 8, score: 25 });
  });

  it('labels personas whose names repeat across workshops with the workshop, and survives a broken persona rule', () => {
    const beta = deps.workshops.create({ title: 'Beta', template: 'personas' });
    const broken: Rule = { version: 1, match: 'all', conditions: [{ type: 'segment', segment: 'seg_gone' }] };
    deps.workshops.save({ ...beta, personas: [persona('p_g2', 'Growth admins', planIs('starter')), persona('p_broken', 'Broken', broken)] });
    const nps = messageResults(deps, 'nps_q1').nps;
    // Workshops newest change first: Beta, then Acme.
    expect(nps?.byPersona).toEqual([
      { label: 'Growth admins (Beta)', answers: 3, score: 100 },
      { label: 'Broken', answers: 0, score: null },
      { label: 'Growth admins (Acme)', answers: 3, score: 33 },
      { label: 'Big spenders', answers: 2, score: -100 },
    ]);
    expect(nps?.comments[0]?.personas).toEqual(['Growth admins (Beta)']);
  });

  it('keeps at most 500 comments', () => {
    const many: TestRecord[] = Array.from({ length: 520 }, (_, i) => answer(`m${i}`, ASOF - i * 1000, i % 11, `comment ${i}`));
    const results = messageResults(env(many), 'nps_q1');
    expect(results.nps?.answers).toBe(520);
    expect(results.nps?.comments).toHaveLength(500);
    expect(results.nps?.comments[0]?.comment).toBe('comment 0');
  });

  it('refuses what is not a message id', async () => {
    expect((await apiErrorOf(() => messageResults(deps, '../x'))).code).toBe('invalid_argument');
  });
});
