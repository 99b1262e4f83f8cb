/**
 * The meaning of a value filter (traits and event properties), pinned so the SQL compiler can be
 * held to it:
 * - a missing value and JSON null match only neq, not_in and not_exists;
 * - no type coercion: "10" is not 10, true is not 1;
 * - contains is for strings, case-insensitive in the sense of JavaScript's toLowerCase();
 * - gt/gte/lt/lte compare two numbers, or two date strings as instants; any other pairing is false.
 */
import type { NpsCategory, Scalar, ValueFilter } from './rule';
import { utcInstant } from '../event-spec';

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * A date string as an instant in ms: ISO 8601 with Z or an offset, or a bare YYYY-MM-DD (UTC
 * midnight). Anything else, including numbers, is not a date: null.
 */
export function dateInstant(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  let m = DATE_ONLY.exec(value);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo)) return null;
    return utcInstant(y, mo, d);
  }
  m = DATE_TIME.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])];
  const s = m[6] === undefined ? 0 : Number(m[6]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 59) return null;
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  const zone = m[8] as string;
  let offset = 0;
  if (zone !== 'Z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return null;
    offset = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  return utcInstant(y, mo, d, h, mi, s, ms) - offset;
}

/** A field of a JSON object, own properties only: "constructor" or "toString" are not traits. */
export function fieldOf(object: Record<string, unknown> | null | undefined, key: string): unknown {
  return object && Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

function isPresent(v: unknown): boolean {
  return v !== undefined && v !== null;
}

function scalarEquals(v: unknown, expected: Scalar): boolean {
  return typeof v === typeof expected && v === expected;
}

function ordered(v: unknown, expected: Scalar, test: (a: number, b: number) => boolean): boolean {
  if (typeof v === 'number' && typeof expected === 'number') return test(v, expected);
  const a = dateInstant(v);
  const b = dateInstant(expected);
  return a !== null && b !== null && test(a, b);
}

/** Whether a value (undefined when missing) passes a filter. */
export function matchesValue(v: unknown, filter: ValueFilter): boolean {
  const expected = filter.value;
  switch (filter.op) {
    case 'exists':
      return isPresent(v);
    case 'not_exists':
      return !isPresent(v);
    case 'eq':
      return isPresent(v) && !Array.isArray(expected) && expected !== undefined && scalarEquals(v, expected);
    case 'neq':
      return !(isPresent(v) && !Array.isArray(expected) && expected !== undefined && scalarEquals(v, expected));
    case 'in':
      return isPresent(v) && Array.isArray(expected) && expected.some((e) => scalarEquals(v, e));
    case 'not_in':
      return !(isPresent(v) && Array.isArray(expected) && expected.some((e) => scalarEquals(v, e)));
    case 'contains':
      return typeof v === 'string' && typeof expected === 'string' && v.toLowerCase().includes(expected.toLowerCase());
    case 'gt':
      return expected !== undefined && !Array.isArray(expected) && ordered(v, expected, (a, b) => a > b);
    case 'gte':
      return expected !== undefined && !Array.isArray(expected) && ordered(v, expected, (a, b) => a >= b);
    case 'lt':
      return expected !== undefined && !Array.isArray(expected) && ordered(v, expected, (a, b) => a < b);
    case 'lte':
      return expected !== undefined && !Array.isArray(expected) && ordered(v, expected, (a, b) => a <= b);
    default:
      return false;
  }
}

/** NPS: promoters score 9-10, passives 7-8, detractors 0-6. */
export function npsCategory(score: number): NpsCategory {
  return score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
}

/** An NPS answer's score when it is one: an integer from 0 to 10. */
export function npsScore(properties: Record<string, unknown> | null | undefined): number | null {
  if (!properties || properties.survey !== 'nps') return null;
  const score = properties.score;
  return typeof score === 'number' && Number.isInteger(score) && score >= 0 && score <= 10 ? score : null;
}

export const NPS_EVENT = 'survey_answered';

/** Whether a survey_answered event's properties are an answer to this question of this survey message. */
export function isAnswerTo(properties: Record<string, unknown> | null | undefined, message: string, question: string): boolean {
  return fieldOf(properties, 'message_id') === message && fieldOf(properties, 'question_id') === question;
}

/** Whether an answer (a survey_answered event's properties) meets a survey condition's score range or choice. */
export function answerMatches(properties: Record<string, unknown> | null | undefined, c: { score?: { min?: number; max?: number }; choice?: string }): boolean {
  if (c.score) {
    const score = fieldOf(properties, 'score');
    if (typeof score !== 'number') return false;
    return (c.score.min === undefined || score >= c.score.min) && (c.score.max === undefined || score <= c.score.max);
  }
  if (c.choice === undefined) return false;
  if (fieldOf(properties, 'choice') === c.choice) return true;
  const choices = fieldOf(properties, 'choices');
  return Array.isArray(choices) && choices.includes(c.choice);
}
export const DAY_MS = 86_400_000;
