/**
 * The fast path of an import's parser: prepares the common record straight from its JSON text,
 * without JSON.parse, without an object per record and without re-serializing its properties.
 *
 * It accepts only records whose prepared form it can give exactly as the general path would
 * (JSON.parse → normalizeRecord → prepare): a `track`, `page`, `screen` or `identify` call with a
 * messageId, a user id and event name that are plain strings, its instant from zoned ISO 8601 texts
 * or epoch milliseconds (`timestamp`, else the Segment spec's chain of `originalTimestamp`, `sentAt`
 * and `receivedAt`), a page or screen call's `name` a string or null, and flat properties or traits
 * whose text is already what JSON.stringify would write (no whitespace, no escapes, no surrogates,
 * numbers in canonical form, no duplicate or integer-like keys). Anything else, valid or not, makes
 * it answer null, and the record takes the general path, which also words every rejection. A
 * property test (tests/unit/fast-record.test.ts) holds the two paths to the same answers.
 *
 * Parsing and re-serializing were most of a parser thread's time, and the objects they made most of
 * its garbage collection.
 */
import { MAX_RECORD_BYTES, parseTimestamp, recordKeyOf } from '../../../shared/event-spec';
import { detached } from '../../../shared/strings';
import { TYPE_BITS, type ScannedKeys, type ShapeNumbering } from '../../db/property-keys';
import { withName, type PreparedRecord } from '../records';
import { EPOCH_MILLISECONDS_UP_TO, EPOCH_SECONDS_BELOW } from './record-time';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SPACE = 0x20;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
/** Nesting the validator follows inside fields it skips; deeper records take the general path. */
const MAX_DEPTH = 32;
/** Property keys per record the fast path handles (duplicate checks are pairwise). */
const MAX_KEYS = 64;

const scanned: ScannedKeys = {
  text: '',
  starts: new Int32Array(MAX_KEYS),
  ends: new Int32Array(MAX_KEYS),
  types: new Int32Array(MAX_KEYS),
  count: 0,
};

// The scanner's state: the text, the position of the next character and the end of the record's
// text (a reader's chunk holds many records). Module variables keep the hot functions free of allocation.
let s = '';
let p = 0;
let limit = 0;
/**
 * The UTF-8 bytes `s` is the Latin-1 reading of (one character per byte: a position in `s` is one in
 * `bytes`), or null when `s` is the text itself. A reader's chunk that holds non-ASCII bytes comes this
 * way (readers.ts, NdjsonChunk): JSON's structure is all ASCII and a UTF-8 multi-byte character is all
 * bytes of 0x80 and up, so the scan reads the structure as it would the decoded text, and the strings
 * the fast path keeps are decoded from their bytes (textAt) where they are not ASCII.
 */
let bytes: Buffer | null = null;
/**
 * The position of the next backslash in the record at or after the string being scanned (Infinity:
 * none left). Records with no backslash (most) never look for one; in the others the search moves
 * forward only, so a record is scanned once.
 */
let nextBackslash = Infinity;
/** Whether the string scanScript last scanned held an escape. */
let lastEscaped = false;
/** Whether scanFlatObject's object was written other than JSON.stringify would (spaces, escapes): flatText re-writes it. */
let rewrite = false;

/** The end of the string token at p (its closing quote), moving p past it; -1 when it has none or an invalid escape. */
function scanString(): number {
  const start = p + 1;
  let end = s.indexOf('"', start);
  if (end < 0 || end >= limit) return -1;
  lastEscaped = false;
  if (nextBackslash < end) {
    if (nextBackslash < start) nextBackslash = backslashFrom(start);
    if (nextBackslash < end) {
      end = escapedStringEnd(nextBackslash);
      if (end < 0) return -1;
      lastEscaped = true;
    }
  }
  p = end + 1;
  return end;
}

/** The next backslash of the record at or after `from`; Infinity when none. */
function backslashFrom(from: number): number {
  const at = s.indexOf('\\', from);
  return at < 0 || at >= limit ? Infinity : at;
}

/**
 * The closing quote of a string that has a backslash at `at`, checking each escape as JSON.parse
 * would (one of \" \\ \/ \b \f \n \r \t, or \u and four hex digits); -1 when one is invalid or the
 * string does not end in the record. Leaves nextBackslash at the first one after the string.
 */
function escapedStringEnd(at: number): number {
  let i = at;
  for (;;) {
    const c = s.charCodeAt(i + 1);
    if (c === 0x75) {
      if (!isHex(i + 2) || !isHex(i + 3) || !isHex(i + 4) || !isHex(i + 5)) return -1;
      i += 6;
    } else if (c === QUOTE || c === BACKSLASH || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74) i += 2;
    else return -1;
    const quote = s.indexOf('"', i);
    if (quote < 0 || quote >= limit) return -1;
    const next = backslashFrom(i);
    if (next > quote) {
      nextBackslash = next;
      return quote;
    }
    i = next;
  }
}

function isHex(i: number): boolean {
  const c = s.charCodeAt(i) | 0x20;
  return (c >= ZERO && c <= NINE) || (c >= 0x61 && c <= 0x66);
}

/** Moves p past spaces (Python's json.dumps writes `", "` and `": "`); other whitespace is unusual (nextUnusual). */
function skipSpaces(): void {
  while (s.charCodeAt(p) === SPACE) p++;
}

/**
 * Moves p past the JSON number at p. Returns 1 when its text is exactly what JSON.stringify writes
 * for its value, 0 when it is a valid number written otherwise, -1 when it is not a JSON number.
 */
function scanNumber(): number {
  const start = p;
  const n = limit;
  let i = p;
  if (s.charCodeAt(i) === MINUS) i++;
  let c = s.charCodeAt(i);
  if (c === ZERO) i++;
  else if (c > ZERO && c <= NINE) {
    i++;
    while (i < n && (c = s.charCodeAt(i)) >= ZERO && c <= NINE) i++;
  } else return -1;
  let plain = true;
  if (s.charCodeAt(i) === DOT) {
    plain = false;
    i++;
    const digits = i;
    while (i < n && (c = s.charCodeAt(i)) >= ZERO && c <= NINE) i++;
    if (i === digits) return -1;
  }
  c = s.charCodeAt(i);
  if (c === 0x65 || c === 0x45) {
    plain = false;
    i++;
    c = s.charCodeAt(i);
    if (c === 0x2b || c === MINUS) i++;
    const digits = i;
    while (i < n && (c = s.charCodeAt(i)) >= ZERO && c <= NINE) i++;
    if (i === digits) return -1;
  }
  p = i;
  const length = i - start;
  // Integers of at most 15 digits are exact and written back as they are, except minus zero.
  if (plain && length <= 15 && !(length === 2 && s.charCodeAt(start) === MINUS && s.charCodeAt(start + 1) === ZERO)) return 1;
  const token = s.slice(start, i);
  return String(Number(token)) === token ? 1 : 0;
}

/** True when the text has `word` at `at` (a loop: startsWith with a position was several times slower). */
function has(word: string, at: number): boolean {
  const n = word.length;
  for (let i = 0; i < n; i++) if (s.charCodeAt(at + i) !== word.charCodeAt(i)) return false;
  return true;
}

/** Moves p past `word` if the text has it at p. */
function scanWord(word: string): boolean {
  if (!has(word, p)) return false;
  p += word.length;
  return true;
}


/** The type bit of the primitive value at p, moving p past it; -1 for anything else or unusual. */
function scanPrimitive(): number {
  const c = s.charCodeAt(p);
  if (c === QUOTE) return scanString() < 0 ? -1 : TYPE_BITS.string;
  if (c === 0x74) return scanWord('true') ? TYPE_BITS.boolean : -1;
  if (c === 0x66) return scanWord('false') ? TYPE_BITS.boolean : -1;
  if (c === 0x6e) return scanWord('null') ? TYPE_BITS.null : -1;
  return scanNumber() === 1 ? TYPE_BITS.number : -1;
}

/** Moves p past any valid JSON value at p (numbers written canonically, whitespace-free); false for anything else. */
function skipValue(depth: number): boolean {
  const c = s.charCodeAt(p);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    if (depth >= MAX_DEPTH) return false;
    const close = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
    p++;
    skipSpaces();
    if (s.charCodeAt(p) === close) {
      p++;
      return true;
    }
    for (;;) {
      if (close === CLOSE_BRACE) {
        // An escaped key could spell a key the fast path looks for (`tr\u0061its`): the general path's.
        if (s.charCodeAt(p) !== QUOTE || scanString() < 0 || lastEscaped || !colon()) return false;
      }
      if (!skipValue(depth + 1)) return false;
      skipSpaces();
      const next = s.charCodeAt(p++);
      if (next === close) return true;
      if (next !== COMMA) return false;
      skipSpaces();
    }
  }
  if (c === QUOTE || c === 0x74 || c === 0x66 || c === 0x6e) return scanPrimitive() >= 0;
  // Canonical numbers only: the size limit is on the record re-serialized, and 1e300 written back is 301
  // characters, so only a record whose text is no shorter than its compact form may be measured by its text.
  return scanNumber() === 1;
}

/** Moves p past a colon between a key and its value, and the spaces around it; false when there is none. */
function colon(): boolean {
  skipSpaces();
  if (s.charCodeAt(p) !== COLON) return false;
  p++;
  skipSpaces();
  return true;
}

/** Moves p past the `context` value at p; false when it is an object with a `traits` key, or unusual. */
function skipContext(): boolean {
  if (s.charCodeAt(p) !== OPEN_BRACE) return skipValue(0);
  p++;
  skipSpaces();
  if (s.charCodeAt(p) === CLOSE_BRACE) {
    p++;
    return true;
  }
  for (;;) {
    if (s.charCodeAt(p) !== QUOTE) return false;
    const start = p + 1;
    const end = scanString();
    if (end < 0 || lastEscaped || (end - start === 6 && has('traits', start)) || !colon()) return false;
    if (!skipValue(1)) return false;
    skipSpaces();
    const next = s.charCodeAt(p++);
    if (next === CLOSE_BRACE) return true;
    if (next !== COMMA) return false;
    skipSpaces();
  }
}

/**
 * Scans the flat object at p into `scanned`, moving p past it. Returns false for anything the fast
 * path leaves to the general one.
 */
function scanFlatObject(): boolean {
  scanned.text = s;
  rewrite = false;
  const open = p;
  let count = 0;
  p++;
  skipSpaces();
  if (s.charCodeAt(p) === CLOSE_BRACE) {
    p++;
    scanned.count = 0;
    return true;
  }
  for (;;) {
    if (s.charCodeAt(p) !== QUOTE || count === MAX_KEYS) return false;
    const start = p + 1;
    // JSON.stringify writes integer-like keys first, whatever their place in the text.
    const first = s.charCodeAt(start);
    if (first >= ZERO && first <= NINE) return false;
    const end = scanString();
    // A key is read as written (the shape names it): in bytes, one that is not ASCII is the general path's.
    if (end < 0 || lastEscaped || !isAsciiAt(start, end) || !colon()) return false;
    const length = end - start;
    for (let k = 0; k < count; k++) {
      const other = scanned.starts[k] as number;
      if ((scanned.ends[k] as number) - other === length && sameText(start, other, length)) return false;
    }
    const valueStart = p;
    const type = scanPrimitive();
    if (type < 0) return false;
    scanned.starts[count] = start;
    scanned.ends[count] = end;
    scanned.types[count] = type;
    valueStarts[count] = valueStart;
    valueEnds[count] = p;
    valueEscaped[count] = type === TYPE_BITS.string && lastEscaped ? 1 : 0;
    if (valueEscaped[count] === 1) rewrite = true;
    count++;
    skipSpaces();
    const next = s.charCodeAt(p++);
    if (next === CLOSE_BRACE) break;
    if (next !== COMMA) return false;
    skipSpaces();
  }
  scanned.count = count;
  // Spaces anywhere: the text is longer than its members and their separators.
  if (!rewrite) {
    let compact = 1 + count;
    for (let k = 0; k < count; k++) compact += (scanned.ends[k] as number) - (scanned.starts[k] as number) + 3 + (valueEnds[k] as number) - (valueStarts[k] as number);
    rewrite = p - open !== compact;
  }
  return true;
}

// Where scanFlatObject found each member's value, and whether it is a string with an escape.
const valueStarts = new Int32Array(MAX_KEYS);
const valueEnds = new Int32Array(MAX_KEYS);
const valueEscaped = new Uint8Array(MAX_KEYS);

/**
 * scanFlatObject's object as JSON.stringify writes it: members joined without spaces, and strings
 * with escapes decoded and written again (`\u00e9` becomes é, `\n` stays as it is).
 */
function flatText(): string {
  let text = '{';
  for (let k = 0; k < scanned.count; k++) {
    const value = textAt(valueStarts[k] as number, valueEnds[k] as number);
    text += `${k === 0 ? '' : ','}${s.slice((scanned.starts[k] as number) - 1, (scanned.ends[k] as number) + 1)}:${valueEscaped[k] === 1 ? JSON.stringify(JSON.parse(value)) : value}`;
  }
  return `${text}}`;
}

/** True when the text holds the same `length` characters at a and at b. */
function sameText(a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (s.charCodeAt(a + i) !== s.charCodeAt(b + i)) return false;
  return true;
}

/**
 * Event names seen lately, handed out again as the same string: a file has few names, and the
 * parser thread's numbering then finds the name by its cached hash instead of hashing a new copy.
 */
const recentNames: string[] = [];
const RECENT_NAMES = 16;
let recentNamesNext = 0;

function nameAt(start: number, end: number): string {
  if (!isAsciiAt(start, end)) return textAt(start, end);
  const length = end - start;
  for (let k = 0; k < recentNames.length; k++) {
    const name = recentNames[k] as string;
    if (name.length === length && has(name, start)) return name;
  }
  const name = detached(s.slice(start, end));
  recentNames[recentNamesNext] = name;
  recentNamesNext = (recentNamesNext + 1) % RECENT_NAMES;
  return name;
}

/** The span of a string field's value, by the field's bit. */
function spanStart(field: number): number {
  return fieldStarts[31 - Math.clz32(field)] as number;
}

function spanLength(field: number): number {
  const slot = 31 - Math.clz32(field);
  return (fieldEnds[slot] as number) - (fieldStarts[slot] as number);
}

function spanText(field: number): string {
  const start = spanStart(field);
  return textAt(start, start + spanLength(field));
}

/** The text of s[start, end) as the record means it: decoded from its bytes where it is not ASCII. */
function textAt(start: number, end: number): string {
  return bytes === null || isAsciiAt(start, end) ? s.slice(start, end) : bytes.toString('utf8', start, end);
}

/** True when s[start, end) is ASCII (always, when s is text rather than bytes). */
function isAsciiAt(start: number, end: number): boolean {
  if (bytes === null) return true;
  for (let i = start; i < end; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

function spanIs(field: number, word: string): boolean {
  return spanLength(field) === word.length && has(word, spanStart(field));
}

/** True when the field's first character makes String.prototype.trim() surely leave something. */
function surelyNotBlank(field: number): boolean {
  if (spanLength(field) === 0) return false;
  const c = s.charCodeAt(spanStart(field));
  return c > 0x20 && c < 0x7f;
}

// Top-level fields, as bits, to catch a field given twice (JSON.parse keeps the last one).
const F_TYPE = 1;
const F_EVENT = 2;
const F_USER = 4;
const F_ANONYMOUS = 8;
const F_MESSAGE = 16;
const F_TIMESTAMP = 32;
const F_DATA = 64;
const F_CONTEXT = 128;
/** A page or screen call's name (joins its properties); ignored on other calls, as the general path ignores it. */
const F_NAME = 256;
// The Segment spec's time fields after `timestamp` (record-time.ts reads the chain).
const F_ORIGINAL = 512;
const F_SENT = 1024;
const F_RECEIVED = 2048;
/** Where each string field's text starts and ends, by its bit's position. */
const fieldStarts = new Int32Array(12);
const fieldEnds = new Int32Array(12);
const LATER_TIMES = F_ORIGINAL | F_SENT | F_RECEIVED;
/**
 * Fields read only on some records: a value that is not a string is skipped and noted (`odd`), and
 * matters only where it is read (a page's name, a time field the chain reaches).
 */
const LENIENT_FIELDS = F_NAME | LATER_TIMES;

/**
 * Characters that make a record take the general path wherever they are: surrogates would be
 * written differently by JSON.stringify, and control characters are invalid in JSON (as whitespace,
 * the general path allows them; spaces are the only whitespace the fast path skips). Checked once
 * per chunk of text. Line feeds are left out because they separate a chunk's records (prepareFast
 * checks for them itself), and a CR that ends a line is not part of its record. Backslashes are
 * found apart (nextBackslashIn): a record with escapes still takes the fast path, more slowly.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const UNUSUAL_IN_LINES = /[\u0000-\u0009\u000b-\u001f\ud800-\udfff]/g;

/** The position of the first UNUSUAL_IN_LINES character of `text` at or after `from`; text.length if none. */
export function nextUnusual(text: string, from: number): number {
  UNUSUAL_IN_LINES.lastIndex = from;
  const found = UNUSUAL_IN_LINES.exec(text);
  return found ? found.index : text.length;
}

/**
 * The position of the first backslash of `text` at or after `from`; text.length if none. A caller
 * going through a chunk's records keeps it and looks again only once a record starts past it, as
 * with nextUnusual, so the chunk is searched once.
 */
export function nextBackslashIn(text: string, from: number): number {
  const found = text.indexOf('\\', from);
  return found < 0 ? text.length : found;
}

/**
 * What prepareFastAt prepared, overwritten by its next success (copy what you keep). The id and the
 * properties' JSON stay where they lie in the text, as spans (jsonStart < 0: no properties), so the
 * parser threads hand the reader's chunk over whole instead of cutting two strings per record.
 */
export interface FastRecord {
  key: number;
  userId: string;
  /** '' for identify calls. */
  name: string;
  ts: number;
  shape: number;
  /** True when userId is the record's anonymousId (it has no userId). */
  anonymous: boolean;
  /** The anonymousId of a record with a different userId too; '' for none. */
  linkedId: string;
  idStart: number;
  idEnd: number;
  jsonStart: number;
  jsonEnd: number;
  /**
   * A page or screen call's `name` token (its JSON string, quotes included) when it joins the data:
   * the data's JSON is then withName(the span's text, the token's). -1: none.
   */
  nameStart: number;
  nameEnd: number;
  /**
   * The data's JSON when it is not a span of the text (properties re-written as JSON.stringify would
   * write them), else null. The caller then adds the record as its own PreparedRecord (preparedFast)
   * rather than as spans of the chunk.
   */
  jsonText: string | null;
}

export const fastRecord: FastRecord = {
  key: 0,
  userId: '',
  name: '',
  ts: 0,
  shape: 0,
  anonymous: false,
  linkedId: '',
  idStart: 0,
  idEnd: 0,
  jsonStart: -1,
  jsonEnd: -1,
  nameStart: -1,
  nameEnd: -1,
  jsonText: null,
};

/** The record prepareFastAt last prepared, as a PreparedRecord of its own. */
export function preparedFast(): PreparedRecord {
  const { key, userId, name, ts, shape, anonymous, linkedId, idStart, idEnd, jsonStart, jsonEnd, nameStart, jsonText } = fastRecord;
  const data = jsonStart < 0 ? null : textAt(jsonStart, jsonEnd);
  const json = jsonText ?? (nameStart < 0 ? data : withName(data, textAt(nameStart, fastRecord.nameEnd)));
  return { shape, key, id: s.slice(idStart, idEnd), userId, name, ts, json, ...(anonymous ? { anonymous: true } : {}), ...(linkedId !== '' ? { linkedId } : {}) };
}

/**
 * The prepared record for a record's JSON text, when the fast path can give it; null otherwise (the
 * caller then takes the general path). `byteLength` is the text's UTF-8 size as the reader knows it
 * (0: surely under the limit; undefined: unknown).
 */
export function prepareFast(text: string, byteLength: number | undefined, shapes: ShapeNumbering): PreparedRecord | null {
  if (byteLength === undefined || byteLength > MAX_RECORD_BYTES || nextUnusual(text, 0) < text.length || text.includes('\n')) return null;
  return prepareFastAt(text, 0, text.length, shapes, nextBackslashIn(text, 0)) ? preparedFast() : null;
}

/**
 * The fast path for the record text[start, end), which the caller has checked: surely under the size
 * limit, and free of UNUSUAL_IN_LINES characters (nextUnusual). `backslash` is the first backslash
 * at or after `start` (nextBackslashIn; past `end` when the record has none). `utf8`: the bytes `text`
 * is the Latin-1 reading of, when it is not the text itself (see `bytes`); the record's spans in
 * fastRecord are then positions in those bytes. True when it prepared the record into `fastRecord`.
 */
export function prepareFastAt(text: string, start: number, end: number, shapes: ShapeNumbering, backslash: number, utf8: Buffer | null = null): boolean {
  s = text;
  bytes = utf8;
  limit = end;
  nextBackslash = backslash < end ? backslash : Infinity;
  rewrite = false;
  if (s.charCodeAt(start) !== OPEN_BRACE || s.charCodeAt(start + 1) === CLOSE_BRACE || end - start < 2) return false;
  p = start + 1;
  skipSpaces();
  let seen = 0;
  /** Lenient fields whose value was not a string. */
  let odd = 0;
  let dataIsTraits = false;
  let dataStart = -1;
  let dataEnd = -1;
  for (;;) {
    if (s.charCodeAt(p) !== QUOTE) return false;
    const keyStart = p + 1;
    const keyEnd = scanString();
    if (keyEnd < 0 || lastEscaped || !colon()) return false;
    const field = fieldOf(keyStart, keyEnd - keyStart);
    if (field !== 0) {
      if ((seen & field) !== 0) return false;
      seen |= field;
      if (field === F_DATA) {
        dataIsTraits = s.charCodeAt(keyStart) === 0x74;
        if (s.charCodeAt(p) === OPEN_BRACE) {
          dataStart = p;
          if (!scanFlatObject()) return false;
          dataEnd = p;
          if (scanned.count === 0) dataStart = dataEnd = -1;
        } else if (!scanWord('null')) return false;
      } else if (field === F_CONTEXT) {
        // context.traits merge into the user's traits (or are an identify call's traits): the general path's.
        if (!skipContext()) return false;
      } else if ((field & LENIENT_FIELDS) !== 0 && s.charCodeAt(p) !== QUOTE) {
        if (!skipValue(0)) return false;
        // A null name is no name (the general path's `callName === null`); anything else is noted.
        if (field !== F_NAME || !has('null', p - 4)) odd |= field;
        seen &= ~field;
      } else {
        // Every other field the fast path reads is a string.
        if (s.charCodeAt(p) !== QUOTE) return false;
        const start = p + 1;
        const end = scanString();
        if (end < 0) return false;
        if (lastEscaped) {
          // The fast path reads its fields' text as written: an escaped one is the general path's,
          // unless the field is one read only on some records.
          if ((field & LENIENT_FIELDS) === 0) return false;
          odd |= field;
          seen &= ~field;
        }
        const slot = 31 - Math.clz32(field);
        fieldStarts[slot] = start;
        fieldEnds[slot] = end;
      }
    } else if (!skipValue(0)) return false;
    skipSpaces();
    const next = s.charCodeAt(p++);
    if (next === CLOSE_BRACE) break;
    if (next !== COMMA) return false;
    skipSpaces();
  }
  if (p !== limit) return false;

  // What normalizeRecord would decide, for the cases taken here. A field's span is read only when
  // the record has the field (`seen`): the arrays hold an earlier record's spans otherwise.
  if ((seen & F_TYPE) === 0 || (seen & F_MESSAGE) === 0 || spanLength(F_MESSAGE) === 0) return false;
  // The id is hashed and kept as written: in bytes, one that is not ASCII is the general path's.
  if (!isAsciiAt(spanStart(F_MESSAGE), spanStart(F_MESSAGE) + spanLength(F_MESSAGE))) return false;
  const track = spanIs(F_TYPE, 'track');
  const page = !track && spanIs(F_TYPE, 'page');
  const screen = !track && !page && spanIs(F_TYPE, 'screen');
  const event = track || page || screen;
  if (!event && !spanIs(F_TYPE, 'identify')) return false;
  // The data that counts is the call's own: properties for events, traits for identify.
  if ((seen & F_DATA) !== 0 && dataIsTraits === event) return false;
  let userId: string;
  let anonymous = false;
  let linkedId = '';
  if ((seen & F_USER) !== 0) {
    if (!surelyNotBlank(F_USER)) return false;
    userId = spanText(F_USER);
    // Real analytics.js records carry both ids: the anonymousId is linked to the user (identity links).
    if ((seen & F_ANONYMOUS) !== 0) {
      if (surelyNotBlank(F_ANONYMOUS)) {
        const length = spanLength(F_ANONYMOUS);
        if (bytes !== null) {
          const anonymousId = spanText(F_ANONYMOUS);
          if (anonymousId !== userId) linkedId = anonymousId;
        } else if (length !== userId.length || !has(userId, spanStart(F_ANONYMOUS))) linkedId = s.slice(spanStart(F_ANONYMOUS), spanStart(F_ANONYMOUS) + length);
      } else if (spanLength(F_ANONYMOUS) !== 0) return false;
    }
  } else if ((seen & F_ANONYMOUS) !== 0 && surelyNotBlank(F_ANONYMOUS)) {
    userId = spanText(F_ANONYMOUS);
    anonymous = true;
  } else return false;
  let name = '';
  let jsonText: string | null = null;
  let nameStart = -1;
  let nameEnd = -1;
  if (track) {
    if ((seen & F_EVENT) === 0 || !surelyNotBlank(F_EVENT)) return false;
    name = nameAt(spanStart(F_EVENT), spanStart(F_EVENT) + spanLength(F_EVENT));
  } else if (event) {
    name = page ? 'page_viewed' : 'screen_viewed';
    if ((odd & F_NAME) !== 0) return false;
    if (dataStart < 0) {
      // No properties: nothing scanned belongs to this record.
      scanned.text = s;
      scanned.count = 0;
    }
    if ((seen & F_NAME) !== 0) {
      // The general path writes `{...properties, name}`: the name goes last, unless the properties
      // have a `name` of their own, which it would overwrite in place.
      const count = scanned.count;
      if (count === MAX_KEYS) return false;
      for (let k = 0; k < count; k++) if ((scanned.ends[k] as number) - (scanned.starts[k] as number) === 4 && has('name', scanned.starts[k] as number)) return false;
      nameStart = spanStart(F_NAME) - 1;
      nameEnd = spanStart(F_NAME) + spanLength(F_NAME) + 1;
      // Properties as written stay a span, with the name's token beside them (withName joins them where
      // the JSON is needed); properties re-written are joined here.
      if (rewrite && dataStart >= 0) jsonText = withName(flatText(), textAt(nameStart, nameEnd));
      // The key's text is the field's own key (spaces may stand between it and its value).
      const keyEnd = s.lastIndexOf('"', s.lastIndexOf(':', spanStart(F_NAME) - 1) - 1);
      scanned.starts[count] = keyEnd - 4;
      scanned.ends[count] = keyEnd;
      scanned.types[count] = TYPE_BITS.string;
      scanned.count = count + 1;
    }
  }
  if (jsonText === null && rewrite && dataStart >= 0) jsonText = flatText();
  const ts = instant(seen, odd);
  if (Number.isNaN(ts)) return false;
  const hasData = dataStart >= 0 || jsonText !== null || nameStart >= 0;
  const idStart = spanStart(F_MESSAGE);
  const idEnd = idStart + spanLength(F_MESSAGE);
  fastRecord.shape = event && hasData ? shapes.shapeOfScanned(name, scanned) : 0;
  fastRecord.key = recordKeyOf(s, idStart, idEnd);
  fastRecord.userId = userId;
  fastRecord.anonymous = anonymous;
  fastRecord.linkedId = linkedId;
  fastRecord.name = name;
  fastRecord.ts = ts;
  fastRecord.idStart = idStart;
  fastRecord.idEnd = idEnd;
  fastRecord.jsonStart = dataStart;
  fastRecord.jsonEnd = dataEnd;
  fastRecord.jsonText = jsonText;
  fastRecord.nameStart = jsonText === null ? nameStart : -1;
  fastRecord.nameEnd = jsonText === null ? nameEnd : -1;
  return true;
}

/**
 * The record's instant by the Segment spec's chain, as instantFromTimeFields reads it: `timestamp`,
 * else `originalTimestamp` corrected by `receivedAt − sentAt` when both are there, else
 * `originalTimestamp`, else `receivedAt`. NaN when a field it needs is not one strictTime reads.
 */
function instant(seen: number, odd: number): number {
  if ((seen & F_TIMESTAMP) !== 0) return strictTime(F_TIMESTAMP);
  // Past timestamp, a time field that is not a text (null, a number) may change the chain: the general path's.
  if ((odd & LATER_TIMES) !== 0) return NaN;
  if ((seen & F_ORIGINAL) !== 0) {
    const original = strictTime(F_ORIGINAL);
    if ((seen & F_SENT) === 0 || (seen & F_RECEIVED) === 0) return original;
    return original + (strictTime(F_RECEIVED) - strictTime(F_SENT));
  }
  return (seen & F_RECEIVED) !== 0 ? strictTime(F_RECEIVED) : NaN;
}

/**
 * A time field's instant, when the import's time reading (record-time.ts) reads it as the strict
 * parser does: a date-time with a zone, or epoch milliseconds as plain digits; NaN otherwise. Epoch
 * seconds, fractions, zone-less and warehouse forms take the general path.
 */
function strictTime(field: number): number {
  if (!isAsciiAt(spanStart(field), spanStart(field) + spanLength(field))) return NaN;
  const ts = parseTimestamp(spanText(field));
  if (typeof ts === 'string') return NaN;
  const length = spanLength(field);
  const dateText = length >= 16 && s.charCodeAt(spanStart(field) + 4) === MINUS;
  return dateText || (ts >= EPOCH_SECONDS_BELOW && ts <= EPOCH_MILLISECONDS_UP_TO && digitsOf(ts) === length) ? ts : NaN;
}

/** Digits of a positive integer as String() writes it (below 1e21). */
function digitsOf(n: number): number {
  return Math.floor(Math.log10(n)) + 1;
}

/** Which top-level field a key is, by its length first; 0 for fields the fast path does not read. */
function fieldOf(start: number, length: number): number {
  switch (length) {
    case 4:
      if (has('type', start)) return F_TYPE;
      return has('name', start) ? F_NAME : 0;
    case 5:
      return has('event', start) ? F_EVENT : 0;
    case 6:
      if (has('userId', start)) return F_USER;
      if (has('sentAt', start)) return F_SENT;
      return has('traits', start) ? F_DATA : 0;
    case 7:
      return has('context', start) ? F_CONTEXT : 0;
    case 9:
      if (has('messageId', start)) return F_MESSAGE;
      return has('timestamp', start) ? F_TIMESTAMP : 0;
    case 10:
      if (has('properties', start)) return F_DATA;
      return has('receivedAt', start) ? F_RECEIVED : 0;
    case 11:
      return has('anonymousId', start) ? F_ANONYMOUS : 0;
    case 17:
      return has('originalTimestamp', start) ? F_ORIGINAL : 0;
    default:
      return 0;
  }
}
