/** A rule in plain English: "Users who did report_run at least 6 times in the last 30 days and never did invite_sent". */
import type { Condition, CountOp, Rule, Scalar, ValueFilter } from './rule';

function times(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${n.toLocaleString('en-US')} times`;
}

function countPhrase(op: CountOp, n: number): string {
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

function show(value: Scalar): string {
  return typeof value === 'string' ? `“${value}”` : String(value);
}

function valuePhrase(subject: string, f: ValueFilter): string {
  const v = f.value;
  const one = (): string => (v === undefined || Array.isArray(v) ? '' : show(v));
  const list = (): string => (Array.isArray(v) ? v.map(show).join(', ') : '');
  switch (f.op) {
    case 'eq':
      return `${subject} is ${one()}`;
    case 'neq':
      return `${subject} is not ${one()}`;
    case 'in':
      return `${subject} is one of ${list()}`;
    case 'not_in':
      return `${subject} is none of ${list()}`;
    case 'contains':
      return `${subject} contains ${one()}`;
    case 'gt':
      return `${subject} is above ${one()}`;
    case 'gte':
      return `${subject} is at least ${one()}`;
    case 'lt':
      return `${subject} is below ${one()}`;
    case 'lte':
      return `${subject} is at most ${one()}`;
    case 'exists':
      return `${subject} is set`;
    case 'not_exists':
      return `${subject} is not set`;
    default:
      return subject;
  }
}

function describeCondition(c: Condition, segmentName: (id: string) => string): string {
  const not = c.negate ? 'not ' : '';
  switch (c.type) {
    case 'event': {
      const window = c.within ? ` in the last ${c.within.days} day${c.within.days === 1 ? '' : 's'}` : '';
      const where = c.where?.length ? ` where ${c.where.map((w) => valuePhrase(w.property, w)).join(' and ')}` : '';
      const never = (c.op === '=' && c.count === 0) || (c.op === '<' && c.count === 1);
      const text = never ? `never did ${c.event}${where}${window}` : `did ${c.event}${where}${countPhrase(c.op, c.count)}${window}`;
      return c.negate ? `it is not true that they ${text}` : text;
    }
    case 'first_seen':
    case 'last_seen': {
      const when = c.op === 'within' ? `in the last ${c.days} day${c.days === 1 ? '' : 's'}` : `more than ${c.days} day${c.days === 1 ? '' : 's'} ago`;
      return `were ${not}${c.type === 'first_seen' ? 'first' : 'last'} seen ${when}`;
    }
    case 'trait':
      return `${c.negate ? 'not: ' : ''}${valuePhrase(c.trait, c)}`;
    case 'account':
      return `${c.negate ? 'have no account where' : 'have an account where'} ${valuePhrase(c.trait, c)}`;
    case 'nps':
      return `${c.negate ? 'are not' : 'are'} NPS ${c.category}s`;
    case 'segment':
      return `${c.negate ? 'are not' : 'are'} in “${segmentName(c.segment)}”`;
    case 'group': {
      // An empty all-group holds for everyone, an empty any-group for no one; negation swaps them. Worded to follow "Users who".
      if (c.conditions.length === 0) return (c.match === 'all') !== Boolean(c.negate) ? 'match everyone' : 'match no one';
      const inner = c.conditions.map((x) => describeCondition(x, segmentName)).join(c.match === 'all' ? ' and ' : ' or ');
      return `${c.negate ? 'not ' : ''}(${inner})`;
    }
    default:
      return '';
  }
}

export function describeRule(rule: Rule, segmentName: (id: string) => string = (id) => id): string {
  if (rule.conditions.length === 0) return rule.match === 'all' ? 'All users' : 'No users';
  const parts = rule.conditions.map((c) => describeCondition(c, segmentName));
  return `Users who ${parts.join(rule.match === 'all' ? ' and ' : ' or ')}`;
}
