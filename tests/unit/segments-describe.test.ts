/**
 * Issue 17, item 3: the plain-English sentence is grammatical for every condition type and operator.
 * One row per case: the rule (or condition) and the exact sentence it must read as.
 */
import { describe, expect, it } from 'vitest';
import { describeCondition, describeRule } from '../../src/shared/segments/describe';
import { COUNT_OPS, VALUE_OPS, type Condition, type Rule } from '../../src/shared/segments/rule';

const all = (...conditions: Condition[]): Rule => ({ version: 1, match: 'all', conditions });
const any = (...conditions: Condition[]): Rule => ({ version: 1, match: 'any', conditions });
const plan = (op: (typeof VALUE_OPS)[number], value?: string | number | boolean | (string | number)[], negate?: boolean): Condition => ({
  type: 'trait',
  trait: 'plan',
  op,
  ...(value === undefined ? {} : { value }),
  ...(negate ? { negate } : {}),
});
const run = (op: (typeof COUNT_OPS)[number], count: number, extra: Partial<Extract<Condition, { type: 'event' }>> = {}): Condition => ({
  type: 'event',
  event: 'report_run',
  op,
  count,
  ...extra,
});

const rows: [string, Rule, string][] = [
  // Traits: "whose", every value operator, plain and negated.
  ['trait eq', all(plan('eq', 'starter')), 'Users whose plan is “starter”'],
  ['trait eq, negated', all(plan('eq', 'starter', true)), 'Users whose plan is not “starter”'],
  ['trait neq', all(plan('neq', 'starter')), 'Users whose plan is not “starter”'],
  ['trait neq, negated', all(plan('neq', 'starter', true)), 'Users whose plan is “starter”'],
  ['trait in, one value', all(plan('in', ['pro'])), 'Users whose plan is “pro”'],
  ['trait in, two values', all(plan('in', ['pro', 'team'])), 'Users whose plan is one of “pro” or “team”'],
  ['trait in, three values', all(plan('in', ['pro', 'team', 'enterprise'])), 'Users whose plan is one of “pro”, “team” or “enterprise”'],
  ['trait in, empty', all(plan('in', [])), 'Users whose plan is one of an empty list (no one)'],
  ['trait in, negated', all(plan('in', ['pro', 'team'], true)), 'Users whose plan is none of “pro” or “team”'],
  ['trait not_in, one value', all(plan('not_in', ['free'])), 'Users whose plan is not “free”'],
  ['trait not_in, two values', all(plan('not_in', ['free', 'trial'])), 'Users whose plan is none of “free” or “trial”'],
  ['trait not_in, empty', all(plan('not_in', [])), 'Users whose plan is anything (the list to leave out is empty)'],
  ['trait not_in, negated', all(plan('not_in', ['free'], true)), 'Users whose plan is “free”'],
  ['trait contains', all(plan('contains', 'pro')), 'Users whose plan contains “pro”'],
  ['trait contains, negated', all(plan('contains', 'pro', true)), 'Users whose plan does not contain “pro”'],
  ['trait gt (number)', all({ type: 'trait', trait: 'seats', op: 'gt', value: 5 }), 'Users whose seats is above 5'],
  ['trait gt, negated', all({ type: 'trait', trait: 'seats', op: 'gt', value: 5, negate: true }), 'Users whose seats is not above 5'],
  ['trait gte', all({ type: 'trait', trait: 'seats', op: 'gte', value: 5 }), 'Users whose seats is at least 5'],
  ['trait gte, negated', all({ type: 'trait', trait: 'seats', op: 'gte', value: 5, negate: true }), 'Users whose seats is not at least 5'],
  ['trait lt', all({ type: 'trait', trait: 'signed_up', op: 'lt', value: '2026-01-01' }), 'Users whose signed_up is below “2026-01-01”'],
  ['trait lt, negated', all({ type: 'trait', trait: 'seats', op: 'lt', value: 5, negate: true }), 'Users whose seats is not below 5'],
  ['trait lte', all({ type: 'trait', trait: 'seats', op: 'lte', value: 5 }), 'Users whose seats is at most 5'],
  ['trait lte, negated', all({ type: 'trait', trait: 'seats', op: 'lte', value: 5, negate: true }), 'Users whose seats is not at most 5'],
  ['trait exists', all(plan('exists')), 'Users whose plan is set'],
  ['trait exists, negated', all(plan('exists', undefined, true)), 'Users whose plan is not set'],
  ['trait not_exists', all(plan('not_exists')), 'Users whose plan is not set'],
  ['trait not_exists, negated', all(plan('not_exists', undefined, true)), 'Users whose plan is set'],
  ['trait eq a boolean', all({ type: 'trait', trait: 'beta', op: 'eq', value: true }), 'Users whose beta is true'],
  ['trait still being filled in', all(plan('eq')), 'Users whose plan is …'],
  ['trait list still being filled in', all(plan('in')), 'Users whose plan is one of …'],

  // Events: every count operator, windows, property filters, and negation worded as the opposite count.
  ['event >= 1', all(run('>=', 1)), 'Users who did report_run'],
  ['event >= 0', all(run('>=', 0)), 'Users who did report_run any number of times, or never'],
  ['event >= 2', all(run('>=', 2)), 'Users who did report_run at least twice'],
  ['event >= 6 in a window', all(run('>=', 6, { within: { days: 30 } })), 'Users who did report_run at least 6 times in the last 30 days'],
  ['event > 2', all(run('>', 2)), 'Users who did report_run more than twice'],
  ['event = 1', all(run('=', 1)), 'Users who did report_run exactly once'],
  ['event = 0', all(run('=', 0)), 'Users who never did report_run'],
  ['event != 3', all(run('!=', 3)), 'Users who did report_run other than 3 times'],
  ['event <= 1000', all(run('<=', 1000)), 'Users who did report_run at most 1,000 times'],
  ['event <= 0', all(run('<=', 0)), 'Users who never did report_run'],
  ['event < 1', all(run('<', 1)), 'Users who never did report_run'],
  ['event < 5', all(run('<', 5)), 'Users who did report_run fewer than 5 times'],
  ['event in the last day', all(run('>=', 1, { within: { days: 1 } })), 'Users who did report_run in the last 1 day'],
  ['event never, in a window', all(run('=', 0, { within: { days: 30 } })), 'Users who never did report_run in the last 30 days'],
  [
    'event with a property filter',
    all(run('>=', 2, { within: { days: 30 }, where: [{ property: 'format', op: 'eq', value: 'pdf' }] })),
    'Users who did report_run where format is “pdf” at least twice in the last 30 days',
  ],
  [
    'event with two property filters',
    all(run('>=', 1, { where: [{ property: 'format', op: 'in', value: ['pdf', 'csv'] }, { property: 'pages', op: 'gt', value: 3 }] })),
    'Users who did report_run where format is one of “pdf” or “csv” and pages is above 3',
  ],
  ['event >= 6, negated', all(run('>=', 6, { negate: true })), 'Users who did report_run fewer than 6 times'],
  ['event >= 1, negated', all(run('>=', 1, { negate: true })), 'Users who never did report_run'],
  ['event > 2, negated', all(run('>', 2, { negate: true })), 'Users who did report_run at most twice'],
  ['event = 0, negated', all(run('=', 0, { negate: true })), 'Users who did report_run'],
  ['event > 0', all(run('>', 0)), 'Users who did report_run'],
  ['event != 0', all(run('!=', 0)), 'Users who did report_run'],
  ['event != 3, negated', all(run('!=', 3, { negate: true })), 'Users who did report_run exactly 3 times'],
  ['event <= 4, negated', all(run('<=', 4, { negate: true })), 'Users who did report_run more than 4 times'],
  ['event < 1, negated', all(run('<', 1, { negate: true })), 'Users who did report_run'],

  // First and last seen.
  ['first seen within', all({ type: 'first_seen', op: 'within', days: 14 }), 'Users who were first seen in the last 14 days'],
  ['first seen before, negated', all({ type: 'first_seen', op: 'before', days: 1, negate: true }), 'Users who were not first seen more than 1 day ago'],
  ['last seen before', all({ type: 'last_seen', op: 'before', days: 30 }), 'Users who were last seen more than 30 days ago'],
  ['last seen within, negated', all({ type: 'last_seen', op: 'within', days: 7, negate: true }), 'Users who were not last seen in the last 7 days'],

  // Accounts.
  ['account eq', all({ type: 'account', trait: 'plan', op: 'eq', value: 'enterprise' }), 'Users who have an account whose plan is “enterprise”'],
  ['account eq, negated', all({ type: 'account', trait: 'plan', op: 'eq', value: 'enterprise', negate: true }), 'Users who have no account whose plan is “enterprise”'],
  ['account gte', all({ type: 'account', trait: 'seats', op: 'gte', value: 50 }), 'Users who have an account whose seats is at least 50'],
  ['account exists', all({ type: 'account', trait: 'industry', op: 'exists' }), 'Users who have an account whose industry is set'],

  // NPS and segments.
  ['nps promoter', all({ type: 'nps', category: 'promoter' }), 'Users who are NPS promoters'],
  ['nps passive, negated', all({ type: 'nps', category: 'passive', negate: true }), 'Users who are not NPS passives'],
  ['nps detractor', all({ type: 'nps', category: 'detractor' }), 'Users who are NPS detractors'],
  ['segment', all({ type: 'segment', segment: 'seg_1' }), 'Users who are in “seg_1”'],
  ['segment, negated', all({ type: 'segment', segment: 'seg_1', negate: true }), 'Users who are not in “seg_1”'],

  // Several conditions: the pronoun changes with the clause, and "who" is said once per run.
  ['the issue’s example', all(plan('eq', 'starter'), run('>=', 1)), 'Users whose plan is “starter” and who did report_run'],
  ['event then trait', all(run('>=', 6, { within: { days: 30 } }), plan('neq', 'free')), 'Users who did report_run at least 6 times in the last 30 days and whose plan is not “free”'],
  ['two traits', any(plan('eq', 'pro'), { type: 'trait', trait: 'seats', op: 'gt', value: 9 }), 'Users whose plan is “pro” or whose seats is above 9'],
  ['who once for a run', all(run('>=', 6, { within: { days: 30 } }), { type: 'event', event: 'invite_sent', op: '=', count: 0 }), 'Users who did report_run at least 6 times in the last 30 days and never did invite_sent'],
  ['segment then trait', all({ type: 'segment', segment: 'Power users' }, plan('not_in', ['free'])), 'Users who are in “Power users” and whose plan is not “free”'],

  // Groups: brackets where the grouping matters, none where it does not, negation pushed inside.
  ['any-group inside all', all(run('>=', 1), { type: 'group', match: 'any', conditions: [plan('eq', 'pro'), { type: 'nps', category: 'promoter' }] }), 'Users who did report_run and (whose plan is “pro” or who are NPS promoters)'],
  ['all-group inside all', all(run('>=', 1), { type: 'group', match: 'all', conditions: [plan('eq', 'pro'), { type: 'nps', category: 'promoter' }] }), 'Users who did report_run and whose plan is “pro” and who are NPS promoters'],
  ['one-condition group', all({ type: 'group', match: 'any', conditions: [plan('eq', 'pro')] }), 'Users whose plan is “pro”'],
  [
    'negated any-group',
    all({ type: 'group', match: 'any', negate: true, conditions: [plan('in', ['pro', 'team']), { type: 'event', event: 'upgrade', op: '>=', count: 1 }] }),
    'Users whose plan is none of “pro” or “team” and who never did upgrade',
  ],
  ['negated all-group inside all', all(run('>=', 1), { type: 'group', match: 'all', negate: true, conditions: [plan('eq', 'pro'), { type: 'nps', category: 'promoter' }] }), 'Users who did report_run and (whose plan is not “pro” or who are not NPS promoters)'],
  ['empty all-group', all({ type: 'group', match: 'all', conditions: [] }), 'Users who match everyone'],
  ['empty any-group', all({ type: 'group', match: 'any', conditions: [] }), 'Users who match no one'],
  ['negated empty any-group', all({ type: 'group', match: 'any', negate: true, conditions: [] }), 'Users who match everyone'],
  ['negated empty all-group', all({ type: 'group', match: 'all', negate: true, conditions: [] }), 'Users who match no one'],

  ['no conditions, all', all(), 'All users'],
  ['no conditions, any', any(), 'No users'],
];

describe('describeRule reads every condition and operator as a grammatical sentence', () => {
  it.each(rows)('%s', (_name, rule, sentence) => {
    expect(describeRule(rule)).toBe(sentence);
  });

  it('covers every value operator and every count operator, plain and negated', () => {
    const valueOps = new Set(rows.flatMap(([, rule]) => rule.conditions.filter((c) => c.type === 'trait').map((c) => `${c.op}${c.negate ? '!' : ''}`)));
    for (const op of VALUE_OPS) expect([valueOps.has(op), valueOps.has(`${op}!`)]).toEqual([true, true]);
    const countOps = new Set(rows.flatMap(([, rule]) => rule.conditions.filter((c) => c.type === 'event').map((c) => `${c.op}${c.negate ? '!' : ''}`)));
    for (const op of COUNT_OPS) expect([countOps.has(op), countOps.has(`${op}!`)]).toEqual([true, true]);
  });

  it('never reads the old ungrammatical forms', () => {
    for (const [, rule] of rows) expect(describeRule(rule)).not.toMatch(/who \w+ is|not: |it is not true|who not \(/);
  });

  it('names segments by their names', () => {
    expect(describeRule(all({ type: 'segment', segment: 'seg_1' }), (id) => (id === 'seg_1' ? 'Power users' : id))).toBe('Users who are in “Power users”');
  });
});

describe('describeCondition words one condition for an explanation line', () => {
  it.each<[string, Condition, string]>([
    ['trait', plan('eq', 'starter'), 'trait plan is “starter”'],
    ['negated trait', plan('eq', 'starter', true), 'trait plan is not “starter”'],
    ['event', run('>=', 6, { within: { days: 30 } }), 'did report_run at least 6 times in the last 30 days'],
    ['account', { type: 'account', trait: 'plan', op: 'eq', value: 'enterprise' }, 'have an account whose plan is “enterprise”'],
    ['group', { type: 'group', match: 'any', conditions: [plan('eq', 'pro'), run('>', 0)] }, '(trait plan is “pro” or did report_run)'],
    ['negated group', { type: 'group', match: 'any', negate: true, conditions: [plan('eq', 'pro'), run('>', 0)] }, '(trait plan is not “pro” and never did report_run)'],
  ])('%s', (_name, condition, text) => {
    expect(describeCondition(condition)).toBe(text);
  });
});
