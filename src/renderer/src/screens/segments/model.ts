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
import { readList, readScalar, takesList, takesNoValue, type ValueMode } from '../../ui/filter-values';

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

export interface EditSegmentRef extends EditBase {
  type: 'segment';
  segment: string;
}

export interface EditGroup extends EditBase {
  type: 'group';
  match: 'all' | 'any';
  conditions: EditCondition[];
}

export type EditCondition = EditEvent | EditSeen | EditTrait | EditAccount | EditNps | EditSegmentRef | EditGroup;
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
      case 'segment':
        return { ...base, type: 'segment', segment: c.segment };
      case 'group':
        return { ...base, type: 'group', match: c.match, conditions: c.conditions.map(convert) };
    }
  };
  return { uid: uid(), negate: false, type: 'group', match: rule.match, conditions: rule.conditions.map(convert) };
}

export interface BuiltRule {
  /** The rule as JSON, valid or not. */
  json: unknown;
  /** The rule, when it is valid. */
  rule: Rule | null;
  /** "condition 2 › count: cannot be negative", in the order of the builder. */
  errors: string[];
}

/** The builder's rule as portable JSON, with what stops it from being valid. */
export function toRule(root: EditGroup): BuiltRule {
  const own: { path: (string | number)[]; message: string }[] = [];
  const number = (text: string, path: (string | number)[], message: string): number | string => {
    const trimmed = text.trim();
    const n = Number(trimmed);
    if (trimmed === '' || !Number.isFinite(n)) {
      own.push({ path, message });
      return trimmed;
    }
    return n;
  };
  const value = (v: EditValue, path: (string | number)[]): { value?: Scalar | Scalar[] } => {
    if (takesNoValue(v.op)) return {};
    if (takesList(v.op)) {
      const list = readList(v.value, v.mode);
      if (list.length === 0) own.push({ path: [...path, 'value'], message: 'list at least one value, separated by commas' });
      return { value: list };
    }
    if (v.value === '') return {};
    return { value: readScalar(v.value, v.mode) };
  };
  const convert = (c: EditCondition, path: (string | number)[]): unknown => {
    const negate = c.negate ? { negate: true } : {};
    switch (c.type) {
      case 'event':
        return {
          type: 'event',
          event: c.event.trim(),
          op: c.op,
          count: number(c.count, [...path, 'count'], 'enter a whole number'),
          ...(c.within ? { within: { days: number(c.days, [...path, 'within', 'days'], 'enter a number of days') } } : {}),
          ...(c.where.length > 0
            ? { where: c.where.map((w, i) => ({ property: w.property.trim(), op: w.op, ...value(w, [...path, 'where', i]) })) }
            : {}),
          ...negate,
        };
      case 'first_seen':
      case 'last_seen':
        return { type: c.type, op: c.op, days: number(c.days, [...path, 'days'], 'enter a number of days'), ...negate };
      case 'trait':
        return { type: 'trait', trait: c.trait.trim(), op: c.op, ...value(c, path), ...negate };
      case 'account':
        return { type: 'account', trait: c.trait.trim(), op: c.op, ...value(c, path), ...negate };
      case 'nps':
        return { type: 'nps', category: c.category, ...negate };
      case 'segment':
        if (c.segment === '') own.push({ path: [...path, 'segment'], message: 'pick a segment' });
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
  const ownMessages = own.map((o) => `${describePath(o.path)}: ${o.message}`);
  const ownPlaces = own.map((o) => `${describePath(o.path)}:`);
  const parsed = parseRule(json);
  const schemaMessages = parsed.ok ? [] : parsed.errors.filter((m) => !ownPlaces.some((p) => m.startsWith(p)));
  const errors = [...ownMessages, ...schemaMessages];
  return { json, rule: parsed.ok && errors.length === 0 ? parsed.rule : null, errors };
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
