import type { ImportError } from '../../../shared/types';

/** A rejection keeps at most this many characters of its record's text: enough to recognize the line. */
export const EXCERPT_CHARS = 200;

/**
 * A rejection with the start of the text it was made from (the line, the array element, the CSV row),
 * so the report can show what was refused, not only where. Cut at EXCERPT_CHARS, never inside a
 * surrogate pair; `excerptCut` says there was more.
 */
export function withExcerpt(error: ImportError, text: string | undefined): ImportError {
  if (text === undefined) return error;
  if (text.length <= EXCERPT_CHARS) return { ...error, excerpt: text };
  const end = isHighSurrogate(text.charCodeAt(EXCERPT_CHARS - 1)) ? EXCERPT_CHARS - 1 : EXCERPT_CHARS;
  return { ...error, excerpt: text.slice(0, end), excerptCut: true };
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/** A CSV row's cells as one line of CSV again (quoted where a cell needs it), for a rejected row's excerpt. */
export function csvRowText(cells: readonly string[]): string {
  return cells.map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(',');
}

/** A rejected value's JSON text (an envelope's element, a synced record), or undefined when it has none. */
export function jsonText(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** A warehouse row's columns shown first in its excerpt: who and when, then the rest in the row's order. */
const LEADING_COLUMNS = ['user_id', 'anonymous_id', 'group_id', 'previous_id', 'event', 'timestamp', 'received_at'];

/**
 * A synced warehouse row as its rejection shows it: the table and the row's id, then its non-empty
 * columns as JSON, who and when first (withExcerpt keeps the first EXCERPT_CHARS, so a few columns).
 */
export function warehouseRowText(table: string, id: string, row: Readonly<Record<string, unknown>>): string {
  const columns = Object.keys(row).filter((name) => name !== 'id' && row[name] !== null && row[name] !== undefined && row[name] !== '');
  const ordered = [...LEADING_COLUMNS.filter((name) => columns.includes(name)), ...columns.filter((name) => !LEADING_COLUMNS.includes(name))];
  const shown: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const name of ordered) shown[name] = row[name];
  return `${table} row ${id}: ${jsonText(shown) ?? '{}'}`;
}
