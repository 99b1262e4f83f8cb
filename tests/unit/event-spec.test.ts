import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_RECORD_BYTES,
  canonicalJson,
  derivedRecordId,
  normalizeRecord,
  parseTimestamp,
  utcInstant,
  utf8Length,
  type NormalizeResult,
  type NormalizedRecord,
} from '../../src/shared/event-spec';

const TS = '2024-03-10T12:00:00Z';
const TS_MS = Date.UTC(2024, 2, 10, 12, 0, 0);

function ok(result: NormalizeResult): NormalizedRecord {
  if (!result.ok) throw new Error(`expected the record to be accepted, but: ${result.reason}`);
  return result.record;
}

function reason(result: NormalizeResult): string {
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.record)}`);
  return result.reason;
}

const track = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'track',
  event: 'report_run',
  userId: 'u1',
  timestamp: TS,
  ...extra,
});

describe('parseTimestamp', () => {
  it('reads ISO 8601 instants with Z and offsets to the exact millisecond', () => {
    expect(parseTimestamp('2024-03-10T12:00:00Z')).toBe(TS_MS);
    expect(parseTimestamp('2024-03-10T12:00:00z')).toBe(TS_MS);
    // +05:30 is ahead of UTC: 12:00 there is 06:30 UTC.
    expect(parseTimestamp('2024-03-10T12:00:00+05:30')).toBe(Date.UTC(2024, 2, 10, 6, 30));
    expect(parseTimestamp('2024-03-10T12:00:00+0530')).toBe(Date.UTC(2024, 2, 10, 6, 30));
    // -08:00 is behind: 12:00 there is 20:00 UTC.
    expect(parseTimestamp('2024-03-10T12:00:00-08:00')).toBe(Date.UTC(2024, 2, 10, 20, 0));
    // Crossing midnight and a month boundary through the offset.
    expect(parseTimestamp('2024-02-29T23:30:00-01:00')).toBe(Date.UTC(2024, 2, 1, 0, 30));
    expect(parseTimestamp('2024-03-01T00:15:00+01:00')).toBe(Date.UTC(2024, 1, 29, 23, 15));
    // Without seconds, and with a space instead of T.
    expect(parseTimestamp('2024-03-10T12:00Z')).toBe(TS_MS);
    expect(parseTimestamp('2024-03-10 12:00:00Z')).toBe(TS_MS);
    expect(parseTimestamp('  2024-03-10T12:00:00Z  ')).toBe(TS_MS);
  });

  it('keeps fractional seconds as milliseconds (truncating below a millisecond)', () => {
    expect(parseTimestamp('2024-03-10T12:00:00.123Z')).toBe(TS_MS + 123);
    expect(parseTimestamp('2024-03-10T12:00:00.5Z')).toBe(TS_MS + 500);
    expect(parseTimestamp('2024-03-10T12:00:00.05Z')).toBe(TS_MS + 50);
    expect(parseTimestamp('2024-03-10T12:00:00.999999999Z')).toBe(TS_MS + 999);
    expect(parseTimestamp('2024-03-10T12:00:00.123456+05:30')).toBe(Date.UTC(2024, 2, 10, 6, 30) + 123);
    expect(parseTimestamp('2024-03-10T12:00:00,250Z')).toBe(TS_MS + 250);
    // Every millisecond reads back exactly (no floating-point off-by-one).
    for (let ms = 0; ms < 1000; ms++) {
      expect(parseTimestamp(`2024-03-10T12:00:00.${String(ms).padStart(3, '0')}Z`)).toBe(TS_MS + ms);
    }
  });

  it('reads epoch milliseconds as a number or as a numeric string', () => {
    expect(parseTimestamp(TS_MS)).toBe(TS_MS);
    expect(parseTimestamp(TS_MS + 0.9)).toBe(TS_MS);
    expect(parseTimestamp(0)).toBe(0);
    expect(parseTimestamp(String(TS_MS))).toBe(TS_MS);
    expect(parseTimestamp(` ${TS_MS} `)).toBe(TS_MS);
    expect(parseTimestamp(`${TS_MS}.75`)).toBe(TS_MS);
    expect(parseTimestamp('-1000')).toBe(-1000);
  });

  it('says a timestamp is missing when it is undefined, null or empty', () => {
    expect(parseTimestamp(undefined)).toBe('missing timestamp');
    expect(parseTimestamp(null)).toBe('missing timestamp');
    expect(parseTimestamp('')).toBe('missing timestamp');
  });

  it('refuses an ISO date-time without a time zone, saying so', () => {
    expect(parseTimestamp('2024-03-10T12:00:00')).toMatch(/has no time zone/);
    expect(parseTimestamp('2024-03-10T12:00:00.123')).toMatch(/has no time zone/);
  });

  it('refuses text that is neither ISO 8601 nor epoch milliseconds', () => {
    for (const text of ['yesterday', '10/03/2024 12:00', '2024-03-10', 'Sun, 10 Mar 2024 12:00:00 GMT', '12:00:00Z']) {
      expect(parseTimestamp(text), text).toMatch(/is not ISO 8601 or epoch milliseconds/);
    }
    expect(parseTimestamp(true)).toMatch(/must be an ISO 8601 string or epoch milliseconds, not boolean/);
    expect(parseTimestamp({})).toMatch(/not object/);
    expect(parseTimestamp(Number.NaN)).toMatch(/not a finite number/);
    expect(parseTimestamp(Number.POSITIVE_INFINITY)).toMatch(/not a finite number/);
    expect(parseTimestamp(9e15)).toMatch(/out of range/);
  });

  it('refuses dates and times that do not exist', () => {
    for (const text of [
      '2024-02-30T00:00:00Z',
      '2023-02-29T00:00:00Z',
      '2024-04-31T00:00:00Z',
      '2024-13-01T00:00:00Z',
      '2024-00-10T00:00:00Z',
      '2024-03-00T00:00:00Z',
      '2024-03-10T24:00:00Z',
      '2024-03-10T12:60:00Z',
      '2024-03-10T12:00:60Z',
    ]) {
      expect(parseTimestamp(text), text).toMatch(/is not a valid date and time/);
    }
    expect(parseTimestamp('2024-03-10T12:00:00+24:00')).toMatch(/invalid offset/);
    expect(parseTimestamp('2024-03-10T12:00:00+05:60')).toMatch(/invalid offset/);
    // Leap day in a leap year is fine.
    expect(parseTimestamp('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    expect(parseTimestamp('2000-02-29T00:00:00Z')).toBe(Date.UTC(2000, 1, 29));
    expect(parseTimestamp('1900-02-29T00:00:00Z')).toMatch(/not a valid date/);
  });
});

describe('utcInstant', () => {
  it('equals what Date gives for every valid date and time of years 0 to 9999', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }),
        (date) => {
          const expected = date.getTime();
          const got = utcInstant(
            date.getUTCFullYear(),
            date.getUTCMonth() + 1,
            date.getUTCDate(),
            date.getUTCHours(),
            date.getUTCMinutes(),
            date.getUTCSeconds(),
            date.getUTCMilliseconds(),
          );
          expect(got).toBe(expected);
        },
      ),
      { seed: 42, numRuns: 5000 },
    );
    expect(utcInstant(0, 1, 1)).toBe(-62_167_219_200_000);
    expect(utcInstant(2024, 2, 29, 23, 59, 59, 999)).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 999));
  });
});

describe('parseTimestamp: properties', () => {
  const pad = (n: number, w = 2): string => String(Math.abs(n)).padStart(w, '0');

  /** The instant `ms` written as local time at `offsetMin` minutes from UTC, e.g. 2024-03-10T17:30:00.123+05:30. */
  function withOffset(ms: number, offsetMin: number, fraction: boolean): string {
    const local = new Date(ms + offsetMin * 60_000);
    const date = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
    const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
    const frac = fraction ? `.${pad(local.getUTCMilliseconds(), 3)}` : '';
    const zone = offsetMin === 0 ? 'Z' : `${offsetMin < 0 ? '-' : '+'}${pad(Math.trunc(Math.abs(offsetMin) / 60))}:${pad(Math.abs(offsetMin) % 60)}`;
    return `${date}T${time}${frac}${zone}`;
  }

  it('reads back every instant written by toISOString (years 100 to 9999)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(100, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (ms) => {
        expect(parseTimestamp(new Date(ms).toISOString())).toBe(ms);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads back every instant written with any offset, with or without milliseconds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) }),
        fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
        fc.boolean(),
        (ms, offsetMin, fraction) => {
          const expected = fraction ? ms : ms - (((ms % 1000) + 1000) % 1000);
          expect(parseTimestamp(withOffset(ms, offsetMin, fraction))).toBe(expected);
          expect(parseTimestamp(String(ms))).toBe(ms);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reads years 0000 to 0099 as themselves, not as 1900 to 1999', () => {
    // Date.UTC maps years 0-99 to 1900-1999; an ISO instant in year 0050 is year 50.
    for (const text of ['0050-01-01T00:00:00.000Z', '0050-01-01T00:00:00Z', '0099-12-31T23:59:59+01:00', '0000-03-01T00:00:00.000Z']) {
      expect(parseTimestamp(text), text).toBe(Date.parse(text));
    }
  });
});

describe('normalizeRecord: rejections', () => {
  it('refuses anything that is not a JSON object', () => {
    for (const raw of [null, undefined, 42, 'track', true, [], [track()]]) {
      expect(reason(normalizeRecord(raw)), JSON.stringify(raw)).toBe('record is not a JSON object');
    }
  });

  it('refuses a record without a user', () => {
    const { userId: _drop, ...noUser } = track();
    expect(reason(normalizeRecord(noUser))).toBe('missing user: neither userId nor anonymousId is set');
    expect(reason(normalizeRecord(track({ userId: '' })))).toMatch(/^missing user/);
    expect(reason(normalizeRecord(track({ userId: '   ', anonymousId: '' })))).toMatch(/^missing user/);
    expect(reason(normalizeRecord(track({ userId: null, anonymousId: null })))).toMatch(/^missing user/);
    expect(reason(normalizeRecord(track({ userId: { id: 1 } })))).toMatch(/^missing user/);
    expect(reason(normalizeRecord(track({ userId: Number.NaN })))).toMatch(/^missing user/);
  });

  it('refuses a track call without an event name', () => {
    const { event: _drop, ...noEvent } = track();
    expect(reason(normalizeRecord(noEvent))).toBe('track call without an event name');
    expect(reason(normalizeRecord(track({ event: '' })))).toBe('track call without an event name');
    expect(reason(normalizeRecord(track({ event: '   ' })))).toBe('track call without an event name');
    expect(reason(normalizeRecord(track({ event: 42 })))).toBe('track call without an event name');
  });

  it('refuses missing, unparseable and zone-less timestamps with the timestamp reason', () => {
    const { timestamp: _drop, ...noTs } = track();
    expect(reason(normalizeRecord(noTs))).toBe('missing timestamp');
    expect(reason(normalizeRecord(track({ timestamp: null })))).toBe('missing timestamp');
    expect(reason(normalizeRecord(track({ timestamp: 'last tuesday' })))).toBe(
      'timestamp "last tuesday" is not ISO 8601 or epoch milliseconds',
    );
    expect(reason(normalizeRecord(track({ timestamp: '2024-03-10T12:00:00' })))).toBe(
      'timestamp "2024-03-10T12:00:00" has no time zone (add Z or an offset)',
    );
    expect(reason(normalizeRecord(track({ timestamp: '2024-02-30T12:00:00Z' })))).toBe(
      'timestamp "2024-02-30T12:00:00Z" is not a valid date and time',
    );
  });

  it('refuses the Segment calls it does not support (alias, group) and unknown types', () => {
    expect(reason(normalizeRecord({ type: 'alias', userId: 'u1', previousId: 'anon-1', timestamp: TS }))).toBe(
      'unsupported type "alias": alias calls are not supported yet, until identity links exist (supported: track, identify, page or screen)',
    );
    expect(reason(normalizeRecord({ type: 'group', userId: 'u1', groupId: 'acme', timestamp: TS }))).toBe(
      'unsupported type "group": group calls are not supported yet, until accounts exist (supported: track, identify, page or screen)',
    );
    expect(reason(normalizeRecord(track({ type: 'Alias' })))).toMatch(/^unsupported type "Alias"/);
    expect(reason(normalizeRecord(track({ type: 7 })))).toMatch(/^type must be a string/);
    // No type, no event and no traits: nothing says what the record is.
    expect(reason(normalizeRecord({ userId: 'u1', timestamp: TS }))).toMatch(/^missing type/);
  });

  describe('type-less records (HTTP API bodies): the type is inferred only where it is unambiguous', () => {
    // Bodies shaped like the Segment HTTP API's /track, /identify, /alias and /group calls, without "type".
    const base = { userId: 'user-42', timestamp: TS, messageId: 'm-1' };

    it('event → track, traits alone → identify', () => {
      expect(ok(normalizeRecord({ ...base, event: 'Order Completed', properties: { revenue: 39.95 } }))).toMatchObject({
        kind: 'event',
        name: 'Order Completed',
        data: { revenue: 39.95 },
      });
      expect(ok(normalizeRecord({ ...base, traits: { name: 'Peter Gibbons', plan: 'premium' } }))).toMatchObject({
        kind: 'identify',
        data: { name: 'Peter Gibbons', plan: 'premium' },
      });
    });

    it('groupId → group and previousId → alias, refused as not supported yet, never taken as an identify', () => {
      // A group body carries the company's traits: read as an identify, its name overwrote the user's.
      const group = { ...base, groupId: 'grp-0042', traits: { name: 'Initech', industry: 'Technology', employees: 329 } };
      expect(reason(normalizeRecord(group))).toBe(
        'unsupported type "group" (inferred from groupId): group calls are not supported yet, until accounts exist (supported: track, identify, page or screen)',
      );
      expect(reason(normalizeRecord({ ...base, previousId: 'anon-7f3a', traits: { email: 'peter@initech.example' } }))).toBe(
        'unsupported type "alias" (inferred from previousId): alias calls are not supported yet, until identity links exist (supported: track, identify, page or screen)',
      );
    });

    it('refuses a record whose fields point at different calls, or at none, saying no type could be inferred', () => {
      expect(reason(normalizeRecord({ ...base, event: 'Signed Up', groupId: 'grp-1' }))).toBe(
        'missing type, and none could be inferred: the record has event and groupId, which mean different calls',
      );
      expect(reason(normalizeRecord({ ...base, properties: { plan: 'pro' } }))).toBe(
        'missing type, and none could be inferred: the record has no event, previousId, groupId or traits (expected track, identify, page or screen)',
      );
    });
  });

  it('refuses properties or traits that are not objects', () => {
    expect(reason(normalizeRecord(track({ properties: [1, 2] })))).toBe('properties must be an object');
    expect(reason(normalizeRecord(track({ properties: 'x' })))).toBe('properties must be an object');
    expect(reason(normalizeRecord({ type: 'identify', userId: 'u1', timestamp: TS, traits: 'pro' }))).toBe('traits must be an object');
  });

  it('measures the UTF-8 size when byteLength is not given: 32,768 bytes pass, 32,769 do not (multi-byte text)', () => {
    const base = track({ properties: { text: '' } });
    const baseBytes = Buffer.byteLength(JSON.stringify(base), 'utf8');
    const room = MAX_RECORD_BYTES - baseBytes;
    // Mostly 4-byte emoji (surrogate pairs), then one 3-byte and one 2-byte character, then ASCII to land exactly.
    const emoji = Math.floor((room - 9) / 4);
    const filler = (ascii: number): string => '😀'.repeat(emoji) + '€' + 'é' + 'a'.repeat(ascii);
    const asciiForExact = room - emoji * 4 - 3 - 2;
    expect(asciiForExact).toBeGreaterThanOrEqual(4);

    const atLimit = track({ properties: { text: filler(asciiForExact) } });
    const overLimit = track({ properties: { text: filler(asciiForExact + 1) } });
    // The construction itself: the record's JSON text is exactly 32,768 and 32,769 bytes of UTF-8,
    // far fewer UTF-16 code units (so a length-based check would be wrong).
    expect(Buffer.byteLength(JSON.stringify(atLimit), 'utf8')).toBe(32_768);
    expect(Buffer.byteLength(JSON.stringify(overLimit), 'utf8')).toBe(32_769);
    expect(JSON.stringify(atLimit).length).toBeLessThan(20_000);
    expect(utf8Length(JSON.stringify(atLimit))).toBe(32_768);

    expect(ok(normalizeRecord(atLimit, undefined)).data).toEqual({ text: filler(asciiForExact) });
    expect(reason(normalizeRecord(overLimit, undefined))).toBe(
      'record is 32769 bytes of JSON, more than the 32768-byte limit',
    );
  });

  it('trusts a byteLength the caller already knows', () => {
    expect(reason(normalizeRecord(track(), 40_000))).toMatch(/40000 bytes/);
    expect(normalizeRecord(track(), 32_768).ok).toBe(true);
  });

  it('counts UTF-8 bytes like Buffer.byteLength for well-formed text', () => {
    for (const text of ['', 'abc', 'é', '€', '😀', 'a😀b€é', '\u07ff\u0800\uffff', '\u{10ffff}']) {
      expect(utf8Length(text), JSON.stringify(text)).toBe(Buffer.byteLength(text, 'utf8'));
    }
    // A record holding lone surrogates is measured on its JSON text, where they are escaped (6 ASCII bytes each).
    const odd = track({ properties: { s: '\ud800\ud800x\udc00' } });
    expect(utf8Length(JSON.stringify(odd))).toBe(Buffer.byteLength(JSON.stringify(odd), 'utf8'));
  });

  it('counts a lone surrogate as the 3-byte replacement character, like Buffer.byteLength', () => {
    // utf8Length is exported as "UTF-8 byte length of a string": a high surrogate not followed by a
    // low one must not swallow the next code unit as if it were a pair.
    for (const text of ['\ud800', 'x\udc00y', '\ud800\ud800', '\ud800€', '\udbff\udbff\udc00']) {
      expect(utf8Length(text), JSON.stringify(text)).toBe(Buffer.byteLength(text, 'utf8'));
    }
  });
});

describe('normalizeRecord: what a valid record becomes', () => {
  it('a track call keeps its event name, user, exact time and properties', () => {
    const record = ok(normalizeRecord(track({ properties: { plan: 'pro', seats: 3 }, timestamp: '2024-03-10T12:00:00.250+05:30' })));
    expect(record).toMatchObject({
      kind: 'event',
      userId: 'u1',
      name: 'report_run',
      ts: Date.UTC(2024, 2, 10, 6, 30, 0, 250),
      data: { plan: 'pro', seats: 3 },
    });
    // No properties, or empty ones: data is null.
    expect(ok(normalizeRecord(track())).data).toBeNull();
    expect(ok(normalizeRecord(track({ properties: {} }))).data).toBeNull();
    expect(ok(normalizeRecord(track({ properties: null }))).data).toBeNull();
  });

  it('a page call becomes page_viewed and a screen call screen_viewed, with the call name in properties', () => {
    const page = ok(normalizeRecord({ type: 'page', userId: 'u1', timestamp: TS, name: 'Pricing', properties: { path: '/pricing' } }));
    expect(page).toMatchObject({ kind: 'event', name: 'page_viewed', data: { path: '/pricing', name: 'Pricing' } });
    const screen = ok(normalizeRecord({ type: 'screen', userId: 'u1', timestamp: TS, name: 'Settings' }));
    expect(screen).toMatchObject({ kind: 'event', name: 'screen_viewed', data: { name: 'Settings' } });
    // Without a name, the properties alone (or nothing).
    expect(ok(normalizeRecord({ type: 'page', userId: 'u1', timestamp: TS })).data).toBeNull();
    expect(ok(normalizeRecord({ type: 'PAGE', userId: 'u1', timestamp: TS, properties: { path: '/' } })).data).toEqual({ path: '/' });
  });

  it('an identify call carries its traits, with an empty name', () => {
    const record = ok(normalizeRecord({ type: 'identify', userId: 'u1', timestamp: TS, traits: { plan: 'growth' } }));
    expect(record).toMatchObject({ kind: 'identify', name: '', userId: 'u1', ts: TS_MS, data: { plan: 'growth' } });
    expect(ok(normalizeRecord({ type: 'identify', userId: 'u1', timestamp: TS })).data).toBeNull();
    // Without a type: traits alone make an identify call, an event name a track call.
    expect(ok(normalizeRecord({ userId: 'u1', timestamp: TS, traits: { a: 1 } })).kind).toBe('identify');
    expect(ok(normalizeRecord({ userId: 'u1', timestamp: TS, event: 'x' }))).toMatchObject({ kind: 'event', name: 'x' });
  });

  it('uses anonymousId when userId is missing, and userId when both are set', () => {
    expect(ok(normalizeRecord(track({ userId: undefined, anonymousId: 'anon-7' }))).userId).toBe('anon-7');
    expect(ok(normalizeRecord(track({ userId: '', anonymousId: 'anon-7' }))).userId).toBe('anon-7');
    expect(ok(normalizeRecord(track({ userId: null, anonymousId: 'anon-7' }))).userId).toBe('anon-7');
    expect(ok(normalizeRecord(track({ userId: 'u9', anonymousId: 'anon-7' }))).userId).toBe('u9');
    expect(ok(normalizeRecord(track({ userId: 12345 }))).userId).toBe('12345');
  });

  it('uses the messageId as the id when present', () => {
    expect(ok(normalizeRecord(track({ messageId: 'msg-1' }))).id).toBe('msg-1');
    expect(ok(normalizeRecord(track({ messageId: 77 }))).id).toBe('77');
    // Two different records with one messageId share the id: the messageId decides.
    expect(ok(normalizeRecord(track({ messageId: 'm', properties: { a: 1 } }))).id).toBe(
      ok(normalizeRecord(track({ messageId: 'm', properties: { a: 2 } }))).id,
    );
    // An empty messageId is no id: one is derived.
    expect(ok(normalizeRecord(track({ messageId: '' }))).id).toMatch(/^gp-/);
  });
});

describe('derived record ids', () => {
  it('are stable whatever the key order, at every depth', () => {
    const a = {
      type: 'track',
      event: 'export',
      userId: 'u1',
      timestamp: TS,
      properties: { format: 'csv', filters: { from: 1, to: 2, tags: ['x', 'y'] }, rows: 10 },
    };
    const b = {
      properties: { rows: 10, filters: { tags: ['x', 'y'], to: 2, from: 1 }, format: 'csv' },
      timestamp: TS,
      userId: 'u1',
      event: 'export',
      type: 'track',
    };
    const ida = ok(normalizeRecord(a)).id;
    expect(ida).toMatch(/^gp-[0-9a-z]+-[0-9a-z]+$/);
    expect(ok(normalizeRecord(b)).id).toBe(ida);
    // The same instant written another way is the same record.
    expect(ok(normalizeRecord({ ...a, timestamp: TS_MS })).id).toBe(ida);
    expect(ok(normalizeRecord({ ...a, timestamp: '2024-03-10T17:30:00+05:30' })).id).toBe(ida);
    expect(canonicalJson(a.properties)).toBe(canonicalJson(b.properties));
    expect(canonicalJson({ b: 1, a: undefined, c: [{ z: 1, y: 2 }] })).toBe('{"b":1,"c":[{"y":2,"z":1}]}');
  });

  it('differ when the content differs', () => {
    const base = { type: 'track', event: 'export', userId: 'u1', timestamp: TS, properties: { rows: 10, nested: { k: 'v' } } };
    const id = ok(normalizeRecord(base)).id;
    const variants = [
      { ...base, event: 'export2' },
      { ...base, userId: 'u2' },
      { ...base, timestamp: TS_MS + 1 },
      { ...base, properties: { rows: 11, nested: { k: 'v' } } },
      { ...base, properties: { rows: '10', nested: { k: 'v' } } },
      { ...base, properties: { rows: 10, nested: { k: 'w' } } },
      { ...base, properties: { rows: 10 } },
      { ...base, properties: undefined },
    ];
    const ids = variants.map((v) => ok(normalizeRecord(v)).id);
    for (const other of ids) expect(other).not.toBe(id);
    expect(new Set(ids).size).toBe(ids.length);
    // An identify call and a track call never share an id, even with the same user, time and data.
    expect(derivedRecordId('identify', 'u1', '', TS_MS, { a: 1 })).not.toBe(derivedRecordId('event', 'u1', '', TS_MS, { a: 1 }));
    // A page call's name is part of its content.
    const page = (name: string): string => ok(normalizeRecord({ type: 'page', userId: 'u1', timestamp: TS, name })).id;
    expect(page('Home')).not.toBe(page('Pricing'));
    // data null and data {} are the same content.
    expect(derivedRecordId('event', 'u1', 'x', 1, null)).toBe(derivedRecordId('event', 'u1', 'x', 1, {}));
  });
});
