/**
 * How a text cell (a CSV field, a warehouse column read as text) becomes a JSON value, and which
 * names may never become an object's key. Shared by our CSV dialect (readers.ts) and the warehouse
 * tables (warehouse.ts); pure, so a PostgreSQL sync can use it on the rows it reads.
 */

/** A canonical JSON number: no leading zeros, no plus sign (String(Number(text)) must give it back). */
const NUMBER_TEXT = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * A property or trait cell typed as docs/IMPORT.md says: empty is missing, `true` and `false` are
 * booleans, a canonical number is a number, anything else stays text. Only a spelling that a number
 * gives back exactly becomes one, so nothing is lost: "007", "1.50", "1e3" and 9007199254740993
 * (past 2^53) stay text.
 */
export function typeCell(cell: string): unknown {
  if (cell === '') return undefined;
  if (cell === 'true') return true;
  if (cell === 'false') return false;
  if (NUMBER_TEXT.test(cell)) {
    const n = Number(cell);
    if (Number.isFinite(n) && String(n) === cell) return n;
  }
  return cell;
}

/**
 * Names a column may not give a key: setting them on a plain object reaches Object.prototype (a
 * header `properties.__proto__.messageId` once gave every later record of a parser thread that messageId).
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
