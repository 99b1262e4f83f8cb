/**
 * The segment rule model (version 1): portable JSON, validated with zod, documented in docs/SEGMENTS.md.
 * One model, two evaluators that must agree: the SQL compiler over the cache (src/main/segments) and
 * the JS evaluator over one user's profile (./evaluate.ts).
 */
import { z } from 'zod';
import { nestsDeeperThan, tooDeep } from '../json-depth';

export const COUNT_OPS = ['>=', '>', '=', '!=', '<=', '<'] as const;
export type CountOp = (typeof COUNT_OPS)[number];

export const VALUE_OPS = ['eq', 'neq', 'in', 'not_in', 'contains', 'gt', 'gte', 'lt', 'lte', 'exists', 'not_exists'] as const;
export type ValueOp = (typeof VALUE_OPS)[number];

export type Scalar = string | number | boolean;

/** A filter on a trait or an event property. */
export interface ValueFilter {
  op: ValueOp;
  /** A scalar for eq/neq/contains/gt/gte/lt/lte, a list for in/not_in, absent for exists/not_exists. */
  value?: Scalar | Scalar[];
}

export interface PropertyFilter extends ValueFilter {
  property: string;
}

interface Negatable {
  negate?: boolean;
}

export interface EventCondition extends Negatable {
  type: 'event';
  event: string;
  op: CountOp;
  count: number;
  within?: { days: number };
  where?: PropertyFilter[];
}

export interface SeenCondition extends Negatable {
  type: 'first_seen' | 'last_seen';
  op: 'within' | 'before';
  days: number;
}

export interface TraitCondition extends Negatable, ValueFilter {
  type: 'trait';
  trait: string;
}

/**
 * A trait of the user's accounts (from group calls): true when at least one of the user's accounts has
 * a trait that passes the filter, judged as `trait` judges one value. A user with no account matches
 * nothing, whatever the operator; "no account with …" is this condition negated.
 */
export interface AccountCondition extends Negatable, ValueFilter {
  type: 'account';
  trait: string;
}

export type NpsCategory = 'promoter' | 'passive' | 'detractor';

export interface NpsCondition extends Negatable {
  type: 'nps';
  category: NpsCategory;
}

/**
 * A user's latest answer to one question of a `survey` message (issue 18): the latest survey_answered
 * event with that message_id and question_id at or before asOf (in the last `withinDays` days when
 * given; ties: the greater record id), whose score lies in the range (inclusive, either side optional),
 * or whose choice (or one of whose choices) is the id. A user without such an answer matches nothing;
 * negated, they match.
 */
export interface SurveyCondition extends Negatable {
  type: 'survey';
  message: string;
  question: string;
  score?: { min?: number; max?: number };
  choice?: string;
  withinDays?: number;
}

export interface SegmentRefCondition extends Negatable {
  type: 'segment';
  segment: string;
}

export interface GroupCondition extends Negatable {
  type: 'group';
  match: 'all' | 'any';
  conditions: Condition[];
}

export type Condition = EventCondition | SeenCondition | TraitCondition | AccountCondition | NpsCondition | SurveyCondition | SegmentRefCondition | GroupCondition;

export interface Rule {
  version: 1;
  match: 'all' | 'any';
  conditions: Condition[];
}

/** Names of traits and properties: JSON object keys we can address safely in SQLite's JSON paths. */
const fieldName = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'is longer than 200 characters')
  .refine((s) => ![...s].some((ch) => ch === '"' || ch === '\\' || ch.charCodeAt(0) < 0x20), 'may not contain quotes, backslashes or control characters');

const scalar = z.union([z.string().max(1000), z.number().refine(Number.isFinite, 'must be a finite number'), z.boolean()]);
const days = z.number().int('must be a whole number of days').min(1, 'must be at least 1').max(36_500, 'must be at most 36500');

function checkValue(filter: ValueFilter, ctx: z.RefinementCtx): void {
  const { op, value } = filter;
  const say = (message: string): void => ctx.addIssue({ code: 'custom', message, path: ['value'] });
  if (op === 'exists' || op === 'not_exists') {
    if (value !== undefined) say(`"${op}" takes no value`);
  } else if (op === 'in' || op === 'not_in') {
    if (!Array.isArray(value)) say(`"${op}" needs a list of values`);
  } else if (value === undefined || Array.isArray(value)) {
    say(`"${op}" needs one value`);
  } else if (op === 'contains' && typeof value !== 'string') {
    say('"contains" compares text: give a string');
  } else if ((op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte') && typeof value === 'boolean') {
    say(`"${op}" compares numbers or dates, not true/false`);
  }
}

const valueFilterShape = {
  op: z.enum(VALUE_OPS),
  value: z.union([scalar, z.array(scalar).max(1000)]).optional(),
};

const propertyFilter = z
  .object({ property: fieldName, ...valueFilterShape })
  .strict()
  .superRefine((f, ctx) => checkValue(f, ctx));

const negate = z.boolean().optional();

const eventCondition = z
  .object({
    type: z.literal('event'),
    event: z.string().min(1, 'name the event').max(200),
    op: z.enum(COUNT_OPS),
    count: z.number().int('must be a whole number').min(0, 'cannot be negative').max(1_000_000_000),
    within: z.object({ days }).strict().optional(),
    where: z.array(propertyFilter).max(20).optional(),
    negate,
  })
  .strict();

const seenCondition = z
  .object({ type: z.enum(['first_seen', 'last_seen']), op: z.enum(['within', 'before']), days, negate })
  .strict();

const traitCondition = z
  .object({ type: z.literal('trait'), trait: fieldName, ...valueFilterShape, negate })
  .strict()
  .superRefine((f, ctx) => checkValue(f, ctx));

// The same shape and value operators as a trait condition, about the user's accounts' traits.
const accountCondition = z
  .object({ type: z.literal('account'), trait: fieldName, ...valueFilterShape, negate })
  .strict()
  .superRefine((f, ctx) => checkValue(f, ctx));

const npsCondition = z.object({ type: z.literal('nps'), category: z.enum(['promoter', 'passive', 'detractor']), negate }).strict();

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const surveyCondition = z
  .object({
    type: z.literal('survey'),
    message: z.string().min(1, 'pick the survey message').max(128),
    question: z.string().min(1, 'pick the question').max(32),
    score: z.object({ min: finite.optional(), max: finite.optional() }).strict().optional(),
    choice: z.string().min(1, 'pick the choice').max(32).optional(),
    withinDays: days.optional(),
    negate,
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.score === undefined) === (c.choice === undefined)) ctx.addIssue({ code: 'custom', message: 'give either a score range or a choice', path: ['score'] });
    if (c.score && c.score.min === undefined && c.score.max === undefined) ctx.addIssue({ code: 'custom', message: 'give the lowest or the highest score', path: ['score'] });
    if (c.score?.min !== undefined && c.score.max !== undefined && c.score.min > c.score.max) ctx.addIssue({ code: 'custom', message: 'the lowest score is above the highest', path: ['score'] });
  });

const segmentCondition = z.object({ type: z.literal('segment'), segment: z.string().min(1).max(100), negate }).strict();

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.discriminatedUnion('type', [
    eventCondition,
    seenCondition,
    traitCondition,
    accountCondition,
    npsCondition,
    surveyCondition,
    segmentCondition,
    z
      .object({ type: z.literal('group'), match: z.enum(['all', 'any']), conditions: z.array(conditionSchema).max(100), negate })
      .strict(),
  ]),
) as z.ZodType<Condition>;

export const ruleSchema: z.ZodType<Rule> = z
  .object({
    version: z.literal(1, { error: 'version must be 1' }),
    match: z.enum(['all', 'any']),
    conditions: z.array(conditionSchema).max(100),
  })
  .strict() as z.ZodType<Rule>;

export const MAX_DEPTH = 8;
/** Conditions and where-filters in one rule, counted after segment references are inlined. */
export const MAX_LEAVES = 1000;

/** Conditions (groups excluded) plus where-filters: what a rule costs to evaluate. */
export function countLeaves(conditions: readonly Condition[]): number {
  let n = 0;
  for (const c of conditions) {
    if (c.type === 'group') n += countLeaves(c.conditions);
    else n += 1 + (c.type === 'event' ? (c.where?.length ?? 0) : 0);
  }
  return n;
}

/** Where in a rule an issue is, in words: "condition 2 › condition 1 › value". */
export function describePath(path: readonly PropertyKey[]): string {
  const parts: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    if (key === 'conditions' && typeof path[i + 1] === 'number') {
      parts.push(`condition ${(path[i + 1] as number) + 1}`);
      i += 1;
    } else if (key === 'where' && typeof path[i + 1] === 'number') {
      parts.push(`filter ${(path[i + 1] as number) + 1}`);
      i += 1;
    } else parts.push(String(key));
  }
  return parts.length > 0 ? parts.join(' › ') : 'rule';
}

export type RuleParse = { ok: true; rule: Rule } | { ok: false; errors: string[] };

/** Validates a rule, with errors that say which condition and what is wrong. */
export function parseRule(input: unknown): RuleParse {
  // zod recurses into nested groups before the group-depth check below could run: 2,000 levels overflowed the stack.
  if (nestsDeeperThan(input)) return { ok: false, errors: [`rule: ${tooDeep('the rule')}, far more than groups may nest (${MAX_DEPTH})`] };
  const result = ruleSchema.safeParse(input);
  if (!result.success) {
    return { ok: false, errors: result.error.issues.slice(0, 10).map((i) => `${describePath(i.path)}: ${i.message}`) };
  }
  const depth = (conditions: Condition[], level: number): number =>
    Math.max(level, ...conditions.map((c) => (c.type === 'group' ? depth(c.conditions, level + 1) : level)));
  if (depth(result.data.conditions, 1) > MAX_DEPTH) return { ok: false, errors: [`rule: groups nest more than ${MAX_DEPTH} deep`] };
  const leaves = countLeaves(result.data.conditions);
  if (leaves > MAX_LEAVES) return { ok: false, errors: [`rule: ${leaves} conditions and filters, more than the ${MAX_LEAVES} a rule may hold`] };
  return { ok: true, rule: result.data };
}

/** Every saved segment a rule refers to, at any depth. */
export function referencedSegments(conditions: readonly Condition[]): string[] {
  const ids: string[] = [];
  for (const c of conditions) {
    if (c.type === 'segment') ids.push(c.segment);
    else if (c.type === 'group') ids.push(...referencedSegments(c.conditions));
  }
  return ids;
}

/**
 * Replaces every segment reference by the referenced rule, as a group (what the delivery server
 * receives). A reference that cannot be resolved, or a cycle, is an error naming the segment.
 */
export function inlineSegments(rule: Rule, lookup: (id: string) => Rule | undefined): Rule {
  // References can multiply a rule (a segment referring twice to one referring twice to…): count as we
  // go and stop at the limit, before the expansion itself gets expensive.
  let leaves = 0;
  const visit = (conditions: Condition[], trail: string[]): Condition[] =>
    conditions.map((c): Condition => {
      if (c.type === 'group') return { ...c, conditions: visit(c.conditions, trail) };
      if (c.type !== 'segment') {
        leaves += 1 + (c.type === 'event' ? (c.where?.length ?? 0) : 0);
        if (leaves > MAX_LEAVES) throw new Error(`with its segments inlined the rule holds more than ${MAX_LEAVES} conditions and filters`);
        return c;
      }
      if (trail.includes(c.segment)) throw new Error(`segments refer to each other in a cycle: ${[...trail, c.segment].join(' → ')}`);
      const target = lookup(c.segment);
      if (!target) throw new Error(`the segment “${c.segment}” it refers to no longer exists`);
      const group: GroupCondition = { type: 'group', match: target.match, conditions: visit(target.conditions, [...trail, c.segment]) };
      return c.negate ? { ...group, negate: true } : group;
    });
  return { ...rule, conditions: visit(rule.conditions, []) };
}
