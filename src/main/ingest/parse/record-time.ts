/**
 * When an imported record happened, per the Segment spec, as archives and warehouses write it. The
 * import's own reading: the shared parseTimestamp stays strict, because the delivery server uses it
 * for schedules and its own ingestion.
 *
 * - The instant is `timestamp`. Without it, `originalTimestamp` corrected by `receivedAt − sentAt`
 *   (the device's clock skew) when both are there, else `originalTimestamp`, else `receivedAt`.
 * - Date-times without a zone (`2015-02-23 22:28:55`, with a space or a T) are UTC, as warehouses mean
 *   them, unless the import names a time zone; the ` UTC` suffix and `+00`, `+0000`, `-0800` offsets
 *   (BigQuery, PostgreSQL/Redshift, Snowflake) parse.
 * - An epoch number below 1e11 is seconds (a fraction allowed), at or above it milliseconds; above
 *   1e14 it is refused (microseconds or nanoseconds).
 * docs/IMPORT.md states these rules for users.
 */
import { instantFromTimeFields, parseTimestamp, truncate, utcInstant, wallClock, type JsonObject } from '../../../shared/event-spec';

/** Epoch numbers below this are seconds: 1e11 s is the year 5138, 1e11 ms is 1973. */
export const EPOCH_SECONDS_BELOW = 1e11;
/** Epoch numbers above this are refused: 1e14 ms is the year 5138, so these are micro- or nanoseconds. */
export const EPOCH_MILLISECONDS_UP_TO = 1e14;

/**
 * Date and time with an optional fraction, then an optional zone: Z, " UTC", or an offset of hours
 * with optional minutes (+00, +0000, +00:00), with or without a space before it.
 */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])| ?(UTC)| ?([+-])(\d{2})(?::?(\d{2}))?)?$/;

const NUMERIC = /^-?\d+(\.\d+)?$/;

/** Offsets of an IANA zone (ms to add to UTC to get the wall clock), cached per quarter hour. */
class ZoneOffsets {
  private readonly format: Intl.DateTimeFormat;
  private readonly cache = new Map<number, number>();

  constructor(timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** The zone's offset at the instant `utc` (every zone's transitions fall on quarter hours). */
  at(utc: number): number {
    const slot = Math.floor(utc / 900_000);
    let offset = this.cache.get(slot);
    if (offset === undefined) {
      const parts: Record<string, number> = {};
      for (const part of this.format.formatToParts(slot * 900_000)) parts[part.type] = Number(part.value);
      const wall = utcInstant(parts.year as number, parts.month as number, parts.day as number, parts.hour, parts.minute, parts.second);
      offset = wall - slot * 900_000;
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(slot, offset);
    }
    return offset;
  }

  /** The instant the zone's wall clock shows `wall` (a wall time read as if UTC); the earlier one where clocks go back. */
  instantOf(wall: number): number {
    const guess = wall - this.at(wall);
    const offset = this.at(guess);
    return wall - offset;
  }
}

/**
 * Reads records' instants for one import. Not shared between threads: each parser thread has its own,
 * and `zoneless` counts the records it read with a zone-less date-time.
 */
export class RecordTime {
  /** Records whose instant came from a date-time without a zone. */
  zoneless = 0;
  private readonly zone: ZoneOffsets | null;
  /** Whether the value read last had no zone. */
  private lastZoneless = false;

  /** `timeZone`: an IANA zone for zone-less date-times (UTC when absent), already checked (the contract does). */
  constructor(timeZone?: string) {
    this.zone = timeZone === undefined || timeZone === 'UTC' ? null : new ZoneOffsets(timeZone);
  }

  /** The record's instant in ms since the epoch, or why it has none (the chain is the shared one). */
  instantOf(raw: JsonObject): number | string {
    let zoneless = false;
    const instant = instantFromTimeFields(raw, (value, field) => {
      const read = this.parse(value, field);
      zoneless ||= this.lastZoneless;
      return read;
    });
    if (typeof instant === 'number' && zoneless) this.zoneless += 1;
    return instant;
  }

  /** One time field's value in ms since the epoch, or why it is not one. */
  parse(value: unknown, field: string): number | string {
    this.lastZoneless = false;
    if (typeof value === 'number') return epoch(value, field);
    if (typeof value !== 'string') return `${field} must be a date-time text or an epoch number, not ${typeof value}`;
    const text = value.trim();
    if (NUMERIC.test(text)) return epoch(Number(text), field);
    // Zoned ISO 8601 (what SDKs send) reads exactly as the strict parser reads it.
    const strict = parseTimestamp(text);
    if (typeof strict === 'number') return strict;
    const m = DATE_TIME.exec(text);
    if (!m) return `${field} "${truncate(text)}" is not a date-time or an epoch number`;
    const [, y, mo, d, h, mi, s, frac, z, utc, sign, oh, om] = m;
    const wall = wallClock(y, mo, d, h, mi, s, frac);
    if (wall === null) return `${field} "${truncate(text)}" is not a valid date and time`;
    if (z !== undefined || utc !== undefined) return wall;
    if (sign !== undefined) {
      const hours = Number(oh);
      const minutes = om === undefined ? 0 : Number(om);
      if (hours > 23 || minutes > 59) return `${field} "${truncate(text)}" has an invalid offset`;
      return wall - (sign === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000;
    }
    this.lastZoneless = true;
    return this.zone === null ? wall : this.zone.instantOf(wall);
  }
}

function epoch(value: number, field: string): number | string {
  if (!Number.isFinite(value)) return `${field} ${String(value)} is not a finite number`;
  const size = Math.abs(value);
  if (size > EPOCH_MILLISECONDS_UP_TO) return `${field} ${value}: epoch microseconds or nanoseconds are not supported (give seconds or milliseconds)`;
  return size < EPOCH_SECONDS_BELOW ? Math.round(value * 1000) : Math.floor(value);
}
