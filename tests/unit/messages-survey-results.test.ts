/**
 * A `survey` message's results (src/main/messages/survey-results.ts through messageResults) on a small
 * hand-built cache: CSAT as % satisfied, CES and rating as the mean, NPS questions as NPS, choice counts
 * with "other" texts, open texts with personas and their search, the weekly trend, the response rate,
 * completion with partial responses, and the split by segment and persona. Every expected figure is
 * worked out by hand in the comments. And the legacy NPS results never read a CSAT answer.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { MessageDeps } from '../../src/main/messages/audience';
import { messageResults } from '../../src/main/messages/results';
import { SegmentService } from '../../src/main/segments/service';
import { WorkshopService } from '../../src/main/workshops/service';
import type { SurveyContent } from '../../src/shared/messages/model';
import { surveyContentSchema } from '../../src/shared/messages/survey';
import type { Rule } from '../../src/shared/segments/rule';
import { useTempCache } from './helpers';
import { rulePersona } from './messages-helpers';
import { buildWorld, DAY, type TestRecord } from './segments-helpers';

const tempCache = useTempCache();

const ASOF = Date.UTC(2026, 2, 1, 12);
const HOUR = 3_600_000;
const MINUTE = 60_000;
const WEEK = 7 * DAY;

const planIs = (plan: string): Rule => ({ version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'eq', value: plan }] });

/** CSAT; at 3 or less, why (a choice, with "other"); then effort (CES); then an optional open question. */
const SURVEY: SurveyContent = surveyContentSchema.parse({
  questions: [
    { id: 'sat', type: 'csat', text: 'How satisfied are you with reports?', lowLabel: 'Not at all', highLabel: 'Very', branches: [{ when: { max: 3 }, goTo: 'why' }], next: 'effort' },
    { id: 'why', type: 'single_choice', text: 'What let you down?', choices: [{ id: 'slow', label: 'Too slow' }, { id: 'price', label: 'Too expensive' }], other: { label: 'Something else' } },
    { id: 'effort', type: 'ces', text: 'The company made it easy to build a report.', lowLabel: 'Disagree', highLabel: 'Agree' },
    { id: 'more', type: 'open_text', text: 'Anything else?', optional: true },
  ],
  thankYou: 'Thanks!',
  dismissLabel: 'Close',
});

/** An NPS question, a multiple choice and a 1-5 rating. */
const SECOND: SurveyContent = surveyContentSchema.parse({
  questions: [
    { id: 'rec', type: 'nps', text: 'Would you recommend us?', lowLabel: 'No', highLabel: 'Yes' },
    { id: 'feat', type: 'multi_choice', text: 'What do you use?', choices: [{ id: 'a', label: 'Reports' }, { id: 'b', label: 'Alerts' }, { id: 'c', label: 'Exports' }], other: { label: 'Other' } },
    { id: 'rate', type: 'rating', max: 5, text: 'Rate the app', lowLabel: 'Bad', highLabel: 'Great' },
  ],
  thankYou: 'Thanks!',
  dismissLabel: 'Close',
});

const event = (user: string, name: string, ts: number, properties: Record<string, unknown>): TestRecord => ({ user, event: name, ts, properties });
const shown = (user: string, messageId: string, ts: number): TestRecord => event(user, 'message_shown', ts, { message_id: messageId, message_version: 1 });

function answered(user: string, messageId: string, responseId: string, ts: number, questionId: string, type: string, value: Record<string, unknown>, locale = 'en'): TestRecord {
  return event(user, 'survey_answered', ts, { message_id: messageId, response_id: responseId, question_id: questionId, question_type: type, survey: type, locale, ...value });
}
function closed(user: string, messageId: string, responseId: string, ts: number, last: string, completed: boolean, locale = 'en'): TestRecord {
  return event(user, 'survey_closed', ts, { message_id: messageId, response_id: responseId, last_question_id: last, completed, locale });
}
const srv = (user: string, responseId: string, start: number, locale = 'en') => ({
  sat: (score: number, at = 0) => answered(user, 'srv', responseId, start + at, 'sat', 'csat', { score }, locale),
  why: (choice: string, text?: string) => answered(user, 'srv', responseId, start + MINUTE, 'why', 'single_choice', { choice, ...(text ? { text } : {}) }, locale),
  effort: (score: number) => answered(user, 'srv', responseId, start + 2 * MINUTE, 'effort', 'ces', { score }, locale),
  more: (text: string) => answered(user, 'srv', responseId, start + 3 * MINUTE, 'more', 'open_text', { text }, locale),
  closed: (last: string, completed: boolean) => closed(user, 'srv', responseId, start + 4 * MINUTE, last, completed, locale),
});

const PLANS: Record<string, string> = { u1: 'growth', u2: 'starter', u3: 'growth', u4: 'enterprise', u5: 'starter', u6: 'growth', u7: 'free', u8: 'free' };

const r1 = srv('u1', 'r1', ASOF - HOUR);
const r2 = srv('u2', 'r2', ASOF - 2 * HOUR, 'fr');
const r3 = srv('u3', 'r3', ASOF - 3 * DAY, 'fr');
const r4 = srv('u4', 'r4', ASOF - WEEK + 1);
const r5 = srv('u5', 'r5', ASOF - WEEK);
const r6 = srv('u6', 'r6', ASOF - 20 * DAY);
const r7 = srv('u7', 'r7', ASOF - DAY);
const late = srv('u8', 'r8', ASOF + HOUR);

const RECORDS: TestRecord[] = [
  ...Object.entries(PLANS).map(([user, plan]): TestRecord => ({ user, identify: { plan }, ts: ASOF - 100 * DAY })),
  ...['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8'].map((u, i) => shown(u, 'srv', ASOF - 30 * DAY + i * HOUR)),
  // r1: satisfied, so on to effort, then the open question: complete.
  r1.sat(5), r1.effort(2), r1.more('Great reports'), r1.closed('more', true),
  // r2: 2 leads to why; closed on the optional last question without answering it: partial.
  r2.sat(2), r2.why('price'), r2.effort(6), r2.closed('more', false),
  // r3: 3 leads to why ("other" with a text); closed on effort: partial.
  r3.sat(3), r3.why('other', 'Too many clicks'), r3.closed('effort', false),
  // r4: skipped the optional last question and the survey says it reached the end: complete.
  r4.sat(4), r4.effort(3), r4.closed('more', true),
  // r5: one answer, never closed (the tab was closed): partial.
  r5.sat(1),
  // r6: the SDK sent the first answer twice (4, then 5: the latest counts); no survey_closed, yet every question is answered: complete.
  r6.sat(4), r6.sat(5, 30_000), r6.effort(1), r6.more('Slow export'),
  // r7: closed without an answer: a dismissal, not a response.
  r7.closed('sat', false),
  // Not answers: after asOf; a score off the CSAT scale; a CSAT answer tagged as NPS; no response id; another message.
  late.sat(5),
  answered('u7', 'srv', 'r9', ASOF - DAY, 'sat', 'csat', { score: 6 }),
  event('u7', 'survey_answered', ASOF - DAY, { message_id: 'srv', response_id: 'r10', question_id: 'sat', question_type: 'csat', survey: 'nps', score: 3, locale: 'en' }),
  event('u7', 'survey_answered', ASOF - DAY, { message_id: 'srv', question_id: 'sat', question_type: 'csat', survey: 'csat', score: 3, locale: 'en' }),
  answered('u7', 'other_survey', 'r11', ASOF - DAY, 'sat', 'csat', { score: 1 }),

  // The second survey: s1 and s2 answer everything; s3's only answer is a CSAT score on the NPS question, which is not an NPS answer.
  answered('u1', 'srv2', 's1', ASOF - DAY, 'rec', 'nps', { score: 10 }),
  answered('u1', 'srv2', 's1', ASOF - DAY + MINUTE, 'feat', 'multi_choice', { choices: ['a', 'b'] }),
  answered('u1', 'srv2', 's1', ASOF - DAY + 2 * MINUTE, 'rate', 'rating', { score: 4 }),
  answered('u2', 'srv2', 's2', ASOF - 2 * DAY, 'rec', 'nps', { score: 6 }),
  answered('u2', 'srv2', 's2', ASOF - 2 * DAY + MINUTE, 'feat', 'multi_choice', { choices: ['b', 'other', 'b'], text: 'Dark mode' }),
  answered('u2', 'srv2', 's2', ASOF - 2 * DAY + 2 * MINUTE, 'rate', 'rating', { score: 2 }),
  event('u3', 'survey_answered', ASOF - DAY, { message_id: 'srv2', response_id: 's3', question_id: 'rec', question_type: 'csat', survey: 'csat', score: 3, locale: 'en' }),

  // A legacy NPS message: two NPS answers and a CSAT answer with score 3 carrying the same message id.
  event('u1', 'survey_answered', ASOF - DAY, { message_id: 'nps_legacy', message_version: 1, survey: 'nps', score: 9, comment: 'good' }),
  event('u2', 'survey_answered', ASOF - DAY, { message_id: 'nps_legacy', message_version: 1, survey: 'nps', score: 7 }),
  event('u3', 'survey_answered', ASOF - DAY, { message_id: 'nps_legacy', message_version: 1, survey: 'csat', score: 3 }),
];

function env(records: TestRecord[] = RECORDS): MessageDeps {
  const { db } = tempCache();
  buildWorld(db, records);
  let now = ASOF;
  const clock = (): number => (now += 1000);
  const segments = new SegmentService(db, clock);
  const workshops = new WorkshopService(db, clock, segments);
  segments.save({ name: 'Starters', rule: planIs('starter') });
  segments.save({ name: 'Enterprise', rule: planIs('enterprise') });
  const acme = workshops.create({ title: 'Acme', template: 'personas' });
  workshops.save({ ...acme, personas: [rulePersona('p_growth', 'Growth admins', planIs('growth')), rulePersona('p_big', 'Big spenders', planIs('enterprise'))] });
  return { db, segments, workshops, asOf: ASOF };
}

describe('survey results', () => {
  let deps: MessageDeps;
  beforeEach(() => {
    deps = env();
  });
  const survey = (id = 'srv', content: SurveyContent | null = SURVEY, search?: string) => {
    const results = messageResults(deps, id, search, null, content).survey;
    if (!results) throw new Error('expected survey results');
    return results;
  };
  const question = (id: string, results = survey()) => {
    const q = results.questions.find((x) => x.id === id);
    if (!q) throw new Error(`no question ${id}`);
    return q;
  };

  it('counts responses (partial ones too), the response rate over showings and completion by walking the branches', () => {
    const results = survey();
    // r1..r6 answered something; r7 only closed; r8 is after asOf. Shown 8 times.
    expect(results.responses).toBe(6);
    expect(results.responseRate).toBe(6 / 8);
    // Complete: r1 (to the end), r4 (skipped the optional last one, closed at the end), r6 (all answered, never closed).
    // Partial: r2 (stopped at the optional last one), r3 (stopped at effort), r5 (stopped after the first).
    expect(results.completed).toBe(3);
    expect(results.completionRate).toBe(0.5);
    expect(results.byLocale).toEqual([
      { locale: 'en', responses: 4 },
      { locale: 'fr', responses: 2 },
    ]);
  });

  it('without the content, completion is what survey_closed said, and the questions come from the answers', () => {
    const results = survey('srv', null);
    expect(results.questions.map((q) => [q.id, q.type, q.text])).toEqual([
      ['sat', 'csat', 'sat'],
      ['effort', 'ces', 'effort'],
      ['more', 'open_text', 'more'],
      ['why', 'single_choice', 'why'],
    ]);
    // r1 and r4 closed with completed: true; r6 never closed.
    expect(results.completed).toBe(2);
    expect(question('why', results).choices).toEqual([
      { id: 'price', label: 'price', count: 1 },
      { id: 'other', label: 'Other', count: 1 },
    ]);
  });

  it('CSAT as the share satisfied (4-5), with its distribution; the latest of a repeated answer counts', () => {
    const sat = question('sat');
    // 5, 2, 3, 4, 1, 5 (r6: 4 then 5): three of six at 4 or 5.
    expect(sat).toMatchObject({ type: 'csat', text: 'How satisfied are you with reports?', answers: 6, metric: 'satisfied', value: 0.5, scale: { min: 1, max: 5 } });
    expect(sat.distribution).toEqual([1, 1, 1, 1, 2]);
  });

  it('CES as the mean, with its distribution', () => {
    const effort = question('effort');
    // 2, 6, 3, 1: mean 3.
    expect(effort).toMatchObject({ answers: 4, metric: 'mean', value: 3, scale: { min: 1, max: 7 } });
    expect(effort.distribution).toEqual([1, 1, 1, 0, 0, 1, 0]);
  });

  it('a weekly trend of the metric, windows ending at asOf', () => {
    const weekly = question('sat').weekly;
    expect(weekly).toHaveLength(12);
    const weeksAgo = (k: number) => weekly[11 - k];
    // The latest week: r1 5, r2 2, r3 3, r4 4 (one ms inside it): 2 of 4 satisfied.
    expect(weeksAgo(0)).toEqual({ weekStart: ASOF - WEEK, answers: 4, value: 0.5 });
    // r5, exactly a week back, is in the week before.
    expect(weeksAgo(1)).toEqual({ weekStart: ASOF - 2 * WEEK, answers: 1, value: 0 });
    expect(weeksAgo(2)).toEqual({ weekStart: ASOF - 3 * WEEK, answers: 1, value: 1 });
    expect(weeksAgo(3)).toEqual({ weekStart: ASOF - 4 * WEEK, answers: 0, value: null });
  });

  it('choice counts with "other" and its texts', () => {
    const why = question('why');
    expect(why.choices).toEqual([
      { id: 'slow', label: 'Too slow', count: 0 },
      { id: 'price', label: 'Too expensive', count: 1 },
      { id: 'other', label: 'Other', count: 1 },
    ]);
    expect(why.texts.map((t) => [t.userId, t.text, t.locale, t.personas])).toEqual([['u3', 'Too many clicks', 'fr', ['Growth admins']]]);
  });

  it('open texts newest first with the answerer’s personas, searchable by text, user or persona', () => {
    expect(question('more').texts).toEqual([
      { responseId: 'r1', userId: 'u1', text: 'Great reports', ts: ASOF - HOUR + 3 * MINUTE, locale: 'en', personas: ['Growth admins'] },
      { responseId: 'r6', userId: 'u6', text: 'Slow export', ts: ASOF - 20 * DAY + 3 * MINUTE, locale: 'en', personas: ['Growth admins'] },
    ]);
    const search = (text: string) => question('more', survey('srv', SURVEY, text)).texts.map((t) => t.responseId);
    expect(search('EXPORT')).toEqual(['r6']);
    expect(search('u1')).toEqual(['r1']);
    expect(search('growth adm')).toEqual(['r1', 'r6']);
    expect(search('nothing')).toEqual([]);
    // The search narrows the texts, not the figures.
    expect(question('more', survey('srv', SURVEY, 'nothing')).answers).toBe(2);
  });

  it('splits responses, completion and every question by segment and persona', () => {
    const results = survey();
    expect(results.bySegment).toEqual([
      { label: 'Enterprise', responses: 1, completed: 1 },
      { label: 'Starters', responses: 2, completed: 0 },
    ]);
    // Growth admins: r1 (complete), r3 (partial), r6 (complete). Big spenders: r4 (complete).
    expect(results.byPersona).toEqual([
      { label: 'Growth admins', responses: 3, completed: 2 },
      { label: 'Big spenders', responses: 1, completed: 1 },
    ]);
    // CSAT: growth 5, 3, 5 → 2 of 3; enterprise 4 → all; starters 2, 1 → none.
    expect(question('sat', results).byPersona).toEqual([
      { label: 'Growth admins', answers: 3, value: 2 / 3, choiceCounts: [] },
      { label: 'Big spenders', answers: 1, value: 1, choiceCounts: [] },
    ]);
    expect(question('sat', results).bySegment).toEqual([
      { label: 'Enterprise', answers: 1, value: 1, choiceCounts: [] },
      { label: 'Starters', answers: 2, value: 0, choiceCounts: [] },
    ]);
    // why: starter u2 chose price; growth u3 chose other.
    expect(question('why', results).bySegment.find((g) => g.label === 'Starters')?.choiceCounts).toEqual([0, 1, 0]);
    expect(question('why', results).byPersona.find((g) => g.label === 'Growth admins')?.choiceCounts).toEqual([0, 0, 1]);
  });

  it('an NPS question scores as NPS and never takes a CSAT answer; multiple choices and a rating count', () => {
    const results = survey('srv2', SECOND);
    // s3's only answer is a CSAT score 3 on the NPS question: not a response at all.
    expect(results.responses).toBe(2);
    // 10 and 6: one promoter, one detractor. With the CSAT 3 as a detractor it would be −33.
    expect(question('rec', results)).toMatchObject({ answers: 2, metric: 'nps', value: 0 });
    expect(question('feat', results).choices.map((c) => [c.id, c.count])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 0],
      ['other', 1],
    ]);
    expect(question('feat', results).texts.map((t) => t.text)).toEqual(['Dark mode']);
    expect(question('rate', results)).toMatchObject({ metric: 'mean', value: 3, distribution: [0, 1, 0, 1, 0] });
    // A survey's NPS question is not the legacy NPS view's.
    expect(messageResults(deps, 'srv2', undefined, null, SECOND).nps).toBeNull();
  });

  it('the legacy NPS results read only survey "nps" answers: a CSAT answer with score 3 is not a detractor', () => {
    const results = messageResults(deps, 'nps_legacy');
    // 9 and 7: one promoter, one passive, NPS 50. Counting the CSAT 3 would make it 3 answers and 0.
    expect(results.nps).toMatchObject({ answers: 2, score: 50 });
    expect(results.nps?.distribution[3]).toBe(0);
    expect(results.survey).toBeNull();
  });

  it('a survey nobody answered yet has empty results; other kinds have none', () => {
    const empty = survey('srv_new', SURVEY);
    expect(empty).toMatchObject({ responses: 0, completed: 0, responseRate: null, completionRate: null });
    expect(empty.questions.map((q) => [q.id, q.answers, q.value])).toEqual([
      ['sat', 0, null],
      ['why', 0, null],
      ['effort', 0, null],
      ['more', 0, null],
    ]);
    expect(messageResults(deps, 'upsell_1').survey).toBeNull();
  });

  it('counts responses per day by their first answer in the daily trend', () => {
    const daily = messageResults(deps, 'srv', undefined, null, SURVEY).daily;
    // r1, r2 (last day), r3 (3 days back), r4 and r5 (a week), r6 (20 days): six responses in the 30 days.
    expect(daily.reduce((n, d) => n + d.answered, 0)).toBe(6);
    expect(daily[29]?.answered).toBe(2);
  });
});
