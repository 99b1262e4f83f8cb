/**
 * The JS evaluator: does one user, described by a profile, match a rule as of an instant? Small and
 * dependency-free, so the delivery server decides with exactly the semantics the cache counts with.
 */
import type { Condition, CountOp, Rule, SurveyCondition } from './rule';
import { answerMatches, DAY_MS, fieldOf, isAnswerTo, matchesValue, NPS_EVENT, npsCategory, npsScore } from './values';

export interface ProfileEvent {
  /** The record's id; breaks ties between NPS answers at the same instant (the greater id wins). */
  id: string;
  name: string;
  ts: number;
  properties: Record<string, unknown> | null;
}

/** What the evaluator needs to know about one user. */
export interface UserProfile {
  /** Current merged traits. */
  traits: Record<string, unknown>;
  /** Events (track, page, screen), in any order. */
  events: readonly ProfileEvent[];
  /** Timestamps of the user's identify calls: they are records too (first and last seen). */
  identifyTimes: readonly number[];
  /**
   * The current merged traits of each account the user belongs to (group calls), whatever asOf is.
   * Absent or empty: the user has no account, and every account condition is false.
   */
  accounts?: readonly Record<string, unknown>[];
  /**
   * The user's latest NPS answer (null: none), when the caller keeps it apart from the events (the
   * delivery server's profile store does: it keeps a capped number of events). Absent: the latest NPS
   * answer among `events`.
   */
  latestNps?: { ts: number; score: number } | null;
  /**
   * survey_answered events the survey condition reads, when the caller keeps them apart from the events
   * (the delivery server's profile store keeps the latest per message and question). Absent: `events`.
   */
  surveyAnswers?: readonly ProfileEvent[];
}

function compareCount(actual: number, op: CountOp, expected: number): boolean {
  switch (op) {
    case '>=':
      return actual >= expected;
    case '>':
      return actual > expected;
    case '=':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case '<=':
      return actual <= expected;
    case '<':
      return actual < expected;
    default:
      return false;
  }
}

interface Seen {
  first: number;
  last: number;
}

/** First and last record at or before asOf; null when the user has none (outside the universe). */
function seenAsOf(profile: UserProfile, asOf: number): Seen | null {
  let first = Infinity;
  let last = -Infinity;
  const see = (ts: number): void => {
    if (ts > asOf) return;
    if (ts < first) first = ts;
    if (ts > last) last = ts;
  };
  for (const e of profile.events) see(e.ts);
  for (const ts of profile.identifyTimes) see(ts);
  return first === Infinity ? null : { first, last };
}

/** Orders strings by Unicode code points, which is how SQLite orders UTF-8 text (JS's < orders UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i] as string).codePointAt(0)! - (y[i] as string).codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function latestNps(profile: UserProfile, asOf: number): number | null {
  if (profile.latestNps !== undefined) return profile.latestNps !== null && profile.latestNps.ts <= asOf ? profile.latestNps.score : null;
  let best: ProfileEvent | null = null;
  let bestScore: number | null = null;
  for (const e of profile.events) {
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

/**
 * The user's latest answer to a survey condition's question at or before asOf, in its window when it
 * has one (ties: the greater record id); null when there is none.
 */
export function latestSurveyAnswer(events: readonly ProfileEvent[], c: Pick<SurveyCondition, 'message' | 'question' | 'withinDays'>, asOf: number): ProfileEvent | null {
  const from = c.withinDays === undefined ? -Infinity : asOf - c.withinDays * DAY_MS;
  let best: ProfileEvent | null = null;
  for (const e of events) {
    if (e.name !== NPS_EVENT || e.ts > asOf || e.ts <= from || !isAnswerTo(e.properties, c.message, c.question)) continue;
    if (best === null || e.ts > best.ts || (e.ts === best.ts && compareCodePoints(e.id, best.id) > 0)) best = e;
  }
  return best;
}

/** Whether a user is in the rule's universe and matches it, as of asOf. Rules must have segments inlined. */
export function matchesRule(rule: Rule, profile: UserProfile, asOf: number): boolean {
  const seen = seenAsOf(profile, asOf);
  if (seen === null) return false;
  let nps: number | null | undefined;

  const holds = (c: Condition): boolean => {
    const result = ((): boolean => {
      switch (c.type) {
        case 'group':
          return c.match === 'all' ? c.conditions.every(holds) : c.conditions.some(holds);
        case 'event': {
          const from = c.within ? asOf - c.within.days * DAY_MS : -Infinity;
          let count = 0;
          for (const e of profile.events) {
            if (e.name !== c.event || e.ts > asOf || e.ts <= from) continue;
            if (c.where && !c.where.every((f) => matchesValue(fieldOf(e.properties, f.property), f))) continue;
            count += 1;
          }
          return compareCount(count, c.op, c.count);
        }
        case 'first_seen':
        case 'last_seen': {
          const t = c.type === 'first_seen' ? seen.first : seen.last;
          const edge = asOf - c.days * DAY_MS;
          return c.op === 'within' ? t > edge && t <= asOf : t < edge;
        }
        case 'trait':
          return matchesValue(fieldOf(profile.traits, c.trait), c);
        case 'account':
          // Some account passes, each judged as one value: no account, no match (even for not_exists).
          return (profile.accounts ?? []).some((traits) => matchesValue(fieldOf(traits, c.trait), c));
        case 'nps': {
          if (nps === undefined) nps = latestNps(profile, asOf);
          return nps !== null && npsCategory(nps) === c.category;
        }
        case 'survey': {
          const answer = latestSurveyAnswer(profile.surveyAnswers ?? profile.events, c, asOf);
          return answer !== null && answerMatches(answer.properties, c);
        }
        case 'segment':
          throw new Error(`segment “${c.segment}” must be inlined before evaluating`);
        default:
          return false;
      }
    })();
    return c.negate ? !result : result;
  };

  return rule.match === 'all' ? rule.conditions.every(holds) : rule.conditions.some(holds);
}
