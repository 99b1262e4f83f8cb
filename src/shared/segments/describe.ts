/**
 * A rule in plain English: "Users whose plan is “starter” and who did report_run at least 6 times in the
 * last 30 days". Every condition becomes a relative clause of "Users": "who …" for what users did or are,
 * "whose …" for a trait. Negation is worded into the clause itself ("never did", "is not", "have no
 * account"), and a negated group is turned inside out (not (A or B) reads "not A and not B"), which is
 * the same set of users, so no sentence ever reads "not: …" or "it is not true that …".
 * tests/unit/segments-describe.test.ts pins the sentence for every condition type and operator.
 */
import type { Condition, CountOp, Rule, Scalar, SurveyCondition, ValueFilter, ValueOp } from './rule';

/** One relative clause: its pronoun ("who", "whose"; none for a bracketed group) and the rest. */
interface Clause {
  pronoun: 'who' | 'whose' | null;
  text: string;
}

type Names = (id: string) => string;

function times(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${n.toLocaleString('en-US')} times`;
}

function countPhrase(op: CountOp, n: number): string {
  // "More than 0" and "other than 0" both mean "at least once", which needs no words after "did X".
  if (n === 0 && (op === '>' || op === '!=')) return '';
  switch (op) {
    case '>=':
      return n === 1 ? '' : n === 0 ? ' any number of times, or never' : ` at least ${times(n)}`;
    case '>':
      return ` more than ${times(n)}`;
    case '=':
      return ` exactly ${times(n)}`;
    case '!=':
      return ` other than ${times(n)}`;
    case '<=':
      return ` at most ${times(n)}`;
    case '<':
      return ` fewer than ${times(n)}`;
    default:
      return '';
  }
}

/** not (count op n) is (count opposite n): a user who never did it counts 0, so nothing is lost. */
const OPPOSITE_COUNT: Record<CountOp, CountOp> = { '>=': '<', '>': '<=', '=': '!=', '!=': '=', '<=': '>', '<': '>=' };

/**
 * not (value op x), as an operator where one exists with exactly that meaning (values.ts: neq is "not
 * eq", not_in "not in", not_exists "not exists"); null where English needs "not" in the phrase.
 */
const OPPOSITE_VALUE: Partial<Record<ValueOp, ValueOp>> = { eq: 'neq', neq: 'eq', in: 'not_in', not_in: 'in', exists: 'not_exists', not_exists: 'exists' };

function show(value: Scalar): string {
  return typeof value === 'string' ? `“${value}”` : String(value);
}

/** "“a”", "“a” or “b”", "“a”, “b” or “c”". */
function orList(values: readonly Scalar[]): string {
  const shown = values.map(show);
  return shown.length <= 1 ? (shown[0] ?? '') : `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}`;
}

/** "plan is “starter”", "seats is not above 5": a trait or property and its test, negated when asked. */
function valuePhrase(subject: string, f: ValueFilter, negate = false): string {
  const opposite = negate ? OPPOSITE_VALUE[f.op] : undefined;
  if (opposite) return valuePhrase(subject, { op: opposite, value: f.value });
  const not = negate ? 'not ' : '';
  const v = f.value;
  // A condition still being filled in reads with an ellipsis where its value will go.
  const one = v === undefined || Array.isArray(v) ? '…' : show(v);
  const list = Array.isArray(v) ? v : [];
  switch (f.op) {
    case 'eq':
      return `${subject} is ${one}`;
    case 'neq':
      return `${subject} is not ${one}`;
    case 'in':
      if (!Array.isArray(v)) return `${subject} is one of …`;
      if (list.length === 0) return `${subject} is one of an empty list (no one)`;
      return list.length === 1 ? `${subject} is ${orList(list)}` : `${subject} is one of ${orList(list)}`;
    case 'not_in':
      if (!Array.isArray(v)) return `${subject} is none of …`;
      if (list.length === 0) return `${subject} is anything (the list to leave out is empty)`;
      return list.length === 1 ? `${subject} is not ${orList(list)}` : `${subject} is none of ${orList(list)}`;
    case 'contains':
      return `${subject} ${negate ? 'does not contain' : 'contains'} ${one}`;
    case 'gt':
      return `${subject} is ${not}above ${one}`;
    case 'gte':
      return `${subject} is ${not}at least ${one}`;
    case 'lt':
      return `${subject} is ${not}below ${one}`;
    case 'lte':
      return `${subject} is ${not}at most ${one}`;
    case 'exists':
      return `${subject} is set`;
    case 'not_exists':
      return `${subject} is not set`;
    default:
      return subject;
  }
}

function days(n: number): string {
  return `${n} day${n === 1 ? '' : 's'}`;
}

function eventClause(c: Extract<Condition, { type: 'event' }>, negate: boolean): string {
  const op = negate ? OPPOSITE_COUNT[c.op] : c.op;
  const window = c.within ? ` in the last ${days(c.within.days)}` : '';
  const where = c.where?.length ? ` where ${c.where.map((w) => valuePhrase(w.property, w)).join(' and ')}` : '';
  const never = (op === '=' && c.count === 0) || (op === '<' && c.count === 1) || (op === '<=' && c.count === 0);
  return never ? `never did ${c.event}${where}${window}` : `did ${c.event}${where}${countPhrase(op, c.count)}${window}`;
}

/** The clauses of a list of conditions joined by `match`, with a negation pushed into each (De Morgan). */
function clausesOf(conditions: readonly Condition[], match: 'all' | 'any', negate: boolean, names: Names, standalone: boolean): { match: 'all' | 'any'; clauses: Clause[] } {
  // not (A and B) = not A or not B; not (A or B) = not A and not B.
  const joined = negate ? (match === 'all' ? 'any' : 'all') : match;
  return { match: joined, clauses: conditions.flatMap((c) => clausesFor(c, negate, names, standalone, joined)) };
}

/** Clauses joined into one phrase; "who" is said once for a run of "who" clauses ("who did A and never did B"). */
function join(clauses: readonly Clause[], match: 'all' | 'any', standalone: boolean): string {
  let previous: Clause['pronoun'] = null;
  const parts = clauses.map((clause) => {
    let text = clause.text;
    if (standalone) {
      // On its own (an explanation's line), a trait clause names what it tests: "trait plan is …".
      if (clause.pronoun === 'whose') text = `trait ${text}`;
    } else if (clause.pronoun !== null && !(clause.pronoun === 'who' && previous === 'who')) {
      text = `${clause.pronoun} ${text}`;
    }
    previous = clause.pronoun;
    return text;
  });
  return parts.join(match === 'all' ? ' and ' : ' or ');
}

/** A condition's clauses: one, or a group's own when they join as its parent's do (A and (B and C) is A and B and C). */
function clausesFor(c: Condition, negated: boolean, names: Names, standalone: boolean, parentMatch: 'all' | 'any'): Clause[] {
  const negate = negated !== Boolean(c.negate);
  if (c.type === 'group' && c.conditions.length > 0) {
    const inner = clausesOf(c.conditions, c.match, negate, names, standalone);
    if (inner.clauses.length === 1 || (inner.match === parentMatch && !standalone)) return inner.clauses;
    return [{ pronoun: null, text: `(${join(inner.clauses, inner.match, standalone)})` }];
  }
  return [clauseOf(c, negate, names)];
}

/**
 * "whose latest answer to “sat” in survey “csat-reports” in the last 30 days is at most 2"; negated,
 * "… is not at most 2, or who gave none" (a user without an answer matches a negated condition).
 */
function surveyClause(c: SurveyCondition, negate: boolean): string {
  const window = c.withinDays === undefined ? '' : ` in the last ${days(c.withinDays)}`;
  const subject = `whose latest answer to “${c.question}” in survey “${c.message}”${window}`;
  let test: string;
  if (c.score) {
    const { min, max } = c.score;
    const range = min !== undefined && max !== undefined ? (min === max ? `${min}` : `from ${min} to ${max}`) : min !== undefined ? `at least ${min}` : `at most ${max ?? ''}`;
    test = `${negate ? 'is not' : 'is'} ${range}`;
  } else {
    test = `${negate ? 'does not include' : 'includes'} the choice “${c.choice ?? ''}”`;
  }
  return negate ? `${subject} ${test}, or who gave none` : `${subject} ${test}`;
}

function clauseOf(c: Condition, negate: boolean, names: Names): Clause {
  switch (c.type) {
    case 'event':
      return { pronoun: 'who', text: eventClause(c, negate) };
    case 'first_seen':
    case 'last_seen': {
      const when = c.op === 'within' ? `in the last ${days(c.days)}` : `more than ${days(c.days)} ago`;
      return { pronoun: 'who', text: `were ${negate ? 'not ' : ''}${c.type === 'first_seen' ? 'first' : 'last'} seen ${when}` };
    }
    case 'trait':
      return { pronoun: 'whose', text: valuePhrase(c.trait, c, negate) };
    case 'account':
      return { pronoun: 'who', text: `have ${negate ? 'no account' : 'an account'} whose ${valuePhrase(c.trait, c)}` };
    case 'nps':
      return { pronoun: 'who', text: `are ${negate ? 'not ' : ''}NPS ${c.category}s` };
    case 'survey':
      return { pronoun: null, text: surveyClause(c, negate) };
    case 'segment':
      return { pronoun: 'who', text: `are ${negate ? 'not ' : ''}in “${names(c.segment)}”` };
    case 'group': {
      // An empty all-group holds for everyone, an empty any-group for no one; negation swaps them.
      // (A non-empty group is worded by clausesFor.)
      return { pronoun: 'who', text: (c.match === 'all') !== negate ? 'match everyone' : 'match no one' };
    }
    default:
      return { pronoun: null, text: '' };
  }
}

export function describeRule(rule: Rule, segmentName: Names = (id) => id): string {
  if (rule.conditions.length === 0) return rule.match === 'all' ? 'All users' : 'No users';
  const { clauses } = clausesOf(rule.conditions, rule.match, false, segmentName, false);
  return `Users ${join(clauses, rule.match, false)}`;
}

/**
 * One condition on its own, for a line of an explanation: "did report_run at least 6 times",
 * "trait plan is not “starter”", "(trait plan is “pro” or did upgrade)".
 */
export function describeCondition(c: Condition, segmentName: Names = (id) => id): string {
  return join(clausesFor(c, false, segmentName, true, 'all'), 'all', true);
}
