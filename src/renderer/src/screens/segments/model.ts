/**
 * The builder's own model of a rule: what the user is typing, including what is not valid yet
 * ("6" before it is a number, an empty event name). `toRule` turns it into a portable rule and
 * the shared `parseRule` says what is wrong; `fromRule` opens a saved rule for editing.
 */
import {
  describePath,
  parseRule,
  type Condition,
  type CountOp,
  type NpsCategory,
  type Rule,
  type Scalar,
  type ValueFilter,
  type ValueOp,
} from '../../../../shared/segments/rule';
import { spreadsheetSafe, toCsv } from '../../lib/format';
import { readList, readScalar, takesList, takesNoValue, VALUE_OP_LABELS, type ValueMode } from '../../ui/filter-values';

export interface EditValue {
  op: ValueOp;
  /** One value, or a comma-separated list for in/not_in. */
  value: string;
  mode: ValueMode;
}

export interface EditFilter extends EditValue {
  uid: string;
  property: string;
}

interface EditBase {
  uid: string;
  negate: boolean;
}

export interface EditEvent extends EditBase {
  type: 'event';
  event: string;
  op: CountOp;
  count: string;
  within: boolean;
  days: string;
  where: EditFilter[];
}

export interface EditSeen extends EditBase {
  type: 'first_seen' | 'last_seen';
  op: 'within' | 'before';
  days: string;
}

export interface EditTrait extends EditBase, EditValue {
  type: 'trait';
  trait: string;
}

/** An account condition: a trait of one of the user's accounts, edited like a user trait. */
export interface EditAccount extends EditBase, EditValue {
  type: 'account';
  trait: string;
}

export interface EditNps extends EditBase {
  type: 'nps';
  category: NpsCategory;
}

/** A survey condition (issue 18): the latest answer to one question of a survey message. */
export interface EditSurvey extends EditBase {
  type: 'survey';
  message: string;
  question: string;
  by: 'score' | 'choice';
  /** The score range's ends as typed; either may be empty. */
  min: string;
  max: string;
  choice: string;
  within: boolean;
  days: string;
}

export interface EditSegmentRef extends EditBase {
  type: 'segment';
  segment: string;
}

export interface EditGroup extends EditBase {
  type: 'group';
  match: 'all' | 'any';
  conditions: EditCondition[];
}

export type EditCondition = EditEvent | EditSeen | EditTrait | EditAccount | EditNps | EditSurvey | EditSegmentRef | EditGroup;
export type ConditionKind = EditCondition['type'];

let nextUid = 1;
export const uid = (): string => `c${nextUid++}`;

export const COUNT_OP_LABELS: Record<CountOp, string> = {
  '>=': 'at least',
  '>': 'more than',
  '=': 'exactly',
  '!=': 'other than',
  '<=': 'at most',
  '<': 'fewer than',
};

export const KIND_LABELS: Record<ConditionKind, string> = {
  event: 'Event',
  trait: 'Trait',
  account: 'Account trait',
  first_seen: 'First seen',
  last_seen: 'Last seen',
  nps: 'NPS',
  survey: 'Survey answer',
  segment: 'Segment',
  group: 'Group',
};

export function newCondition(kind: ConditionKind): EditCondition {
  const base = { uid: uid(), negate: false };
  switch (kind) {
    case 'event':
      return { ...base, type: 'event', event: '', op: '>=', count: '1', within: false, days: '30', where: [] };
    case 'trait':
      return { ...base, type: 'trait', trait: '', op: 'eq', value: '', mode: 'auto' };
    case 'account':
      return { ...base, type: 'account', trait: '', op: 'eq', value: '', mode: 'auto' };
    case 'first_seen':
      return { ...base, type: 'first_seen', op: 'within', days: '14' };
    case 'last_seen':
      return { ...base, type: 'last_seen', op: 'within', days: '30' };
    case 'nps':
      return { ...base, type: 'nps', category: 'promoter' };
    case 'survey':
      return { ...base, type: 'survey', message: '', question: '', by: 'score', min: '', max: '2', choice: '', within: true, days: '30' };
    case 'segment':
      return { ...base, type: 'segment', segment: '' };
    case 'group':
      return { ...base, type: 'group', match: 'any', conditions: [] };
  }
}

export const newFilter = (): EditFilter => ({ uid: uid(), property: '', op: 'eq', value: '', mode: 'auto' });

export const emptyRoot = (): EditGroup => ({ uid: uid(), negate: false, type: 'group', match: 'all', conditions: [] });

// ——— Values ———

function scalarText(value: Scalar): string {
  return typeof value === 'string' ? value : String(value);
}

function listText(values: Scalar[]): string {
  return values
    .map((v) => {
      if (typeof v !== 'string') return String(v);
      const plain = v === v.trim() && v !== '' && !/[,"]/.test(v) && typeof readScalar(v, 'auto') === 'string';
      return plain ? v : `"${v.replace(/"/g, '""')}"`;
    })
    .join(', ');
}

function editValue(filter: ValueFilter): EditValue {
  const { op, value } = filter;
  if (value === undefined) return { op, value: '', mode: 'auto' };
  if (Array.isArray(value)) return { op, value: listText(value), mode: 'auto' };
  const text = scalarText(value);
  return { op, value: text, mode: typeof value === 'string' && typeof readScalar(text, 'auto') !== 'string' ? 'text' : 'auto' };
}

// ——— Rule ⇄ builder ———

export function fromRule(rule: Rule): EditGroup {
  const convert = (c: Condition): EditCondition => {
    const base = { uid: uid(), negate: c.negate === true };
    switch (c.type) {
      case 'event':
        return {
          ...base,
          type: 'event',
          event: c.event,
          op: c.op,
          count: String(c.count),
          within: c.within !== undefined,
          days: String(c.within?.days ?? 30),
          where: (c.where ?? []).map((w) => ({ uid: uid(), property: w.property, ...editValue(w) })),
        };
      case 'first_seen':
      case 'last_seen':
        return { ...base, type: c.type, op: c.op, days: String(c.days) };
      case 'trait':
        return { ...base, type: 'trait', trait: c.trait, ...editValue(c) };
      case 'account':
        return { ...base, type: 'account', trait: c.trait, ...editValue(c) };
      case 'nps':
        return { ...base, type: 'nps', category: c.category };
      case 'survey':
        return {
          ...base,
          type: 'survey',
          message: c.message,
          question: c.question,
          by: c.choice !== undefined ? 'choice' : 'score',
          min: c.score?.min === undefined ? '' : String(c.score.min),
          max: c.score?.max === undefined ? '' : String(c.score.max),
          choice: c.choice ?? '',
          within: c.withinDays !== undefined,
          days: String(c.withinDays ?? 30),
        };
      case 'segment':
        return { ...base, type: 'segment', segment: c.segment };
      case 'group':
        return { ...base, type: 'group', match: c.match, conditions: c.conditions.map(convert) };
    }
  };
  return { uid: uid(), negate: false, type: 'group', match: rule.match, conditions: rule.conditions.map(convert) };
}

/** One thing that stops the rule from being valid, at one condition of the builder. */
export interface RuleIssue {
  /** The condition it is about (the event, for one of its property filters). */
  uid: string;
  /** "condition 2: Enter a value to compare plan with", in the order of the builder. */
  message: string;
  /**
   * Something not filled in yet (an empty name or value), as opposed to something filled in wrongly.
   * The builder holds these back until the condition loses the focus, so a new condition is not red.
   */
  missing: boolean;
}

export interface BuiltRule {
  /** The rule as JSON, valid or not. */
  json: unknown;
  /** The rule, when it is valid. */
  rule: Rule | null;
  /** Every issue's message, in the order of the builder. */
  errors: string[];
  issues: RuleIssue[];
}

/** What a field is called on screen, for the shared schema's messages about it ("Count cannot be negative"). */
const FIELD_LABELS: Record<string, string> = {
  count: 'Count',
  days: 'Days',
  'within › days': 'Days',
  event: 'The event name',
  trait: 'The trait name',
  property: 'The property name',
  segment: 'The segment',
};

/** A place's leading "condition N" parts: which condition of the builder a message is about. */
const conditionPlace = (path: string): string => {
  const parts = path.split(' › ');
  let n = 0;
  while (n < parts.length && /^condition \d+$/.test(parts[n]!)) n++;
  return parts.slice(0, n).join(' › ');
};

/**
 * The shared schema's message ("condition 1 › value: \"gt\" compares numbers or dates, not true/false")
 * in the builder's words ("condition 1: “is above” compares numbers or dates, not true/false").
 */
export function plainMessage(message: string): string {
  const colon = message.indexOf(': ');
  if (colon < 0) return message;
  const path = message.slice(0, colon);
  const text = message.slice(colon + 2).replace(/"(\w+)"/g, (whole, op: string) => (op in VALUE_OP_LABELS ? `“${VALUE_OP_LABELS[op as ValueOp]}”` : whole));
  const parts = path.split(' › ');
  let n = 0;
  while (n < parts.length && /^(condition|filter) \d+$/.test(parts[n]!)) n++;
  const place = n === 0 ? parts[0]! : parts.slice(0, n).join(' › ');
  const field = parts.slice(n === 0 ? 1 : n).join(' › ');
  const label = FIELD_LABELS[field];
  const said = label ? `${label} ${text}` : field === '' || field === 'value' ? text : `${field} ${text}`;
  return `${place}: ${said.charAt(0).toUpperCase()}${said.slice(1)}`;
}

/** The builder's rule as portable JSON, with what stops it from being valid, in plain words. */
export function toRule(root: EditGroup): BuiltRule {
  const own: (RuleIssue & { place: string })[] = [];
  const uids = new Map<string, string>();
  const say = (uid: string, path: (string | number)[], message: string, missing: boolean): void => {
    const place = describePath(path);
    own.push({ uid, place, message: `${place}: ${message}`, missing });
  };
  const number = (uid: string, text: string, path: (string | number)[], what: string, label: string): number | string => {
    const trimmed = text.trim();
    const n = Number(trimmed);
    if (trimmed === '') say(uid, path, `Enter ${what}`, true);
    else if (!Number.isFinite(n)) say(uid, path, `${label} must be a number`, false);
    else return n;
    return trimmed;
  };
  const value = (uid: string, v: EditValue, subject: string, path: (string | number)[]): { value?: Scalar | Scalar[] } => {
    if (takesNoValue(v.op)) return {};
    const name = subject.trim() === '' ? 'it' : subject.trim();
    if (takesList(v.op)) {
      const list = readList(v.value, v.mode);
      if (list.length === 0) say(uid, path, `List the values to compare ${name} with, separated by commas`, v.value.trim() === '');
      return { value: list };
    }
    if (v.value === '') {
      say(uid, path, `Enter a value to compare ${name} with`, true);
      return {};
    }
    return { value: readScalar(v.value, v.mode) };
  };
  const convert = (c: EditCondition, path: (string | number)[]): unknown => {
    uids.set(describePath(path), c.uid);
    const negate = c.negate ? { negate: true } : {};
    switch (c.type) {
      case 'event': {
        const event = c.event.trim();
        if (event === '') say(c.uid, path, 'Pick an event', true);
        return {
          type: 'event',
          event,
          op: c.op,
          count: number(c.uid, c.count, path, 'how many times', 'Count'),
          ...(c.within ? { within: { days: number(c.uid, c.days, path, 'a number of days', 'Days') } } : {}),
          ...(c.where.length > 0
            ? {
                where: c.where.map((w, i) => {
                  const at = [...path, 'where', i];
                  const property = w.property.trim();
                  if (property === '') say(c.uid, at, `Pick a property of ${event || 'the event'} to filter on`, true);
                  return { property, op: w.op, ...value(c.uid, w, property, at) };
                }),
              }
            : {}),
          ...negate,
        };
      }
      case 'first_seen':
      case 'last_seen':
        return { type: c.type, op: c.op, days: number(c.uid, c.days, path, 'a number of days', 'Days'), ...negate };
      case 'trait':
      case 'account': {
        const trait = c.trait.trim();
        if (trait === '') say(c.uid, path, c.type === 'trait' ? 'Pick a trait' : 'Pick an account trait', true);
        return { type: c.type, trait, op: c.op, ...value(c.uid, c, trait, path), ...negate };
      }
      case 'nps':
        return { type: 'nps', category: c.category, ...negate };
      case 'survey': {
        const message = c.message.trim();
        const question = c.question.trim();
        if (message === '') say(c.uid, path, 'Pick the survey message', true);
        if (question === '') say(c.uid, path, 'Pick the question', true);
        let test: { score: { min?: number | string; max?: number | string } } | { choice: string };
        if (c.by === 'choice') {
          if (c.choice.trim() === '') say(c.uid, path, 'Pick the choice', true);
          test = { choice: c.choice.trim() };
        } else {
          if (c.min.trim() === '' && c.max.trim() === '') say(c.uid, path, 'Enter the lowest or the highest score', true);
          test = {
            score: {
              ...(c.min.trim() === '' ? {} : { min: number(c.uid, c.min, path, 'the lowest score', 'Lowest score') }),
              ...(c.max.trim() === '' ? {} : { max: number(c.uid, c.max, path, 'the highest score', 'Highest score') }),
            },
          };
        }
        return {
          type: 'survey',
          message,
          question,
          ...test,
          ...(c.within ? { withinDays: number(c.uid, c.days, path, 'a number of days', 'Days') } : {}),
          ...negate,
        };
      }
      case 'segment':
        if (c.segment === '') say(c.uid, path, 'Pick a segment', true);
        return { type: 'segment', segment: c.segment, ...negate };
      case 'group':
        return {
          type: 'group',
          match: c.match,
          conditions: c.conditions.map((x, i) => convert(x, [...path, 'conditions', i])),
          ...negate,
        };
    }
  };
  const json = { version: 1, match: root.match, conditions: root.conditions.map((c, i) => convert(c, ['conditions', i])) };
  const parsed = parseRule(json);
  // Where the builder said something itself, the schema's message about the same place would only repeat it.
  const covered = (m: string): boolean => own.some((o) => m.startsWith(`${o.place}:`) || m.startsWith(`${o.place} › `));
  const schemaIssues: RuleIssue[] = parsed.ok
    ? []
    : parsed.errors.filter((m) => !covered(m)).map((m) => ({ uid: uids.get(conditionPlace(m.slice(0, m.indexOf(': ')))) ?? root.uid, message: plainMessage(m), missing: false }));
  const issues = [...own.map(({ uid, message, missing }) => ({ uid, message, missing })), ...schemaIssues];
  return { json, rule: parsed.ok && issues.length === 0 ? parsed.rule : null, errors: issues.map((i) => i.message), issues };
}

/** What the builder shows while someone types: which issues to show, and which rule the live figures are for. */
export interface BuilderView {
  /** The issues to show now: everything filled in wrongly, and what is missing only where the person has moved on. */
  errors: string[];
  /** The rule to count now, or null while it is being typed or has something to fix. */
  liveRule: Rule | null;
  /** True when the rule is only unfinished (nothing shown to fix): the figures wait for it, marked as updating. */
  unfinished: boolean;
}

export interface BuilderFocus {
  /** Conditions the focus has left at least once: what is missing in them is said. */
  touched: ReadonlySet<string>;
  /** Say everything (after an attempt to save). */
  showAll: boolean;
  /** The condition holding the focus, if any. */
  editing: string | null;
  /** The events the cache knows; null when not loaded yet. */
  eventNames: ReadonlySet<string> | null;
}

function findCondition(group: EditGroup, target: string): EditCondition | null {
  for (const c of group.conditions) {
    if (c.uid === target) return c;
    if (c.type === 'group') {
      const found = findCondition(c, target);
      if (found) return found;
    }
  }
  return null;
}

/**
 * The builder's view of a rule while it is typed. An issue that is only something missing waits until
 * its condition loses the focus (or a save is attempted); a half-typed event name ("report_") in the
 * condition being edited, not yet an event the cache knows, counts as unfinished, so the live size
 * does not drop to 0 with a warning on every keystroke.
 */
export function builderView(built: BuiltRule, root: EditGroup, focus: BuilderFocus): BuilderView {
  const shown = built.issues.filter((i) => !i.missing || focus.showAll || focus.touched.has(i.uid));
  const editing = focus.editing === null ? null : findCondition(root, focus.editing);
  const halfTyped =
    editing?.type === 'event' &&
    focus.eventNames !== null &&
    focus.eventNames.size > 0 &&
    editing.event.trim() !== '' &&
    !focus.eventNames.has(editing.event.trim());
  const liveRule = halfTyped ? null : built.rule;
  return { errors: shown.map((i) => i.message), liveRule, unfinished: liveRule === null && shown.length === 0 };
}

/** "condition 2 › condition 1", the words parseRule uses for a condition's place. */
export function placeOf(path: number[]): string {
  return describePath(path.flatMap((i) => ['conditions', i]));
}

/** The messages about one condition itself (not about the conditions inside it, for a group). */
export function errorsAt(errors: string[], place: string): string[] {
  return errors
    .filter((m) => m.startsWith(`${place}:`) || (m.startsWith(`${place} › `) && !m.slice(place.length + 3).startsWith('condition ')))
    .map((m) => m.slice(place.length).replace(/^ › /, '').replace(/^: /, ''));
}

// ——— Tree edits ———

export function updateIn(group: EditGroup, target: string, change: (c: EditCondition) => EditCondition): EditGroup {
  if (group.uid === target) return change(group) as EditGroup;
  return {
    ...group,
    conditions: group.conditions.map((c) => (c.uid === target ? change(c) : c.type === 'group' ? updateIn(c, target, change) : c)),
  };
}

export function removeIn(group: EditGroup, target: string): EditGroup {
  return {
    ...group,
    conditions: group.conditions.filter((c) => c.uid !== target).map((c) => (c.type === 'group' ? removeIn(c, target) : c)),
  };
}

/** How many conditions the builder holds, at every depth (a group counts as one, plus its own). */
export function conditionCount(group: EditGroup): number {
  return group.conditions.reduce((n, c) => n + (c.type === 'group' ? 1 + conditionCount(c) : 1), 0);
}

/**
 * A segment's members as CSV: one `user_id` column, in the order given. An id that a spreadsheet would
 * read as a formula (it starts with =, +, -, @, a tab or a carriage return) gets a leading apostrophe,
 * so opening the file runs nothing.
 */
export function membersCsv(ids: readonly string[]): string {
  return `${toCsv(['user_id'], ids.map((id) => [spreadsheetSafe(id)]))}\r\n`;
}
