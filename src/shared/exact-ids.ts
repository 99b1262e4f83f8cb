/**
 * Numeric ids keep their digits exactly as written (issue 15). JSON.parse reads every number as a double,
 * so the userId 9007199254740993 became 9007199254740992: a different user. Node 20's JSON.parse gives a
 * reviver no access to a number's source text, so the text is mended before parsing instead: an id key
 * (ID_KEYS) whose value is a bare integer too long to be surely exact (16 digits or more) gets that
 * integer quoted, and the parsed record then holds the digits as a string, which is how every id is
 * stored. Only where the id can mean an identity does this apply: the record's own top-level fields,
 * and those of the elements of its `batch` array (an envelope). The same key anywhere else (a property
 * named userId) keeps the number JSON.parse would have given.
 *
 * Ordinary text pays one regular-expression test; only text that has such an id pays a second parse-sized
 * pass (the replacement) and a walk over the parsed value.
 */

/** Keys whose values are ids: identities, and the messageId that dedupes a record. */
export const ID_KEYS = ['userId', 'anonymousId', 'groupId', 'previousId', 'messageId'] as const;

/**
 * Integers with more digits than this may not survive a double exactly (2^53 has 16 digits; every
 * integer of 15 digits or fewer is exact), so they are kept as written.
 */
const EXACT_DIGITS = 15;

/**
 * An id key, as a member name (after `{` or `,`, so never text inside a string, where every quote is
 * escaped), then a bare integer of more than EXACT_DIGITS digits that ends the value. A leading zero is
 * not matched: it is not JSON, and must stay refused.
 */
const LONG_INTEGER_ID = new RegExp(
  `(?<=[{,]\\s*)("(?:${ID_KEYS.join('|')})"\\s*:\\s*)(-?[1-9]\\d{${EXACT_DIGITS},})(?=\\s*[,}])`,
  'g',
);

/**
 * What a quoted integer is marked with until the walk below has decided whether it is an id. Starts with
 * a NUL character, which real ids do not hold.
 */
const MARK = '\u0000gp-exact-integer:';
const MARK_IN_JSON = '\\u0000gp-exact-integer:';

/** Whether `text` has an id written as an integer too long to be exact. */
function hasLongIntegerId(text: string): boolean {
  if (!hasNumericIdKey(text)) return false;
  LONG_INTEGER_ID.lastIndex = 0;
  return LONG_INTEGER_ID.test(text);
}

/**
 * The cheap test first: whether some key ending in `Id` (every ID_KEYS name does) has a value that starts
 * like a number. A string search and a few characters per key, where the regular expression costs about
 * as much as parsing the record: most records go no further.
 */
function hasNumericIdKey(text: string): boolean {
  for (let at = text.indexOf('Id"'); at !== -1; at = text.indexOf('Id"', at + 3)) {
    let i = skipSpaces(text, at + 3);
    if (text.charCodeAt(i) !== 0x3a /* : */) continue;
    i = skipSpaces(text, i + 1);
    const c = text.charCodeAt(i);
    if ((c >= 0x31 && c <= 0x39) || c === 0x2d /* - */) return true;
  }
  return false;
}

function skipSpaces(text: string, from: number): number {
  let i = from;
  for (let c = text.charCodeAt(i); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = text.charCodeAt(++i));
  return i;
}

/**
 * JSON.parse, except that an id (ID_KEYS) written as an integer of more than 15 digits, at the top level
 * of the value or of an element of its top-level `batch` array, is read as a string of its digits
 * exactly as written. Throws what JSON.parse throws.
 */
export function parseJsonWithExactIds(text: string): unknown {
  if (!hasLongIntegerId(text)) return JSON.parse(text);
  const marked = text.replace(LONG_INTEGER_ID, (_match, key: string, digits: string) => `${key}"${MARK_IN_JSON}${digits}"`);
  const value: unknown = JSON.parse(marked);
  if (typeof value === 'string') return value;
  restoreMarked(value);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMarked(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(MARK);
}

/**
 * Every marked integer back in place: as its digits where it is an id (a top-level field of the value
 * or of an element of its `batch`), as the number JSON.parse would have made anywhere else. Iterative,
 * so a deeply nested record cannot overflow the stack here (the depth limit refuses it later).
 */
function restoreMarked(root: unknown): void {
  const ids = new Set<Record<string, unknown>>();
  if (isObject(root)) {
    ids.add(root);
    if (Array.isArray(root.batch)) for (const element of root.batch) if (isObject(element)) ids.add(element);
  }
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const node = pending.pop();
    if (Array.isArray(node)) {
      for (let k = 0; k < node.length; k++) {
        const item: unknown = node[k];
        if (isMarked(item)) node[k] = Number(item.slice(MARK.length));
        else if (typeof item === 'object' && item !== null) pending.push(item);
      }
    } else if (isObject(node)) {
      const holdsIds = ids.has(node);
      for (const key of Object.keys(node)) {
        const item = node[key];
        if (isMarked(item)) {
          const digits = item.slice(MARK.length);
          const restored = holdsIds && (ID_KEYS as readonly string[]).includes(key) ? digits : Number(digits);
          // Defined, not assigned: JSON.parse makes "__proto__" an own key, which an assignment would not reach.
          Object.defineProperty(node, key, { value: restored, writable: true, enumerable: true, configurable: true });
        } else if (typeof item === 'object' && item !== null) pending.push(item);
      }
    }
  }
}
