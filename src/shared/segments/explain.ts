/**
 * Why a user is, or is not, in a segment: the JS evaluator's answer with the reasons spelled out, for
 * the message preview's "would u_123 see this, and if not, why not".
 *
 * The verdict is matchesRule's own, and a top-level condition is reported as failing exactly when
 * matchesRule says the rule made of that condition alone does not hold: the explanation cannot
 * disagree with the evaluator, only word it. The measured facts ("2 times", "it is “free”") are
 * computed here with the evaluator's helpers (fieldOf, matchesValue, npsScore) and its windows.
 */
import { describeCondition } from './describe';
import { compareCodePoints, latestSurveyAnswer, matchesRule, type ProfileEvent, type UserProfile } from './evaluate';
import type { Condition, EventCondition, GroupCondition, Rule } from './rule';
import { DAY_MS, fieldOf, matchesValue, NPS_EVENT, npsCategory, npsScore } from './values';

export interface RuleExplanation {
  /** matchesRule(rule, profile, asOf), always. */
  matches: boolean;
  /**
   * Empty when the user matches. Otherwise one sentence per top-level condition that fails, "the
   * condition: what the user has" (for an `any` rule every condition failed, so every one is listed),
   * or a single sentence when the user has no record at or before asOf (outside the universe).
   */
  failing: string[];
}

const EVERYONE: Rule = { version: 1, match: 'all', conditions: [] };

/** "2026-03-01 12:00 UTC": instants in explanations are UTC, like every figure in the cache. */
export function formatInstant(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function times(n: number): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'time' : 'times'}`;
}

/** A survey answer in words: its score, its choices, or that it holds neither. */
function answerText(properties: Record<string, unknown> | null): string {
  const score = fieldOf(properties, 'score');
  if (typeof score === 'number') return `a score of ${score}`;
  const choice = fieldOf(properties, 'choice');
  if (typeof choice === 'string') return `the choice “${choice}”`;
  const choices = fieldOf(properties, 'choices');
  if (Array.isArray(choices)) return `the choices ${choices.map((x) => `“${String(x)}”`).join(', ')}`;
  return 'neither a score nor a choice';
}

function days(n: number): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'day' : 'days'}`;
}

/** A value as the user has it: text in quotes (as describeRule writes values), anything else as JSON. */
function showValue(value: unknown): string {
  if (typeof value === 'string') return `“${value}”`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** The events a condition counts, by the evaluator's own window and filters. */
function countEvents(c: EventCondition, events: readonly ProfileEvent[], asOf: number): number {
  const from = c.within ? asOf - c.within.days * DAY_MS : -Infinity;
  let count = 0;
  for (const e of events) {
    if (e.name !== c.event || e.ts > asOf || e.ts <= from) continue;
    if (c.where && !c.where.every((f) => matchesValue(fieldOf(e.properties, f.property), f))) continue;
    count += 1;
  }
  return count;
}

/** The latest NPS answer at or before asOf, with the evaluator's tie-break (the greater record id). */
function latestNpsScore(events: readonly ProfileEvent[], asOf: number): number | null {
  let best: ProfileEvent | null = null;
  let bestScore: number | null = null;
  for (const e of events) {
    if (e.name !== NPS_EVENT || e.ts > asOf) continue;
    const score = npsScore(e.properties);
    if (score === null) continue;
    if (best === null || e.ts > best.ts || (e.ts === best.ts && compareCodePoints(e.id, best.id) > 0)) {
      best = e;
      bestScore = score;
    }
  }
  return bestScore;
}

function seenTimes(profile: UserProfile, asOf: number): { first: number; last: number } | null {
  let first = Infinity;
  let last = -Infinity;
  for (const ts of [...profile.events.map((e) => e.ts), ...profile.identifyTimes]) {
    if (ts > asOf) continue;
    first = Math.min(first, ts);
    last = Math.max(last, ts);
  }
  return first === Infinity ? null : { first, last };
}

class Explainer {
  constructor(
    private readonly profile: UserProfile,
    private readonly asOf: number,
  ) {}

  /** Whether one condition holds, asked of the evaluator itself (the user is known to be in the universe). */
  holds(c: Condition): boolean {
    return matchesRule({ version: 1, match: 'all', conditions: [c] }, this.profile, this.asOf);
  }

  /** "condition: what the user has", for a top-level condition. */
  sentence(c: Condition): string {
    return `${describeCondition(c)}: ${this.fact(c)}`;
  }

  /** "condition (what the user has)", for a condition inside a group. */
  private inner(c: Condition): string {
    return `${describeCondition(c)} (${this.fact(c)})`;
  }

  /** What the user has, for the quantity a condition tests. Negation does not change the fact, only the verdict. */
  fact(c: Condition): string {
    const { profile, asOf } = this;
    switch (c.type) {
      case 'event':
        return times(countEvents(c, profile.events, asOf));
      case 'first_seen':
      case 'last_seen': {
        const seen = seenTimes(profile, asOf);
        if (seen === null) return 'no record yet';
        const t = c.type === 'first_seen' ? seen.first : seen.last;
        const ago = Math.floor((asOf - t) / DAY_MS);
        return `${c.type === 'first_seen' ? 'first' : 'last'} seen ${formatInstant(t)}, ${ago === 0 ? 'less than a day' : days(ago)} before ${formatInstant(asOf)}`;
      }
      case 'trait': {
        const value = fieldOf(profile.traits, c.trait);
        return value === undefined || value === null ? 'it is not set' : `it is ${showValue(value)}`;
      }
      case 'account': {
        const accounts = profile.accounts ?? [];
        if (accounts.length === 0) return 'they belong to no account';
        // A few values say enough: a user in many accounts would otherwise get a sentence per account.
        const values = accounts.slice(0, 5).map((traits) => fieldOf(traits, c.trait)).map((v) => (v === undefined || v === null ? 'not set' : showValue(v)));
        const more = accounts.length > 5 ? `, and ${accounts.length - 5} more` : '';
        return `their ${accounts.length === 1 ? 'account has' : `${accounts.length} accounts have`} ${values.join(', ')}${more}`;
      }
      case 'nps': {
        const score = latestNpsScore(profile.events, asOf);
        return score === null ? 'they have not answered an NPS survey' : `their latest NPS answer is ${score} (a ${npsCategory(score)})`;
      }
      case 'survey': {
        const answer = latestSurveyAnswer(profile.events, c, asOf);
        if (answer === null) return `they have not answered “${c.question}”${c.withinDays === undefined ? '' : ` in the last ${days(c.withinDays)}`}`;
        return `their latest answer, ${formatInstant(answer.ts)}, is ${answerText(answer.properties)}`;
      }
      case 'group':
        return this.groupFact(c);
      case 'segment':
        // matchesRule refuses references too: rules are explained with their segments inlined.
        throw new Error(`segment “${c.segment}” must be inlined before explaining`);
      default:
        return '';
    }
  }

  private groupFact(g: GroupCondition): string {
    if (g.conditions.length === 0) return g.match === 'all' ? 'an empty “all” holds for anyone' : 'an empty “any” holds for no one';
    const holding = g.conditions.filter((c) => this.holds(c));
    const failing = g.conditions.filter((c) => !holding.includes(c));
    if (g.match === 'all') {
      return failing.length === 0 ? 'all of it holds' : `fails on ${failing.map((c) => this.inner(c)).join('; ')}`;
    }
    return holding.length === 0 ? `none of it holds: ${failing.map((c) => this.inner(c)).join('; ')}` : `holds through ${holding.map((c) => this.inner(c)).join('; ')}`;
  }
}

/**
 * Whether the user matches the rule as of asOf, and if not, why not. The rule must have its segment
 * references inlined (as for matchesRule).
 */
export function explainRule(rule: Rule, profile: UserProfile, asOf: number): RuleExplanation {
  const matches = matchesRule(rule, profile, asOf);
  if (matches) return { matches, failing: [] };
  if (!matchesRule(EVERYONE, profile, asOf)) {
    return { matches, failing: [`has no record at or before ${formatInstant(asOf)}, so is not yet a user as of then`] };
  }
  if (rule.conditions.length === 0) return { matches, failing: ['the rule is an empty “any”: it matches no one'] };
  const explainer = new Explainer(profile, asOf);
  // For `all`, the conditions that fail; for `any`, none held, so every one is a reason.
  const failing = rule.match === 'all' ? rule.conditions.filter((c) => !explainer.holds(c)) : rule.conditions;
  return { matches, failing: failing.map((c) => explainer.sentence(c)) };
}
