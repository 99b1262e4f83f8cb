/**
 * Product-analytics records in the Segment spec: validation and normalization, shared by the
 * companion's import and sync and by the delivery server's ingestion. Pure, Node-free, and written
 * by hand (not with zod) because it runs once per record on the import's hot path.
 */
import { hash53, hash53Of } from './hash';

export type JsonObject = Record<string, unknown>;

/**
 * A record ready to store: a track-like event (track, page, screen), an identify call, or (where the
 * caller reads them, NormalizeOptions.identityCalls) an alias or a group call.
 */
export interface NormalizedRecord {
  kind: 'event' | 'identify' | 'alias' | 'group';
  /** The messageId, or an id derived from the normalized content. */
  id: string;
  /** The record's user: its userId, else its anonymousId. */
  userId: string;
  /** True when `userId` is the record's anonymousId (it has no userId): the user is not known yet. */
  anonymous?: true;
  /**
   * A second id the record links to its user (NormalizeOptions.identityCalls): the anonymousId of a
   * record that carries a different userId too, or an alias call's previousId.
   */
  linkedId?: string;
  /** A group call's groupId; its `data` are the group's traits. */
  groupId?: string;
  /** Event name; '' for identify calls. */
  name: string;
  ts: number;
  /** Event properties, or the traits of an identify call; null when empty. */
  data: JsonObject | null;
  /** An event's `context.traits`, which merge into the user's traits at its instant (NormalizeOptions.contextTraits). */
  traits?: JsonObject;
}

export type NormalizeResult = { ok: true; record: NormalizedRecord } | { ok: false; reason: string };

/** A record's JSON text may not exceed this many bytes of UTF-8. */
export const MAX_RECORD_BYTES = 32_768;

const SUPPORTED = 'track, identify, page or screen';
const SUPPORTED_WITH_IDENTITY = 'track, identify, page, screen, alias or group';

/**
 * Calls of the Segment spec that a caller not reading identity calls (NormalizeOptions.identityCalls)
 * refuses, never reads as another call: a type-less group body read as an identify once overwrote a
 * user's name with the company's.
 */
const NOT_YET_SUPPORTED: Record<string, string> = {
  alias: 'until identity links exist',
  group: 'until accounts exist',
};

/** The fields that give a type-less record (an HTTP API body) its type, and the type each gives. */
const TYPE_FIELDS = [
  ['event', 'track'],
  ['previousId', 'alias'],
  ['groupId', 'group'],
] as const;

const given = (value: unknown): boolean => value !== undefined && value !== null;

/**
 * A type-less record's type, inferred only where it is unambiguous: event → track, previousId →
 * alias, groupId → group, traits with none of those → identify. A string is why none could be.
 */
export function inferType(raw: JsonObject): { type: string; from: string } | string {
  const found = TYPE_FIELDS.filter(([field]) => given(raw[field]));
  if (found.length > 1) {
    return `missing type, and none could be inferred: the record has ${found.map(([field]) => field).join(' and ')}, which mean different calls`;
  }
  const [only] = found;
  if (only) return { type: only[1], from: only[0] };
  if (given(raw.traits)) return { type: 'identify', from: 'traits' };
  return `missing type, and none could be inferred: the record has no event, previousId, groupId or traits (expected ${SUPPORTED})`;
}

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/** Two ASCII digits at i, or -1. */
function digits2(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * The common shape, "2024-06-01T10:00:00.000Z" (what every SDK sends), read straight from character
 * codes: the regex path below costs several times more, and an import meets a million of these.
 */
function parseCanonicalUtc(text: string): number | null {
  if (text.length !== 24 || text.charCodeAt(23) !== 90 /* Z */ || text.charCodeAt(10) !== 84 /* T */) return null;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58 || text.charCodeAt(19) !== 46) {
    return null;
  }
  const century = digits2(text, 0);
  const yy = digits2(text, 2);
  const month = digits2(text, 5);
  const day = digits2(text, 8);
  const hour = digits2(text, 11);
  const minute = digits2(text, 14);
  const second = digits2(text, 17);
  const ms1 = digits2(text, 20);
  const ms2 = text.charCodeAt(22) - 48;
  if (century < 0 || yy < 0 || ms1 < 0 || ms2 < 0 || ms2 > 9) return null;
  const year = century * 100 + yy;
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return null;
  }
  return utcInstant(year, month, day, hour, minute, second, ms1 * 10 + ms2);
}

/**
 * Date.UTC for a valid calendar date and time, but years 0-99 mean themselves (Date.UTC reads them
 * as 1900-1999). Plain arithmetic on the proleptic Gregorian calendar (days counted in 400-year eras
 * from a March-based year, so leap days fall at a year's end): no Date object per call, which an
 * import pays a million times.
 */
export function utcInstant(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  // 719,468 days from 0000-03-01 to 1970-01-01.
  const days = era * 146_097 + dayOfEra - 719_468;
  return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + ms;
}

/**
 * Parses a timestamp: an ISO 8601 instant with Z or an offset, or epoch milliseconds (a number or,
 * from CSV, a numeric string). Returns ms since the epoch, or a reason.
 */
export function parseTimestamp(value: unknown): number | string {
  if (value === undefined || value === null || value === '') return 'missing timestamp';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return `timestamp ${String(value)} is not a finite number`;
    if (Math.abs(value) > 8.64e15) return `timestamp ${value} is out of range`;
    return Math.floor(value);
  }
  if (typeof value !== 'string') return `timestamp must be an ISO 8601 string or epoch milliseconds, not ${typeof value}`;
  const fast = parseCanonicalUtc(value);
  if (fast !== null) return fast;
  const text = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return parseTimestamp(Number(text));
  const m = ISO_INSTANT.exec(text);
  if (!m) {
    return /^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(text)
      ? `timestamp "${truncate(text)}" has no time zone (add Z or an offset)`
      : `timestamp "${truncate(text)}" is not ISO 8601 or epoch milliseconds`;
  }
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  const wall = wallClock(y, mo, d, h, mi, s, frac);
  if (wall === null) return `timestamp "${truncate(text)}" is not a valid date and time`;
  let offset = 0;
  if (sign !== undefined) {
    const hours = Number(oh);
    const minutes = Number(om);
    if (hours > 23 || minutes > 59) return `timestamp "${truncate(text)}" has an invalid offset`;
    offset = (sign === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000;
  }
  return wall - offset;
}

/**
 * The instant a date-time text's matched fields give, read as UTC (seconds and their fraction may be
 * absent); null when they are not a valid date and time.
 */
export function wallClock(y?: string, mo?: string, d?: string, h?: string, mi?: string, s?: string, frac?: string): number | null {
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) return null;
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  return utcInstant(year, month, day, hour, minute, second, ms);
}

/** A value quoted in a reason, cut to `max` characters. */
export function truncate(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** JSON with object keys sorted at every depth: equal content gives equal text, whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A stable id for a record without a messageId: two hashes of its normalized content (106 bits). */
export function derivedRecordId(kind: string, userId: string, name: string, ts: number, data: JsonObject | null): string {
  const text = canonicalJson([kind, userId, name, ts, data ?? {}]);
  return `gp-${hash53(text, 1).toString(36)}-${hash53(text, 2).toString(36)}`;
}

/** The dedupe key stored beside the id: a 53-bit hash, exact in a JS number and an SQLite INTEGER. */
export function recordKey(id: string): number {
  return hash53(id, 7);
}

/** recordKey of the id text[start, end), without cutting it out. */
export function recordKeyOf(text: string, start: number, end: number): number {
  return hash53Of(text, start, end, 7);
}

/** An id field's value as text: a non-blank string, or a finite number; null when unset or neither. */
export function idOf(value: unknown): string | null {
  if (typeof value === 'string' && value.trim() !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function objectField(raw: JsonObject, field: string): JsonObject | null | string {
  const value = raw[field];
  if (value === undefined || value === null) return null;
  if (!isPlainObject(value)) return `${field} must be an object`;
  return Object.keys(value).length === 0 ? null : value;
}

/** The fields a record's instant may come from, in the order the Segment spec gives. */
export const TIME_FIELDS = ['timestamp', 'originalTimestamp', 'sentAt', 'receivedAt'] as const;
export type TimeField = (typeof TIME_FIELDS)[number];

function hasTime(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/**
 * A record's instant by the Segment spec's chain: `timestamp`; else `originalTimestamp` corrected by
 * `receivedAt − sentAt` (the device clock's skew) when both are known, else `originalTimestamp`; else
 * `receivedAt`. `read` parses one field (the import reads more forms than the delivery server);
 * `receivedAt`, when given, is the moment the caller received the record and replaces the record's own
 * (the delivery server passes its arrival: a client's claim of when it was received means nothing).
 * A failure names the time fields the record had.
 */
export function instantFromTimeFields(raw: JsonObject, read: (value: unknown, field: TimeField) => number | string, receivedAt?: number): number | string {
  const received = (): number | string | undefined => receivedAt ?? (hasTime(raw.receivedAt) ? read(raw.receivedAt, 'receivedAt') : undefined);
  let instant: number | string;
  if (hasTime(raw.timestamp)) instant = read(raw.timestamp, 'timestamp');
  else if (hasTime(raw.originalTimestamp)) {
    instant = read(raw.originalTimestamp, 'originalTimestamp');
    if (typeof instant === 'number' && hasTime(raw.sentAt)) {
      const arrival = received();
      if (arrival !== undefined) {
        const sent = read(raw.sentAt, 'sentAt');
        if (typeof arrival === 'string') instant = arrival;
        else if (typeof sent === 'string') instant = sent;
        else instant += arrival - sent;
      }
    }
  } else instant = received() ?? 'missing timestamp: the record has no timestamp, originalTimestamp or receivedAt';
  if (typeof instant === 'number') return instant;
  const fields = TIME_FIELDS.filter((field) => hasTime(raw[field]));
  return fields.length === 0 ? instant : `${instant} (time fields: ${fields.join(', ')})`;
}

/** How a caller reads what the spec leaves to it (the import reads more shapes than the delivery server). */
export interface NormalizeOptions {
  /** The record's instant in ms, or why it has none; by default the strict parseTimestamp of `timestamp`. */
  instantOf?: (raw: JsonObject) => number | string;
  /**
   * Read `context.traits` (RudderStack's SDKs put traits there): an identify call without traits of its
   * own takes them, and every other call carries them as NormalizedRecord.traits.
   */
  contextTraits?: boolean;
  /**
   * Read identity: alias and group calls become records (kind 'alias' and 'group') instead of being
   * refused, and a record with both a userId and an anonymousId carries the latter as `linkedId`
   * (docs/IMPORT.md, "Identity").
   */
  identityCalls?: boolean;
  /**
   * The record is a warehouse `accounts` row: a group call of an account's latest traits that names
   * no user (its userId is then ''), so it updates the account without a member.
   */
  accountRow?: boolean;
}

/** A record's non-empty `context.traits` object, if it has one. */
function contextTraitsOf(raw: JsonObject): JsonObject | null {
  const context = raw.context;
  if (!isPlainObject(context)) return null;
  const traits = context.traits;
  return isPlainObject(traits) && Object.keys(traits).length > 0 ? traits : null;
}

/**
 * Validates one record and normalizes it. `byteLength` is the UTF-8 size of the record's JSON text
 * when the caller already knows it (NDJSON lines); otherwise it is measured.
 */
export function normalizeRecord(raw: unknown, byteLength?: number, options: NormalizeOptions = {}): NormalizeResult {
  if (!isPlainObject(raw)) return { ok: false, reason: 'record is not a JSON object' };
  const size = byteLength ?? utf8Length(JSON.stringify(raw));
  if (size > MAX_RECORD_BYTES) {
    return { ok: false, reason: `record is ${size} bytes of JSON, more than the ${MAX_RECORD_BYTES}-byte limit` };
  }
  let type = raw.type;
  let inferredFrom: string | null = null;
  if (type === undefined || type === null || type === '') {
    const inferred = inferType(raw);
    if (typeof inferred === 'string') return { ok: false, reason: inferred };
    ({ type, from: inferredFrom } = inferred);
  }
  const identity = options.identityCalls === true;
  const supported = identity ? SUPPORTED_WITH_IDENTITY : SUPPORTED;
  if (typeof type !== 'string') return { ok: false, reason: `type must be a string (${supported})` };
  const kind = type.toLowerCase();
  const identityCall = identity && (kind === 'alias' || kind === 'group');
  if (kind !== 'track' && kind !== 'identify' && kind !== 'page' && kind !== 'screen' && !identityCall) {
    const from = inferredFrom === null ? '' : ` (inferred from ${inferredFrom})`;
    const notYet = NOT_YET_SUPPORTED[kind];
    return {
      ok: false,
      reason: notYet
        ? `unsupported type "${truncate(type, 30)}"${from}: ${kind} calls are not supported yet, ${notYet} (supported: ${supported})`
        : `unsupported type "${truncate(type, 30)}" (supported: ${supported})`,
    };
  }
  // An accounts row names no user: whatever user columns it has, it updates the account alone.
  const accountRow = identity && options.accountRow === true && kind === 'group';
  const knownId = accountRow ? null : idOf(raw.userId);
  const anonymousId = accountRow ? null : idOf(raw.anonymousId);
  const userId = accountRow ? '' : (knownId ?? anonymousId);
  if (userId === null) return { ok: false, reason: 'missing user: neither userId nor anonymousId is set' };
  const ts = options.instantOf ? options.instantOf(raw) : parseTimestamp(raw.timestamp);
  if (typeof ts === 'string') return { ok: false, reason: ts };

  let name: string;
  let data: JsonObject | null;
  let linkedId: string | null = identity && knownId !== null && anonymousId !== null && anonymousId !== knownId ? anonymousId : null;
  let groupId: string | null = null;
  if (kind === 'alias') {
    linkedId = idOf(raw.previousId);
    if (linkedId === null) return { ok: false, reason: 'alias call without a previousId' };
    name = '';
    data = null;
  } else if (kind === 'group') {
    groupId = idOf(raw.groupId);
    if (groupId === null) return { ok: false, reason: 'group call without a groupId' };
    const traits = objectField(raw, 'traits');
    if (typeof traits === 'string') return { ok: false, reason: traits };
    name = '';
    data = traits;
  } else if (kind === 'identify') {
    const traits = objectField(raw, 'traits');
    if (typeof traits === 'string') return { ok: false, reason: traits };
    name = '';
    data = traits ?? (options.contextTraits ? contextTraitsOf(raw) : null);
  } else {
    const properties = objectField(raw, 'properties');
    if (typeof properties === 'string') return { ok: false, reason: properties };
    if (kind === 'track') {
      if (typeof raw.event !== 'string' || raw.event.trim() === '') return { ok: false, reason: 'track call without an event name' };
      name = raw.event;
      data = properties;
    } else {
      name = kind === 'page' ? 'page_viewed' : 'screen_viewed';
      const callName = raw.name;
      data = callName === undefined || callName === null ? properties : { ...(properties ?? {}), name: callName };
    }
  }
  const messageId = raw.messageId;
  let id: string;
  if (typeof messageId === 'string' && messageId !== '') id = messageId;
  else if (typeof messageId === 'number' && Number.isFinite(messageId)) id = String(messageId);
  else id = derivedRecordId(identityCall ? kind : kind === 'identify' ? 'identify' : 'event', userId, identityCall ? (linkedId ?? groupId ?? '') : name, ts, data);
  const record: NormalizedRecord = { kind: identityCall ? kind : kind === 'identify' ? 'identify' : 'event', id, userId, name, ts, data };
  if (identity && knownId === null && !accountRow) record.anonymous = true;
  if (linkedId !== null && linkedId !== userId) record.linkedId = linkedId;
  if (groupId !== null) record.groupId = groupId;
  if (options.contextTraits && kind !== 'identify' && kind !== 'group') {
    const traits = contextTraitsOf(raw);
    if (traits) record.traits = traits;
  }
  return { ok: true, record };
}

/** Sets an own property, even one named "__proto__": a trait is data, never an object's prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // Only __proto__ is an accessor on Object.prototype; every other key assigns as an own property, and
  // plain assignment costs a fraction of defineProperty.
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * How identify calls merge traits, key by key: a trait set at `ts` replaces the one held (values, with
 * the time each key was set in times) when ts is at or after that time. The companion's cache and the
 * delivery server both keep users this way.
 */
export function mergeTrait(values: Record<string, unknown>, times: Record<string, number>, key: string, value: unknown, ts: number): void {
  const held = Object.prototype.hasOwnProperty.call(times, key) ? times[key] : undefined;
  if (held === undefined || ts >= held) {
    setOwn(values, key, value);
    setOwn(times, key, ts);
  }
}

/** UTF-8 byte length of a string, without allocating a buffer. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i += 1;
      } else bytes += 3; // a lone surrogate becomes U+FFFD: 3 bytes, as Buffer.byteLength counts it
    } else bytes += 3;
  }
  return bytes;
}
