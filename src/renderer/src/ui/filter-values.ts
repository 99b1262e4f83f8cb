/**
 * The text of a property or trait filter as typed (`plan is one of team, business`) and how it is read
 * into the rule's values. Shared by the segment builder and the message trigger's event filters, so
 * both read what people type the same way. Pure: no DOM, unit-tested.
 */
import type { Scalar, ValueOp } from '../../../shared/segments/rule';
import { dateInstant } from '../../../shared/segments/values';

/** How a typed value is read: numbers and true/false as such ("auto"), or always as text. */
export type ValueMode = 'auto' | 'text';

export const VALUE_OP_LABELS: Record<ValueOp, string> = {
  eq: 'is',
  neq: 'is not',
  in: 'is one of',
  not_in: 'is none of',
  contains: 'contains',
  gt: 'is above',
  gte: 'is at least',
  lt: 'is below',
  lte: 'is at most',
  exists: 'is set',
  not_exists: 'is not set',
};

export const takesNoValue = (op: ValueOp): boolean => op === 'exists' || op === 'not_exists';
export const takesList = (op: ValueOp): boolean => op === 'in' || op === 'not_in';

/** A number written the way JavaScript writes it back ("6", "-2.5", not "06" or "1e3"). */
const isCanonicalNumber = (text: string): boolean => text !== '' && Number.isFinite(Number(text)) && String(Number(text)) === text;

/** One typed value as the rule will hold it. */
export function readScalar(text: string, mode: ValueMode): Scalar {
  if (mode === 'text') return text;
  if (isCanonicalNumber(text)) return Number(text);
  if (text === 'true') return true;
  if (text === 'false') return false;
  return text;
}

/** What a value will be compared as, for the small hint beside the input. */
export function scalarKind(value: Scalar): 'number' | 'true/false' | 'date' | 'text' {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'true/false';
  return dateInstant(value) !== null ? 'date' : 'text';
}

/**
 * Splits "a, b, "c, d"" into items: commas separate, double quotes keep commas (and "" is a quote),
 * and a quoted item is always text.
 */
export function splitList(text: string): { text: string; quoted: boolean }[] {
  const items: { text: string; quoted: boolean }[] = [];
  let i = 0;
  while (i <= text.length) {
    while (i < text.length && text[i] === ' ') i++;
    if (text[i] === '"') {
      let value = '';
      i++;
      while (i < text.length) {
        if (text[i] === '"' && text[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else value += text[i++];
      }
      while (i < text.length && text[i] !== ',') i++;
      items.push({ text: value, quoted: true });
    } else {
      const end = text.indexOf(',', i);
      const raw = text.slice(i, end < 0 ? text.length : end).trim();
      if (raw !== '') items.push({ text: raw, quoted: false });
      i = end < 0 ? text.length : end;
    }
    i++;
  }
  return items;
}

export function readList(text: string, mode: ValueMode): Scalar[] {
  return splitList(text).map((item) => (item.quoted ? item.text : readScalar(item.text, mode)));
}

/** The value a filter's text stands for under its operator: nothing, a list, or one value. */
export function readFilterValue(op: ValueOp, text: string, mode: ValueMode): Scalar | Scalar[] | undefined {
  if (takesNoValue(op)) return undefined;
  return takesList(op) ? readList(text, mode) : readScalar(text, mode);
}

/** The small hint beside a value: how many values a list holds, or what one value compares as. */
export function valueHint(op: ValueOp, text: string, mode: ValueMode): string | null {
  if (takesList(op)) {
    const items = readList(text, mode);
    return items.length > 0 ? `${items.length} value${items.length === 1 ? '' : 's'}` : null;
  }
  if (!takesNoValue(op) && text !== '') return scalarKind(readScalar(text, mode));
  return null;
}
