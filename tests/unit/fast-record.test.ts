/**
 * The import's fast path (prepareFast, ingest/fast-record.ts) must give exactly what the general path
 * gives (JSON.parse → normalizeRecord → prepare) or answer null, whatever the text. fast-check
 * generates texts of three kinds: records as JSON.stringify writes them (typical ones and odd ones),
 * hand-made texts it would never write (duplicate keys, whitespace, escapes, non-canonical numbers,
 * broken JSON), and valid texts with a few characters inserted, deleted or replaced. Every text the
 * fast path prepares must be accepted by the general path with the same key, id, user, name, time,
 * JSON text and shape (shapes compared by the entries each path's ShapeNumbering handed its sink,
 * not by number). Liveness: records in the benchmark's shape, and flat ones like them, must take the
 * fast path. The fast path keeps module-level scratch state, so texts are also run twice in a row
 * and interleaved.
 *
 * Seeded, so a run is reproducible. GUIDEPOST_FAST_RUNS=n and GUIDEPOST_FAST_SEED=n set the number
 * of cases per property and the seed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeNumbering, TYPE_BITS, type ShapeEntries } from '../../src/main/db/property-keys';
import { nextBackslashIn, nextUnusual, prepareFast, prepareFastAt, preparedFast } from '../../src/main/ingest/parse/fast-record';
import { prepareRaw } from '../../src/main/ingest/parse/prepare';
import type { PreparedRecord } from '../../src/main/ingest/records';
import { parseRecordText, SURELY_SMALL_TEXT } from '../../src/main/ingest/parse/readers';
import { MAX_RECORD_BYTES } from '../../src/shared/event-spec';
import { pythonJson, type Json } from '../bench/real-shaped';

const NUM_RUNS = Number(process.env.GUIDEPOST_FAST_RUNS ?? 6_000);
const SEED = Number(process.env.GUIDEPOST_FAST_SEED ?? 20_240_601);

// ---------------------------------------------------------------------------------------------
// The two paths, each with its own shape numbering; a prepared record is compared as an Outcome,
// its shape given by the entries its numbering's sink recorded for the number.

type Outcome = Pick<PreparedRecord, 'key' | 'id' | 'userId' | 'name' | 'ts' | 'json'> & { shape: ShapeEntries | 0; traitsJson: string | null };

function outcome(record: PreparedRecord, shapes: Map<number, ShapeEntries>): Outcome {
  let shape: ShapeEntries | 0 = 0;
  if (record.shape !== 0) {
    const entries = shapes.get(record.shape);
    if (entries === undefined) throw new Error(`shape ${record.shape} was never handed to the sink`);
    shape = entries;
  }
  return { key: record.key, id: record.id, userId: record.userId, name: record.name, ts: record.ts, json: record.json, shape, traitsJson: record.traitsJson ?? null };
}

function recordingNumbering(shapes: Map<number, ShapeEntries>): ShapeNumbering {
  return new ShapeNumbering((id, entries) => {
    if (shapes.has(id)) throw new Error(`shape ${id} handed to the sink twice`);
    // A copy: what the sink got, whatever happens to the array afterwards.
    shapes.set(
      id,
      entries.map(([name, key, bit]): [string, string, number] => [name, key, bit]),
    );
  });
}

/** What follows a line in fastInChunk's chunk: text that would complete a record cut off at the line's end. */
const CHUNK_TAILS = ['"}', '}', '1}', 'ue}', ',"a":1}', '"properties":{"a":1}}', 'x"}'];

class Paths {
  private readonly fastShapes = new Map<number, ShapeEntries>();
  private readonly generalShapes = new Map<number, ShapeEntries>();
  private readonly fastNumbering = recordingNumbering(this.fastShapes);
  private readonly generalNumbering = recordingNumbering(this.generalShapes);

  private readonly chunkShapes = new Map<number, ShapeEntries>();
  private readonly chunkNumbering = recordingNumbering(this.chunkShapes);

  fast(text: string, bytes: number | undefined): Outcome | null {
    const prepared = prepareFast(text, bytes, this.fastNumbering);
    return prepared === null ? null : outcome(prepared, this.fastShapes);
  }

  /**
   * The fast path as the parser threads run it: the text is one line of a reader's chunk, between
   * other lines (a CRLF after it, and after that text that would complete a cut-off record), and
   * taken only when the chunk's scan finds no unusual character in it.
   */
  fastInChunk(text: string): Outcome | null {
    const before = '{"type":"track","messageId":"x"}\n';
    const after = CHUNK_TAILS[text.length % CHUNK_TAILS.length] as string;
    const chunk = `${before}${text}\r\n${after}`;
    const start = before.length;
    const end = start + text.length;
    const taken = nextUnusual(chunk, start) >= end && prepareFastAt(chunk, start, end, this.chunkNumbering, nextBackslashIn(chunk, start));
    return taken ? outcome(preparedFast(), this.chunkShapes) : null;
  }

  private readonly byteShapes = new Map<number, ShapeEntries>();
  private readonly byteNumbering = recordingNumbering(this.byteShapes);

  /**
   * The fast path on a chunk that is not ASCII, as the parser threads run it: the chunk's UTF-8 bytes
   * read as Latin-1 (one character per byte), the bytes beside it (readers.ts, NdjsonChunk). A
   * non-ASCII character before the line makes the chunk one of those whatever the line holds.
   */
  fastInByteChunk(text: string): Outcome | null {
    const before = Buffer.from('{"type":"track","messageId":"é"}\n');
    const line = Buffer.from(text);
    const after = Buffer.from(`\r\n${CHUNK_TAILS[text.length % CHUNK_TAILS.length] as string}`);
    const bytes = Buffer.concat([before, line, after]);
    const chunk = bytes.toString('latin1');
    const start = before.length;
    const end = start + line.length;
    if (end - start > SURELY_SMALL_TEXT) return null;
    const taken = nextUnusual(chunk, start) >= end && prepareFastAt(chunk, start, end, this.byteNumbering, nextBackslashIn(chunk, start), bytes);
    return taken ? outcome(preparedFast(), this.byteShapes) : null;
  }

  /** The general path's record, or its rejection (a string). */
  general(text: string, bytes: number | undefined): Outcome | string {
    const parsed = parseRecordText({ text, line: 1, bytes });
    if (typeof parsed === 'string') return parsed;
    const prepared = prepareRaw(parsed.value, this.generalNumbering);
    return typeof prepared === 'string' ? prepared : outcome(prepared, this.generalShapes);
  }
}

/** The byte length a reader would pass: the UTF-8 size, or 0 ("surely small") when asked and small. */
function bytesOf(text: string, zeroWhenSmall: boolean): number {
  const bytes = Buffer.byteLength(text, 'utf8');
  return zeroWhenSmall && bytes <= 10_000 ? 0 : bytes;
}

/**
 * Soundness on one text: when the fast path answers, the general path accepts the text and gives the
 * same record. Returns whether the fast path answered.
 */
function checkSound(paths: Paths, text: string, zeroWhenSmall: boolean): boolean {
  const bytes = bytesOf(text, zeroWhenSmall);
  const fast = paths.fast(text, bytes);
  // Unknown size: always the general path.
  expect(prepareFast(text, undefined, new ShapeNumbering(() => {}))).toBeNull();
  // A line of a chunk gets the same answer (lines never hold a line feed, and lose a trailing CR).
  if (!text.includes('\n') && !text.endsWith('\r') && text.length <= SURELY_SMALL_TEXT) {
    expect(paths.fastInChunk(text), `in a chunk: ${JSON.stringify(text)}`).toStrictEqual(fast);
  }
  // In a chunk of UTF-8 bytes read as Latin-1: the record the file's bytes mean (lone surrogates have
  // no UTF-8: they are written as U+FFFD), or the general path.
  if (!text.includes('\n') && !text.endsWith('\r')) {
    const inBytes = paths.fastInByteChunk(text);
    if (inBytes !== null) {
      const decoded = Buffer.from(text).toString('utf8');
      expect(paths.general(decoded, bytesOf(decoded, zeroWhenSmall)), `in UTF-8 bytes: ${JSON.stringify(text)}`).toStrictEqual(inBytes);
    } else if (fast !== null && /^[\x20-\x7e]*$/.test(text)) {
      // An ASCII record the fast path takes, it takes among non-ASCII ones too.
      expect(inBytes, `in UTF-8 bytes: ${JSON.stringify(text)}`).not.toBeNull();
    }
  }
  if (fast === null) return false;
  const general = paths.general(text, bytes);
  expect(general, `fast path on ${JSON.stringify(text)} (bytes ${bytes})`).toStrictEqual(fast);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Values shared by the generators.

/** Any UTF-16 code unit, lone surrogates included, with the interesting ones more often. */
const codeUnitArb = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) },
  { weight: 2, arbitrary: fc.constantFrom('\ud800', '\udc00', '\u0000', '\u001f', '\n', '\t', '"', '\\', '/', '\u2028', '\u2029', '\u007f', 'é', '\ufeff') },
  { weight: 5, arbitrary: fc.constantFrom('a', 'b', 'x', ' ', '1', '0', '-', '.', 'e', '_') },
);
const oddStringArb = fc.string({ unit: codeUnitArb, maxLength: 4 });

const STRINGS = [
  '', ' ', '  ', ' x', 'x ', 'pdf', 'web', 'é', 'ÉCOLE', '東京', '😀', '\u2028', 'a"b', 'a\\b', 'a/b', 'a\nb', '\t', '\u007f', '\ud800', 'x\udc00',
  'true', '1', '1.5', '-0', 'null',
];
const NUMBERS = [
  0, -0, 1, -1, 1.5, -1.5, 0.1, 0.1 + 0.2, 1e21, 1e-7, 1e-6, 5e-324, 2 ** 53, 2 ** 53 + 1, 2 ** 53 + 2, 123_456_789_012_345, -123_456_789_012_345,
  1_234_567_890_123_456, -1_234_567_890_123_456, 999_999_999_999_999, 1e15, 1e16, 1e300, Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity,
];
const stringArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: oddStringArb },
);
const numberArb = fc.oneof(fc.constantFrom(...NUMBERS), fc.integer(), fc.double(), fc.integer({ min: -1000, max: 1000 }).map((n) => n / 8));
const primitiveArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: stringArb },
  { weight: 4, arbitrary: numberArb },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);

const PROPERTY_KEYS = [
  'format', 'count', 'source', 'plan', 'seats', 'name', 'type', 'A', 'a', 'aa', 'a b', '', 'é', '😀', '\u2028', '"', '\\', 'a\nb', '\ud800', '/',
  '1', '01', '0', '-1', '1.5', '1a', '4294967294', '4294967295', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'properties', 'traits',
];
const propertyKeyArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PROPERTY_KEYS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 5 }) },
  { weight: 1, arbitrary: oddStringArb },
);

/** Flat data: an object of primitives (duplicates collapse, as keys of one object). */
const flatObjectArb = fc.array(fc.tuple(propertyKeyArb, primitiveArb), { maxLength: 8 }).map((entries) => Object.fromEntries(entries));

const dataArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 10, arbitrary: flatObjectArb },
  { weight: 2, arbitrary: fc.constant({}) },
  { weight: 2, arbitrary: fc.dictionary(propertyKeyArb, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, undefined, [], [1, 'a'], 'x', '', 5, true, { a: {} }, { a: [] }) },
);

// Flat data the fast path takes.

/** Keys the fast path takes: no leading digit, nothing JSON.stringify escapes, no surrogates. */
const plainKeyArb = fc.oneof(
  fc.stringMatching(/^[A-Za-z_$][A-Za-z0-9_ .$-]{0,12}$/),
  fc.constantFrom('plan', 'seats', 'name', 'email', 'é', 'ключ', '東京', 'a\u2028b', '__proto__', 'constructor', '-1', ' lead', '', '$'),
);
/** Strings the fast path takes. */
const plainCharArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7f }).filter((c) => c !== 0x22 && c !== 0x5c).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.constantFrom('é', '東', '\u00a0', '\u2028', '\u2029', '\ufeff', '\uffff') },
);
const plainStringArb = fc.oneof(
  fc.string({ unit: plainCharArb, maxLength: 12 }),
  fc.constantFrom('', ' ', 'é', 'ÉCOLE', '東京', '\u2028', '\u2029', '\u007f', 'a/b', 'true', '1.5'),
);
/** JSON values (for fields the fast path skips) whose text it takes. */
const plainJsonArb = fc.jsonValue({ maxDepth: 3, stringUnit: plainCharArb });
/** Numbers as JSON.stringify writes them (finite: others become null, which is fine too). */
const plainNumberArb = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(...NUMBERS.filter(Number.isFinite)));
const plainValueArb: fc.Arbitrary<unknown> = fc.oneof(plainStringArb, plainNumberArb, fc.boolean(), fc.constant(null));
const plainFlatArb = fc.array(fc.tuple(plainKeyArb, plainValueArb), { maxLength: 20 }).map((entries) => Object.fromEntries(entries));
// ---------------------------------------------------------------------------------------------
// a. Records as JSON.stringify writes them. A field whose value is undefined is left out.

const DAY = 86_400_000;
const msArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: Date.UTC(2015, 0, 1), max: Date.UTC(2035, 0, 1) }) },
  { weight: 1, arbitrary: fc.integer({ min: -8.64e15, max: 8.64e15 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, Date.UTC(2024, 1, 29), Date.UTC(2000, 1, 29) + DAY - 1, Date.UTC(1900, 1, 28)) },
);
const OFFSETS = ['Z', 'z', '+02:00', '-05:30', '+0200', '+00:00', '-00:00', '+14:00', '+24:00', '+02', ''];
const timestampArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: msArb.map((ms) => new Date(ms).toISOString()) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(msArb, fc.constantFrom(16, 19, 21, 23), fc.constantFrom(...OFFSETS), fc.constantFrom('T', 'T', 't', ' '))
      .map(([ms, cut, offset, t]) => {
        const iso = new Date(ms).toISOString();
        return `${iso.slice(0, 10)}${t}${iso.slice(11, cut)}${offset}`;
      }),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom<unknown>(
      '2024-02-30T00:00:00Z', '2024-02-29T00:00:00Z', '2023-02-29T00:00:00.000Z', '2024-06-01T24:00:00Z', '2024-06-01T10:60:00Z',
      '2024-06-01T10:00:60.000Z', '2024-13-01T00:00:00.000Z', '2024-06-01T10:00:00', '2024-06-01', ' 2024-06-01T10:00:00.000Z',
      '2024-06-01T10:00:00.000Z ', '2024-06-01T10:00:00.123456789Z', '2024-06-01T10:00:00.1234567890Z', '2024-06-01T10:00:00,5Z',
      '0000-01-01T00:00:00.000Z', '+010000-01-01T00:00:00.000Z', '1717236000000', '1717236000000.5', ' 17 ', '-1', '1e3', '0x10', '', 'now',
      1_717_236_000_000, 1.5, -1, 8.64e15, 8.64e15 + 2, 1e300, NaN, null, undefined, true, {}, [],
    ),
  },
  { weight: 1, arbitrary: msArb.map((ms) => String(ms)) },
);
const TYPES: unknown[] = ['page', 'screen', 'alias', 'group', 'Track', 'TRACK', 'Identify', '', ' track', 'track ', null, undefined, 1, ['track']];
const typeArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant<unknown>('track') },
  { weight: 3, arbitrary: fc.constant<unknown>('identify') },
  { weight: 3, arbitrary: fc.constantFrom<unknown>('page', 'screen') },
  { weight: 3, arbitrary: fc.constantFrom(...TYPES) },
);
/** A record's later time fields (originalTimestamp, sentAt, receivedAt): mostly absent, else like timestamp. */
const laterTimeArb = fc.oneof({ weight: 3, arbitrary: fc.constant<unknown>(undefined) }, { weight: 2, arbitrary: timestampArb });
/** A page or screen call's name: absent, null, a string the fast path takes, any string, or not a string. */
const callNameArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant<unknown>(undefined) },
  { weight: 1, arbitrary: fc.constant<unknown>(null) },
  { weight: 3, arbitrary: plainStringArb },
  { weight: 1, arbitrary: stringArb },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(5, true, {}, ['x'], { a: 1 }) },
);
const messageIdArb = fc.oneof(
  { weight: 8, arbitrary: fc.uuid().map((id): unknown => id) },
  { weight: 2, arbitrary: stringArb },
  { weight: 2, arbitrary: fc.constantFrom<unknown>('', 'm1', ' ', 42, 1.5, -0, 1e21, NaN, null, undefined, true, {}, []) },
);
const userIdArb = fc.oneof(
  { weight: 8, arbitrary: fc.nat(100_000).map((n): unknown => `u_${n}`) },
  { weight: 2, arbitrary: stringArb },
  { weight: 2, arbitrary: fc.constantFrom<unknown>('', '  ', ' x', 'x ', '\tx', '\u00a0x', '\ufeffx', 7, 0, -0, 1.5, NaN, null, true, [], {}) },
);
const anonymousIdArb = fc.oneof({ weight: 6, arbitrary: fc.constant<unknown>(undefined) }, { weight: 4, arbitrary: userIdArb });
const eventArb = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom<unknown>('Report Exported', 'Signed Up', 'signup', 'x', 'page_viewed') },
  { weight: 2, arbitrary: stringArb },
  { weight: 2, arbitrary: fc.constantFrom<unknown>('', ' ', ' x', '\nx', '\u00a0x', 5, null, undefined, true, {}) },
);
const EXTRA_KEYS = [
  'context', 'integrations', 'name', 'version', 'sentAt', 'receivedAt', 'channel', '__proto__', 'Type', 'TYPE', 'type ', 'messageID', 'user_id',
  'Event', '1', '', 'é', '😀', 'a"b', 'a\\b', 'traits', 'properties', 'userId', 'anonymousId', 'originalTimestamp',
];
const extraArb = fc.tuple(fc.oneof(fc.constantFrom(...EXTRA_KEYS), oddStringArb), fc.jsonValue({ maxDepth: 3 }));

/** Which data a record carries: its call's own (properties or traits), the other's, both or none. */
const dataChoiceArb = fc.constantFrom('own', 'own', 'own', 'own', 'own', 'other', 'both', 'none');

/** A `context` as SDKs send it, sometimes with `traits` (RudderStack's SDKs put an identify call's traits there). */
const contextArb: fc.Arbitrary<[string, unknown]> = fc
  .record(
    {
      ip: fc.constantFrom('203.0.113.7', '2001:db8::1'),
      library: fc.constant({ name: 'analytics-node', version: '6.2.0' }),
      traits: fc.oneof(plainFlatArb, fc.constantFrom<unknown>(null, {}, 'x', [1])),
    },
    { requiredKeys: ['ip'] },
  )
  .map((context): [string, unknown] => ['context', context]);

const typicalRecordArb: fc.Arbitrary<string> = fc
  .record({
    type: typeArb,
    messageId: messageIdArb,
    userId: fc.oneof({ weight: 8, arbitrary: userIdArb }, { weight: 2, arbitrary: fc.constant<unknown>(undefined) }),
    anonymousId: anonymousIdArb,
    event: eventArb,
    timestamp: fc.oneof({ weight: 3, arbitrary: timestampArb }, { weight: 1, arbitrary: fc.constant<unknown>(undefined) }),
    originalTimestamp: laterTimeArb,
    sentAt: laterTimeArb,
    receivedAt: laterTimeArb,
    name: callNameArb,
    dataChoice: dataChoiceArb,
    own: fc.oneof(dataArb, plainFlatArb),
    other: dataArb,
    extras: fc.array(fc.oneof(extraArb, fc.tuple(fc.constantFrom('context', 'integrations', 'sentAt'), plainJsonArb), contextArb), { maxLength: 3 }),
    order: fc.array(fc.nat(), { minLength: 16, maxLength: 16 }),
    shuffle: fc.boolean(),
  })
  .map((r) => {
    const track = r.type !== 'identify';
    const times: [string, unknown][] = [
      ['originalTimestamp', r.originalTimestamp],
      ['sentAt', r.sentAt],
      ['receivedAt', r.receivedAt],
      ['name', r.name],
    ];
    const ownKey = track ? 'properties' : 'traits';
    const otherKey = track ? 'traits' : 'properties';
    const fields: [string, unknown][] = [
      ['type', r.type],
      ['messageId', r.messageId],
      ['userId', r.userId],
      ['anonymousId', r.anonymousId],
      ['event', r.event],
      ['timestamp', r.timestamp],
      ...times,
    ];
    if (r.dataChoice === 'own' || r.dataChoice === 'both') fields.push([ownKey, r.own]);
    if (r.dataChoice === 'other' || r.dataChoice === 'both') fields.push([otherKey, r.other]);
    // Extras after the fields (one named like a field replaces it in the object).
    fields.push(...r.extras);
    const ordered = r.shuffle
      ? fields.map((field, i) => ({ field, rank: r.order[i % r.order.length] ?? 0 })).sort((a, b) => a.rank - b.rank).map(({ field }) => field)
      : fields;
    return JSON.stringify(Object.fromEntries(ordered));
  });

// ---------------------------------------------------------------------------------------------
// The benchmark's records (tests/bench/import.bench.ts), and flat records like them: the fast path
// must take all of these.

const isoArb = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }).map((ms) => new Date(ms).toISOString());
const benchTrackArb = fc
  .record({
    id: fc.uuid(),
    user: fc.nat(1_000_000),
    event: fc.constantFrom('Report Exported', 'Signed Up', 'Dashboard Viewed', 'Invite Sent'),
    ts: isoArb,
    format: fc.constantFrom('pdf', 'csv', 'web'),
    count: fc.integer({ min: 1, max: 100 }),
  })
  .map((r) =>
    JSON.stringify({
      type: 'track',
      messageId: r.id,
      userId: `u_${r.user}`,
      event: r.event,
      timestamp: r.ts,
      properties: { format: r.format, count: r.count, source: 'web' },
    }),
  );

const plainIdArb = fc.oneof(fc.uuid(), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_ :.-]{0,20}$/));

const benchIdentifyArb = fc
  .record({ id: fc.uuid(), user: fc.nat(1_000_000), ts: isoArb, plan: fc.constantFrom('free', 'starter', 'growth'), seats: fc.integer({ min: 1, max: 50 }) })
  .map((r) => JSON.stringify({ type: 'identify', messageId: r.id, userId: `u_${r.user}`, timestamp: r.ts, traits: { plan: r.plan, seats: r.seats } }));

/** Zoned ISO texts and epoch milliseconds near isoArb's, for a time chain without `timestamp`. */
const chainArb = fc.record({
  original: isoArb,
  sentSkew: fc.integer({ min: -3_600_000, max: 3_600_000 }),
  delay: fc.integer({ min: 0, max: 600_000 }),
  fields: fc.constantFrom('all', 'original+sent', 'original', 'received'),
});

const plainRecordArb = fc
  .record({
    track: fc.boolean(),
    call: fc.constantFrom('track', 'identify', 'page', 'screen'),
    name: fc.option(fc.oneof(fc.constantFrom('Pricing', 'Home – Acme', 'Docs · Start'), fc.stringMatching(/^[A-Za-z0-9 ]{0,12}$/)), { freq: 2 }),
    chain: fc.option(chainArb, { freq: 3 }),
    id: plainIdArb,
    user: plainIdArb,
    anonymous: fc.boolean(),
    event: fc.oneof(fc.constantFrom('Report Exported', 'x', 'Café ouvert', 'x東京'), fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_ ]{0,16}$/)),
    ts: fc.oneof(isoArb, fc.constantFrom('2024-06-01T12:00:00+02:00', '2024-06-01 10:00Z', '1717236000000', '2024-02-29T23:59:59.999Z')),
    data: fc.oneof({ weight: 6, arbitrary: plainFlatArb }, { weight: 1, arbitrary: fc.constantFrom<unknown>(null, {}, undefined) }),
    extras: fc.array(fc.tuple(fc.constantFrom('context', 'integrations', 'sentAt', 'version'), plainJsonArb), { maxLength: 2 }),
    order: fc.array(fc.nat(), { minLength: 10, maxLength: 10 }),
  })
  .map((r) => {
    // Half the records keep the first shape (track or identify); the rest are any call.
    const call = r.track ? 'track' : r.call;
    const isEvent = call !== 'identify';
    // The page or screen's data must not hold a name of its own for the fast path (the name would replace it in place).
    const data = call === 'page' || call === 'screen' ? withoutName(r.data) : r.data;
    const fields: [string, unknown][] = [
      ['type', call],
      ['messageId', r.id],
      [r.anonymous ? 'anonymousId' : 'userId', r.user],
      [isEvent ? 'properties' : 'traits', data],
      ...r.extras.filter(([key]) => key !== 'sentAt' || r.chain === null),
    ];
    if (r.chain === null) fields.push(['timestamp', r.ts]);
    else {
      const original = Date.parse(r.chain.original);
      const sent = new Date(original + r.chain.sentSkew).toISOString();
      const received = String(original + r.chain.sentSkew + r.chain.delay);
      if (r.chain.fields !== 'received') fields.push(['originalTimestamp', r.chain.original]);
      if (r.chain.fields === 'all' || r.chain.fields === 'original+sent') fields.push(['sentAt', sent]);
      if (r.chain.fields === 'all' || r.chain.fields === 'received') fields.push(['receivedAt', received]);
    }
    if (call === 'track') fields.push(['event', r.event]);
    if ((call === 'page' || call === 'screen') && r.name !== null) fields.push(['name', r.name]);
    const ordered = fields.map((field, i) => ({ field, rank: r.order[i] ?? 0 })).sort((a, b) => a.rank - b.rank);
    return JSON.stringify(Object.fromEntries(ordered.map(({ field }) => field)));
  });

/** Flat data without a `name` key. */
function withoutName(data: unknown): unknown {
  if (data === null || typeof data !== 'object') return data;
  return Object.fromEntries(Object.entries(data).filter(([key]) => key !== 'name'));
}

const livelyArb = fc.oneof(benchTrackArb, benchIdentifyArb, plainRecordArb);

/** A record's text as Python's json.dumps writes it (the benchmark's writer of that style). */
function asPython(text: string): string {
  return pythonJson(JSON.parse(text) as Json);
}
/** Records as JSON.stringify writes them (a) and flat ones, in Python's style. */
const pythonArb = fc.oneof(typicalRecordArb, plainRecordArb).map(asPython);
/** A page call with non-ASCII text in its properties and context, as real pages have. */
const benchTitledArb = fc
  .record({ id: fc.uuid(), user: fc.nat(1_000_000), ts: isoArb, title: fc.constantFrom('Pricing – Acme', 'Über uns · Acme', 'Docs', 'Café 東京'), name: fc.constantFrom('Pricing', 'Docs') })
  .map((r) =>
    JSON.stringify({
      type: 'page',
      messageId: r.id,
      anonymousId: `anon-${r.user}`,
      name: r.name,
      timestamp: r.ts,
      properties: { path: '/p', title: r.title, referrer: '' },
      context: { page: { title: r.title }, locale: 'de-DE', library: { name: 'analytics.js', version: '5.2.0' } },
      integrations: {},
    }),
  );

/** A track call's valid fields, for tests to add to and close. */
const TRACK = '{"type":"track","messageId":"m-1","userId":"u_1","event":"Report Exported","timestamp":"2024-06-01T10:00:00.000Z"';

// ---------------------------------------------------------------------------------------------
// b. Hand-made texts JSON.stringify would never write: members given as raw key and value texts,
// edited (values replaced, keys given twice, members added, removed, swapped), then joined with
// separators that are mostly, but not always, the canonical ones.

type Member = [key: string, value: string];

const RAW_VALUES = [
  '01', '1.', '.5', '+1', '-', '1e', '1E+2', '1e+2', '1e2', '-0', '0', '-0.0', '0.0', '1.0', '100e-2', '1e21', '1e+21', '1E21', '1e-7', '1e-07', '1E-7', '0.1',
  '0.30000000000000004', '9007199254740993', '9007199254740992', '123456789012345', '-123456789012345', '1234567890123456', '-1234567890123456',
  '999999999999999', '1000000000000000', '999999999999999999999', '1e400', '-1e-400', '5e-324', '0x10', 'NaN', 'Infinity', '-Infinity', 'tru', 'nul',
  'fals', 'true', 'false', 'null', 'truee', 'nulll', 'True', '"x"', '""', '" "', '"\\u0041"', '"\\/"', '"\\n"', '"\\""', '"\\\\"', '"\\ud800"',
  '"\\ud83d\\ude00"', '"\\x41"', '"\\u00"', '"unterminated', '"raw\ncontrol"', '"tab\there"', '"\u0000"', '"\ud800"', '"x\udc00"', '"😀"', '"é"',
  '"\u2028"', '"\u007f"', '[]', '[1,2]', '[ ]', '[1,]', '[,1]', '[1 2]', '{}', '{ }', '{"a":1}', '{"a":{"b":[1,{"c":null}]}}', '{"a":1,}', '{,}',
  '{"a" 1}', '{"a":}', '{a:1}', "'x'", 'undefined', '', ' 1', '1 ', '[', '{', '"', `${'['.repeat(31)}${']'.repeat(31)}`,
  `${'['.repeat(32)}${']'.repeat(32)}`, `${'['.repeat(33)}${']'.repeat(33)}`, `${'['.repeat(40)}${']'.repeat(39)}`,
];
const FIELD_VALUES: Record<string, string[]> = {
  '"type"': ['"track"', '"identify"', '"page"', '"screen"', '"Track"', '"IDENTIFY"', '""', '"trac\\u006b"', '"track "', 'null', '1'],
  '"messageId"': ['"m-1"', '"m-2"', '""', '" "', '"\\u006d"', '42', '-0', '1.5', 'null', '"é"', '"😀"'],
  '"userId"': ['"u_1"', '"u_2"', '""', '" "', '" x"', '"\\u0075"', '7', '1e21', 'null', '"é"', '"\u00a0x"'],
  '"anonymousId"': ['"a_1"', '""', '" "', '"\\t"', '8', 'null', '"é"'],
  '"event"': ['"Report Exported"', '"Other"', '""', '" "', '"\\u0045"', '5', 'null', '"é"', '"\u2028"'],
  '"timestamp"': [
    '"2024-06-01T10:00:00.000Z"', '"2024-06-01T12:00:00+02:00"', '"2024-02-30T00:00:00Z"', '"2024-06-01T10:00:00"', '"1717236000000"', '1717236000000',
    '1717236000000.5', '1.7e12', '""', '"\\u0032024-06-01T10:00:00.000Z"', 'null',
    // Issue 15's import time: epoch seconds and the edges of milliseconds, warehouse forms.
    '"1646153823"', '"99999999999"', '"100000000000"', '"100000000000000"', '"100000000000001"', '"01717236000000"', '"2024-06-01 10:00:00 UTC"',
    '"2024-06-01 10:00:00+00"', '"2024-06-01 02:00:00 -0800"',
  ],
  '"properties"': [
    '{"format":"pdf","count":3}', '{"a":1,"a":2}', '{"b":1,"a":2}', '{"a":{"b":1}}', '{}', 'null', '[]', '"x"', '{"1":1,"a":2}', '{"a":1,"1":2}',
  ],
  // The Segment time chain past timestamp, and a page's name (issue 15's fast path reads them).
  '"originalTimestamp"': ['"2024-06-01T10:00:00.000Z"', '"2024-06-01T12:00:00+02:00"', '"1717236000000"', '"2024-06-01 10:00:00"', '""', 'null', '5', '"\u0032024-06-01T10:00:00.000Z"'],
  '"sentAt"': ['"2024-06-01T10:00:05.000Z"', '"1717236005000"', '"1717236005"', '""', 'null', '0', '"x"'],
  '"receivedAt"': ['"2024-06-01T09:00:06.000Z"', '"1717232406000"', '"2024-06-01 09:00:06 UTC"', '""', 'null', '1.5', '{}'],
  '"name"': ['"Home"', '"Home – Acme"', '""', 'null', '5', '{"a":1}', '"\u0048ome"', '["x"]'],
  '"traits"': ['{"plan":"pro","seats":3}', '{"plan":"pro","plan":"free"}', '{}', 'null', '[1]', '{"__proto__":1}', '{"a":[1]}'],
};
const TOP_KEYS = [
  ...Object.keys(FIELD_VALUES), '"context"', '"integrations"', '"\\u0074ype"', '"typ\\u0065"', '"\\/"', '"Type"', '"__proto__"', '"1"', '""',
  '"type "', 'type', '"type', "'type'", '"use\\rId"', '"event\ud800"',
];
const PROPERTY_KEY_TEXTS = [
  '"a"', '"b"', '"format"', '"count"', '"A"', '"\\u0041"', '"\\u0061"', '"\\/"', '"a\\/b"', '"1"', '"01"', '"0"', '"-1"', '"__proto__"', '""', '"a b"',
  '"é"', '"\ud800"', '"\u2028"', '"😀"', '"a\\nb"', '"a\nb"', 'a', "'a'", '"a',
];

/** Number texts, valid JSON or not, canonical or not: sign, digits (16 and more too), fraction, exponent. */
const numberTextArb = fc
  .tuple(
    fc.constantFrom('', '', '', '-', '+'),
    fc.oneof(fc.constant('0'), fc.stringMatching(/^[1-9][0-9]{0,20}$/), fc.stringMatching(/^[0-9]{1,4}$/), fc.constant('')),
    fc.option(fc.stringMatching(/^[0-9]{0,6}$/), { freq: 3 }),
    fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.stringMatching(/^[0-9]{0,3}$/)), { freq: 3 }),
  )
  .map(([sign, int, frac, exp]) => `${sign}${int}${frac === null ? '' : `.${frac}`}${exp === null ? '' : exp.join('')}`);
/** Integer texts around the edges: 2**53 (beyond it, not every integer is a double) and 1e21 (beyond it, exponents). */
const integerTextArb = fc
  .oneof(
    fc.bigInt({ min: 2n ** 53n - 100n, max: 2n ** 53n + 100n }),
    fc.bigInt({ min: 10n ** 15n - 100n, max: 10n ** 17n }),
    fc.bigInt({ min: 10n ** 21n - 10n ** 6n, max: 10n ** 21n + 10n ** 6n }),
    fc.bigInt({ min: -(10n ** 22n), max: 10n ** 22n }),
  )
  .chain((n) => fc.constantFrom(String(n), String(-n)));
const rawValueArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...RAW_VALUES) },
  { weight: 2, arbitrary: numberTextArb },
  { weight: 1, arbitrary: stringArb.map((v) => JSON.stringify(v)) },
  // Values as JSON.stringify writes them, so that many records stay within what the fast path takes.
  { weight: 3, arbitrary: plainValueArb.map((v) => JSON.stringify(v)) },
);
const sepArb = fc.oneof(
  { weight: 20, arbitrary: fc.constant(',') },
  { weight: 1, arbitrary: fc.constantFrom(', ', ' ,', ',,', '\t,', ',\n', '', ';', ',\r\n') },
);
const colonArb = fc.oneof({ weight: 20, arbitrary: fc.constant(':') }, { weight: 1, arbitrary: fc.constantFrom(' :', ': ', '::', '', '=', ':\t', '\n:') });
const openArb = fc.oneof({ weight: 20, arbitrary: fc.constant('{') }, { weight: 1, arbitrary: fc.constantFrom(' {', '\ufeff{', '[{', '', '{ ', '{\n', '{,') });
const closeArb = fc.oneof(
  { weight: 20, arbitrary: fc.constant('}') },
  { weight: 1, arbitrary: fc.constantFrom(' }', '} ', '}\n', '}\r', '}\t', '}}', '}x', '} ,', '', '}]', '},', '}\u0000', '}\u2028', '}\ufeff') },
);

/** Raw flat-ish properties: members joined with mostly canonical separators. */
const rawObjectArb = fc
  .record({
    members: fc.array(fc.tuple(fc.constantFrom(...PROPERTY_KEY_TEXTS), rawValueArb), { maxLength: 6 }),
    seps: fc.array(sepArb, { minLength: 6, maxLength: 6 }),
    colons: fc.array(colonArb, { minLength: 6, maxLength: 6 }),
    open: openArb,
    close: closeArb,
  })
  .map(({ members, seps, colons, open, close }) => {
    const body = members.map(([key, value], i) => `${key}${colons[i] ?? ':'}${value}`);
    return `${open}${body.map((member, i) => (i === 0 ? member : `${seps[i] ?? ','}${member}`)).join('')}${close}`;
  });

const editArb = fc.oneof(
  fc.record({ op: fc.constant('set' as const), i: fc.nat(), value: fc.oneof(rawValueArb, rawObjectArb) }),
  fc.record({ op: fc.constant('field' as const), i: fc.nat(), pick: fc.nat() }),
  fc.record({ op: fc.constant('dup' as const), i: fc.nat(), at: fc.nat(), pick: fc.nat() }),
  fc.record({ op: fc.constant('dup' as const), i: fc.nat(), at: fc.nat(), pick: fc.nat() }),
  fc.record({ op: fc.constant('add' as const), at: fc.nat(), key: fc.constantFrom(...TOP_KEYS), value: fc.oneof(rawValueArb, rawObjectArb) }),
  fc.record({ op: fc.constant('del' as const), i: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), i: fc.nat(), j: fc.nat() }),
);

function fieldValue(key: string, pick: number): string {
  const values = FIELD_VALUES[key] ?? RAW_VALUES;
  return values[pick % values.length] ?? 'null';
}

const handMadeRecordArb: fc.Arbitrary<string> = fc
  .record({
    identify: fc.boolean(),
    // Track calls are sometimes a page call with a name, or carry the time chain instead of timestamp.
    variant: fc.constantFrom('plain', 'plain', 'page', 'chain'),
    picks: fc.array(fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat() }), { minLength: 8, maxLength: 8 }),
    properties: fc.oneof({ weight: 1, arbitrary: fc.constant<string | null>(null) }, { weight: 2, arbitrary: rawObjectArb }),
    edits: fc.array(editArb, { maxLength: 4 }),
    seps: fc.array(sepArb, { minLength: 12, maxLength: 12 }),
    colons: fc.array(colonArb, { minLength: 12, maxLength: 12 }),
    open: openArb,
    close: closeArb,
  })
  .map((r) => {
    const keys = r.identify
      ? ['"type"', '"messageId"', '"userId"', '"timestamp"', '"traits"']
      : r.variant === 'page'
        ? ['"type"', '"messageId"', '"userId"', '"name"', '"timestamp"', '"properties"']
        : r.variant === 'chain'
          ? ['"type"', '"messageId"', '"userId"', '"event"', '"originalTimestamp"', '"sentAt"', '"receivedAt"', '"properties"']
          : ['"type"', '"messageId"', '"userId"', '"event"', '"timestamp"', '"properties"'];
    const members: Member[] = keys.map((key, i) => [key, fieldValue(key, r.picks[i] ?? 0)]);
    if (r.identify) members[0] = ['"type"', '"identify"'];
    else if (r.variant === 'page') members[0] = ['"type"', '"page"'];
    // Raw properties in place of the prepared ones, sometimes.
    if (r.properties !== null) members[members.length - 1] = [keys[keys.length - 1] as string, r.properties];
    for (const edit of r.edits) {
      const n = members.length;
      switch (edit.op) {
        case 'set':
          if (n > 0) (members[edit.i % n] as Member)[1] = edit.value;
          break;
        case 'field':
          if (n > 0) {
            const member = members[edit.i % n] as Member;
            member[1] = fieldValue(member[0], edit.pick);
          }
          break;
        case 'dup':
          if (n > 0) {
            const key = (members[edit.i % n] as Member)[0];
            members.splice(edit.at % (n + 1), 0, [key, fieldValue(key, edit.pick)]);
          }
          break;
        case 'add':
          members.splice(edit.at % (n + 1), 0, [edit.key, edit.value]);
          break;
        case 'del':
          if (n > 0) members.splice(edit.i % n, 1);
          break;
        case 'swap':
          if (n > 0) {
            const a = members[edit.i % n] as Member;
            const b = members[edit.j % n] as Member;
            members[edit.i % n] = b;
            members[edit.j % n] = a;
          }
          break;
      }
    }
    const body = members.map(([key, value], i) => `${i === 0 ? '' : (r.seps[i % r.seps.length] ?? ',')}${key}${r.colons[i % r.colons.length] ?? ':'}${value}`);
    return `${r.open}${body.join('')}${r.close}`;
  });

const WHOLE_TEXTS = [
  '', ' ', '{}', '[]', '"x"', 'null', 'true', '1', '{', '}', '{"type":"track"', '{"":""}', '{"type":"track"}', '[{"type":"track"}]', '{"type":"track",}',
  '{,"type":"track"}', '{"type":"track"}}', '\ufeff{"type":"track"}',
  '{"type":"track","type":"identify","messageId":"m","userId":"u","timestamp":"2024-06-01T10:00:00.000Z"}',
  '{"type":"identify","type":"track","messageId":"m","userId":"u","event":"E","timestamp":"2024-06-01T10:00:00.000Z"}',
  '{"type":"track","messageId":"m","userId":"u","event":"E","timestamp":"2024-06-01T10:00:00.000Z","properties":{"a":1},"properties":null}',
  '{"type":"track","messageId":"m","userId":"u","event":"E","timestamp":"2024-06-01T10:00:00.000Z","properties":{"a":1},"properties":{}}',
  '{"type":"track","messageId":"m","userId":"u","event":"E","timestamp":"2024-06-01T10:00:00.000Z","properties":{"a":1},"properties":{"b":"x"}}',
  '{"type":"track","messageId":"m","userId":"u","userId":" ","event":"E","timestamp":"2024-06-01T10:00:00.000Z"}',
  '{"type":"track","messageId":"m","userId":"u","event":"E","timestamp":"2024-06-01T10:00:00.000Z","properties":{"a":1,"a":2}}',
  '{"type":"track","messageId":"m","userId":"u","event":"E","timestamp":"2024-06-01T10:00:00.000Z","properties":{"a":1,"\\u0061":2}}',
  '{"type":"track","messageId":"m","userId":"u","event":"E","timestamp":"2024-06-01T10:00:00.000Z","properties":{"b":1,"1":2}}',
  '{"type":"track","messageId":"m","userId":"u","event":"E","timestamp":"2024-06-01T10:00:00.000Z","properties":{"a":1}}\n',
  '{"type":"track","messageId":"m","userId":"u","event":"E","timestamp":"2024-06-01T10:00:00.000Z","properties":{"a":"\\/"}}',
  '{"type":"track","messageId":"m","userId":"u","event":"E\\u0041","timestamp":"2024-06-01T10:00:00.000Z"}',
  '{"type":"track","messageId":"m","userId":"u","event":"E","timestamp":"2024-06-01T10:00:00.000Z","properties":{"a":1.0}}',
  '{"type":"track","messageId":"m","userId":"u","event":"E","timestamp":"2024-06-01T10:00:00.000Z","properties":{"a":-0}}',
  '{"type":"track","messageId":"m","userId":"u","event":"E","timestamp":"2024-06-01T10:00:00.000Z","properties":{"a":100e-2}}',
  '{"type":"track","messageId":"m","userId":"u","event":"E","timestamp":"2024-06-01T10:00:00.000Z","properties":{"a":1E+2}}',
  '{"type":"track","messageId":"m","userId":"u","event":"E","timestamp":"2024-06-01T10:00:00.000Z","properties":{"a":1e21}}',
  '{"type":"track","messageId":"m","userId":"u","event":"E","timestamp":"2024-06-01T10:00:00.000Z","properties":{"a":1e+21}}',
  '{"type":"track","messageId":"m","userId":"u","event":"E","timestamp":"2024-06-01T10:00:00.000Z","properties":{"a":tru}}',
  '{"type":"track","messageId":"m","userId":"u","event":"E","timestamp":"2024-06-01T10:00:00.000Z","properties":{"a":"x}}',
  '{"type":"track","messageId":"m","userId":"u","event":"E","timestamp":"2024-06-01T10:00:00.000Z","properties":{"a":"\ud800"}}',
  '{"type":"track","messageId":"m","userId":"u","event":"E","timestamp":"2024-06-01T10:00:00.000Z","properties":{"a":"\n"}}',
];

/**
 * A valid envelope around hand-made flat data: mostly plain keys, and values that are number texts
 * of every kind (the fast path must tell canonical ones), raw tokens or values as JSON.stringify
 * writes them.
 */
const rawDataRecordArb: fc.Arbitrary<string> = fc
  .record({
    identify: fc.boolean(),
    members: fc.array(
      fc.tuple(
        fc.oneof({ weight: 4, arbitrary: plainKeyArb.map((key) => JSON.stringify(key)) }, { weight: 1, arbitrary: fc.constantFrom(...PROPERTY_KEY_TEXTS) }),
        fc.oneof(
          { weight: 3, arbitrary: numberTextArb },
          { weight: 2, arbitrary: integerTextArb },
          { weight: 1, arbitrary: fc.constantFrom(...RAW_VALUES) },
          { weight: 2, arbitrary: plainValueArb.map((v) => JSON.stringify(v)) },
        ),
      ),
      { maxLength: 5 },
    ),
    seps: fc.array(fc.oneof({ weight: 30, arbitrary: fc.constant(',') }, { weight: 1, arbitrary: sepArb }), { minLength: 5, maxLength: 5 }),
  })
  .map(({ identify, members, seps }) => {
    const data = `{${members.map(([key, value], i) => `${i === 0 ? '' : (seps[i] ?? ',')}${key}:${value}`).join('')}}`;
    return identify
      ? `{"type":"identify","messageId":"m-1","userId":"u_1","timestamp":"2024-06-01T10:00:00.000Z","traits":${data}}`
      : `${TRACK},"properties":${data}}`;
  });

const handMadeArb = fc.oneof(
  { weight: 8, arbitrary: handMadeRecordArb },
  { weight: 4, arbitrary: rawDataRecordArb },
  { weight: 1, arbitrary: fc.constantFrom(...WHOLE_TEXTS) },
);

// ---------------------------------------------------------------------------------------------
// c. A valid text with a few characters inserted, deleted or replaced.

const MUTATION_CHARS = [...'{}[]":,.-+0123456789eEtrufalsn \\', ...'aAxXzZTkIdpy_', '\n', '\t', '\u0000', 'é', '\ud800', '\u2028'];
const mutationArb = fc.record({ op: fc.constantFrom('insert', 'delete', 'replace'), at: fc.nat(), char: fc.constantFrom(...MUTATION_CHARS) });
const mutatedArb = fc
  .tuple(fc.oneof({ weight: 3, arbitrary: livelyArb }, { weight: 1, arbitrary: typicalRecordArb }), fc.array(mutationArb, { minLength: 1, maxLength: 3 }))
  .map(([text, mutations]) => {
    let out = text;
    for (const { op, at, char } of mutations) {
      const i = at % (out.length + 1);
      if (op === 'insert') out = out.slice(0, i) + char + out.slice(i);
      else if (op === 'delete') out = out.slice(0, i) + out.slice(i + 1);
      else out = out.slice(0, i) + char + out.slice(i + 1);
    }
    return out;
  });

// ---------------------------------------------------------------------------------------------


/** The fast path's answer and the general path's on a text, with fresh numberings. */
function both(text: string): { fast: Outcome | null; general: Outcome | string } {
  const paths = new Paths();
  const bytes = Buffer.byteLength(text);
  return { fast: paths.fast(text, bytes), general: paths.general(text, bytes) };
}

/** Runs checkSound over NUM_RUNS texts of `arb`; returns how many the fast path took. */
function soundRuns(arb: fc.Arbitrary<string>, seed: number, paths = new Paths()): number {
  let taken = 0;
  fc.assert(
    fc.property(arb, fc.boolean(), (text, zero) => {
      if (checkSound(paths, text, zero)) taken += 1;
    }),
    { numRuns: NUM_RUNS, seed },
  );
  return taken;
}

describe('prepareFast: the import fast path gives what the general path gives, or null', () => {
  it('is sound on records as JSON.stringify writes them (a)', () => {
    const taken = soundRuns(typicalRecordArb, SEED);
    // The property must not hold by the fast path declining everything.
    expect(taken).toBeGreaterThan(NUM_RUNS / 20);
  });

  it('is sound on records as Python\'s json.dumps writes them (spaces after , and :, \\u escapes)', () => {
    const taken = soundRuns(pythonArb, SEED + 4);
    expect(taken).toBeGreaterThan(NUM_RUNS / 20);
  });

  it('is sound on hand-made texts JSON.stringify never writes (b)', () => {
    const paths = new Paths();
    const taken = soundRuns(handMadeArb, SEED + 1, paths);
    expect(taken).toBeGreaterThan(NUM_RUNS / 50);
    for (const text of WHOLE_TEXTS) checkSound(paths, text, false);
  });

  it('is sound on valid texts with a few characters inserted, deleted or replaced (c)', () => {
    const taken = soundRuns(mutatedArb, SEED + 2);
    expect(taken).toBeGreaterThan(0);
  });

  it('takes every record in the benchmark shape, and flat records like it, with the general path answer', () => {
    const paths = new Paths();
    fc.assert(
      fc.property(livelyArb, fc.boolean(), (text, zero) => {
        expect(checkSound(paths, text, zero), `declined ${text}`).toBe(true);
        // Non-ASCII names, titles and values do not send a record of a non-ASCII chunk away (keys that are
        // not ASCII do: the shape names keys as the text spells them).
        const record = JSON.parse(text) as { properties?: object; traits?: object };
        if (Object.keys(record.properties ?? record.traits ?? {}).every((key) => !/[^\x20-\x7e]/.test(key))) {
          expect(paths.fastInByteChunk(text), `declined in UTF-8 bytes: ${text}`).not.toBeNull();
        }
      }),
      { numRuns: NUM_RUNS, seed: SEED + 3 },
    );
  });

  it('takes the benchmark\'s records as Python writes them, re-writing their data as JSON.stringify would', () => {
    const paths = new Paths();
    fc.assert(
      fc.property(fc.oneof(benchTrackArb, benchIdentifyArb, benchTitledArb).map(asPython), fc.boolean(), (text, zero) => {
        expect(checkSound(paths, text, zero), `declined ${text}`).toBe(true);
      }),
      { numRuns: NUM_RUNS / 2, seed: SEED + 5 },
    );
  });

  it('carries no state from one call to the next', () => {
    const textArb = fc.oneof(livelyArb, typicalRecordArb, handMadeArb, mutatedArb);
    fc.assert(
      fc.property(fc.array(textArb, { minLength: 2, maxLength: 12 }), (texts) => {
        const forward = new Paths();
        const answers = texts.map((text) => {
          const bytes = Buffer.byteLength(text);
          const first = forward.fast(text, bytes);
          // The same text twice in a row.
          expect(forward.fast(text, bytes)).toStrictEqual(first);
          return first;
        });
        // The same texts in the other order, after different predecessors.
        const backward = new Paths();
        for (let i = texts.length - 1; i >= 0; i--) {
          const text = texts[i] as string;
          expect(backward.fast(text, Buffer.byteLength(text)), `text ${i}: ${JSON.stringify(text)}`).toStrictEqual(answers[i]);
        }
        for (const text of texts) checkSound(forward, text, true);
      }),
      { numRuns: Math.max(50, Math.floor(NUM_RUNS / 10)), seed: SEED + 4 },
    );
  });

  it('carries no field of one record into the next', () => {
    const paths = new Paths();
    const full = `${TRACK},"anonymousId":"a_1","properties":{"format":"pdf","count":3}}`;
    const sequence = [
      full,
      // No user at all after a record with both: the general path rejects it.
      '{"type":"track","messageId":"m-2","event":"E","timestamp":"2024-06-01T10:00:00.000Z"}',
      full,
      // No event after a record with one.
      '{"type":"track","messageId":"m-3","userId":"u_1","timestamp":"2024-06-01T10:00:00.000Z"}',
      full,
      // Properties that fail halfway, then fewer properties.
      `${TRACK},"properties":{"format":"pdf","count":3,"source":"web","deep":{"a":1}}}`,
      `${TRACK},"properties":{"format":"pdf"}}`,
      // An identify call after a track call: no name, no shape.
      '{"type":"identify","messageId":"m-4","userId":"u_2","timestamp":"2024-06-01T10:00:00.000Z","traits":{"format":"pdf","count":3}}',
      `${TRACK},"properties":{"count":3,"format":"pdf"}}`,
      `${TRACK},"properties":{}}`,
      `${TRACK},"properties":null}`,
      full,
    ];
    for (const text of sequence) checkSound(paths, text, true);
    expect(paths.fast(sequence[1] as string, 0)).toBeNull();
    expect(paths.fast(sequence[3] as string, 0)).toBeNull();
    expect(paths.fast(sequence[5] as string, 0)).toBeNull();
    const identify = paths.fast(sequence[7] as string, 0);
    expect(identify).toMatchObject({ name: '', shape: 0, json: '{"format":"pdf","count":3}' });
  });

  describe('cases', () => {
    it('takes a benchmark track call, with its properties as written and its shape', () => {
      const text = `${TRACK},"properties":{"format":"pdf","count":3,"source":"web","ok":true,"gone":null}}`;
      const { fast, general } = both(text);
      expect(fast).not.toBeNull();
      expect(fast).toStrictEqual(general);
      expect(fast?.json).toBe('{"format":"pdf","count":3,"source":"web","ok":true,"gone":null}');
      expect(fast?.shape).toStrictEqual([
        ['Report Exported', 'format', TYPE_BITS.string],
        ['Report Exported', 'count', TYPE_BITS.number],
        ['Report Exported', 'source', TYPE_BITS.string],
        ['Report Exported', 'ok', TYPE_BITS.boolean],
        ['Report Exported', 'gone', TYPE_BITS.null],
      ]);
    });

    it('takes an identify call with flat traits: no name, shape 0', () => {
      const text = '{"type":"identify","messageId":"m-1","userId":"u_1","timestamp":"2024-06-01T10:00:00.000Z","traits":{"plan":"growth","seats":12}}';
      const { fast, general } = both(text);
      expect(fast).not.toBeNull();
      expect(fast).toStrictEqual(general);
      expect(fast).toMatchObject({ name: '', shape: 0, json: '{"plan":"growth","seats":12}' });
    });

    it('gives empty properties as the general path does: json null, shape 0', () => {
      for (const tail of [',"properties":{}}', ',"properties":null}', '}']) {
        const { fast, general } = both(TRACK + tail);
        expect(fast).not.toBeNull();
        expect(fast).toStrictEqual(general);
        expect(fast).toMatchObject({ json: null, shape: 0 });
      }
    });

    it('leaves to the general path what it accepts but the fast path cannot give exactly', () => {
      const declined = [
        // Nested properties.
        `${TRACK},"properties":{"format":"pdf","meta":{"pages":3}}}`,
        `${TRACK},"properties":{"tags":["a","b"]}}`,
        // Whitespace other than spaces between tokens, and a line feed after the record.
        '{"type":\t"track","messageId":"m-1","userId":"u_1","event":"Report Exported","timestamp":"2024-06-01T10:00:00.000Z"}',
        `${TRACK},"properties":{"format":"pdf",\r"count":3}}`,
        `${TRACK}}\n`,
        // Escapes the fast path does not decode: in a key (it could spell one the fast path looks for), in a field it reads.
        `${TRACK},"context":{"tr\\u0061its":{"plan":"pro"}}}`,
        `${TRACK},"properties":{"\\u0061":1}}`,
        TRACK.replace('"u_1"', '"u_\\u0031"') + '}',
        // A top-level key given twice (JSON.parse keeps the last).
        `${TRACK},"event":"Signed Up"}`,
        `${TRACK},"type":"track"}`,
        // A property key given twice.
        `${TRACK},"properties":{"a":1,"a":2}}`,
        // A page whose properties have a name of their own (the call's name replaces it in place), or whose name is not a text.
        '{"type":"page","messageId":"m-1","userId":"u_1","name":"Home","timestamp":"2024-06-01T10:00:00.000Z","properties":{"name":"x","path":"/"}}',
        '{"type":"page","messageId":"m-1","userId":"u_1","name":5,"timestamp":"2024-06-01T10:00:00.000Z"}',
        // Types that are not written exactly.
        TRACK.replace('"track"', '"Track"') + '}',
        // Integer-like keys, which JSON.stringify writes first.
        `${TRACK},"properties":{"b":1,"1":2}}`,
        // Numbers not written as JSON.stringify writes them.
        `${TRACK},"properties":{"a":1.0}}`,
        `${TRACK},"properties":{"a":-0}}`,
        `${TRACK},"properties":{"a":1e21}}`,
        `${TRACK},"properties":{"a":9007199254740993}}`,
        // Surrogates written as they are (an escaped one is decoded: see the cases taken).
        `${TRACK},"properties":{"a":"😀"}}`,
        // A numeric user id, a missing messageId, a numeric timestamp.
        '{"type":"track","messageId":"m-1","userId":7,"event":"E","timestamp":"2024-06-01T10:00:00.000Z"}',
        '{"type":"track","userId":"u_1","event":"E","timestamp":"2024-06-01T10:00:00.000Z"}',
        '{"type":"track","messageId":"m-1","userId":"u_1","event":"E","timestamp":1717236000000}',
        // Deeper than the fast path follows, in a field it skips.
        `${TRACK},"context":${'['.repeat(40)}${']'.repeat(40)}}`,
        // Time the import reads its own way (issue 15): epoch seconds in text, zone-less and warehouse forms,
        // and a time chain past timestamp with a field that is not a text.
        TRACK.replace('"2024-06-01T10:00:00.000Z"', '"1717236000"') + '}',
        TRACK.replace('"2024-06-01T10:00:00.000Z"', '"2024-06-01 10:00:00"') + '}',
        TRACK.replace('"2024-06-01T10:00:00.000Z"', '"2024-06-01T10:00:00"') + '}',
        TRACK.replace('"2024-06-01T10:00:00.000Z"', '"2024-06-01 10:00:00 UTC"') + '}',
        TRACK.replace('"2024-06-01T10:00:00.000Z"', '"2024-06-01 10:00:00+00"') + '}',
        TRACK.replace('"timestamp"', '"originalTimestamp"') + ',"sentAt":null,"receivedAt":"2024-06-01T10:00:01.000Z"}',
        TRACK.replace('"timestamp"', '"originalTimestamp"').replace('"2024-06-01T10:00:00.000Z"', '"2024-06-01 10:00:00"') + '}',
        // context.traits, which merge into the user's traits (issue 15): the general path's.
        `${TRACK},"context":{"ip":"203.0.113.7","traits":{"plan":"pro"}}}`,
        '{"type":"identify","messageId":"m-1","userId":"u_1","timestamp":"2024-06-01T10:00:00.000Z","context":{"traits":{"plan":"pro"}}}',
      ];
      for (const text of declined) {
        const { fast, general } = both(text);
        expect(typeof general, `general path on ${text}: ${String(general)}`).toBe('object');
        expect(fast, text).toBeNull();
      }
      // Invalid escapes, and a string left open by an escaped quote: rejected by the general path, never taken here.
      for (const text of [`${TRACK},"properties":{"a":"\\x41"}}`, `${TRACK},"properties":{"a":"\\u12"}}`, `${TRACK},"properties":{"a":"x\\"}}`, `${TRACK},"context":{"a":"\\q"}}`]) {
        const { fast, general } = both(text);
        expect(typeof general, text).toBe('string');
        expect(fast, text).toBeNull();
      }
    });

    it('takes page and screen calls and the Segment time chain, with the general path answer', () => {
      const taken = [
        // Python's json.dumps: spaces after , and :, non-ASCII written as \u escapes (decoded in the properties kept).
        '{"type": "track", "messageId": "m-1", "userId": "u_1", "event": "Report Exported", "timestamp": "2024-06-01T10:00:00.000Z", "properties": {"title": "Home \\u2013 Acme", "n": 3}}',
        '{"type": "page", "messageId": "m-1", "userId": "u_1", "name": "Home", "timestamp": "2024-06-01T10:00:00.000Z", "properties": {"path": "/", "q": "a\\"b\\\\c\\n\\ud83d\\ude00\\/"}, "context": {"page": {"title": "Caf\\u00e9"}}}',
        `${TRACK} }`,
        `${TRACK},"properties":{"format":"pdf", "count":3} }`,
        `${TRACK},"properties":{"lone":"\\ud800"}}`,
        // analytics.js page calls: the name joins the properties, last.
        '{"type":"page","messageId":"m-1","userId":"u_1","name":"Home","timestamp":"2024-06-01T10:00:00.000Z","properties":{"path":"/","title":"Home – Acme"}}',
        '{"type":"page","messageId":"m-1","anonymousId":"a_1","name":"Home","timestamp":"2024-06-01T10:00:00.000Z"}',
        '{"type":"page","messageId":"m-1","userId":"u_1","name":null,"timestamp":"2024-06-01T10:00:00.000Z","properties":{"path":"/"}}',
        '{"type":"page","messageId":"m-1","userId":"u_1","name":"Home","timestamp":"2024-06-01T10:00:00.000Z","properties":null}',
        '{"type":"screen","messageId":"m-1","userId":"u_1","timestamp":"2024-06-01T10:00:00.000Z"}',
        '{"name":"Settings","properties":{"from":"menu"},"type":"screen","messageId":"m-1","userId":"u_1","timestamp":"2024-06-01T10:00:00.000Z"}',
        // A track call's top-level name is no property of it.
        `${TRACK},"name":5,"properties":{"a":1}}`,
        // No timestamp: originalTimestamp corrected by receivedAt − sentAt, or as it is, or receivedAt.
        '{"type":"track","messageId":"m-1","userId":"u_1","event":"E","originalTimestamp":"2024-06-01T10:00:00.000Z","sentAt":"2024-06-01T10:00:05.000Z","receivedAt":"2024-06-01T09:00:06.000Z"}',
        '{"type":"track","messageId":"m-1","userId":"u_1","event":"E","originalTimestamp":"2024-06-01T10:00:00.000Z","sentAt":"2024-06-01T10:00:05.000Z"}',
        '{"type":"track","messageId":"m-1","userId":"u_1","event":"E","originalTimestamp":"2024-06-01T12:00:00+02:00","receivedAt":"1717236000000"}',
        '{"type":"page","messageId":"m-1","userId":"u_1","receivedAt":"2024-06-01T10:00:00.000Z"}',
        // With a timestamp, the other time fields are never read, whatever they hold.
        `${TRACK},"sentAt":null,"receivedAt":5,"originalTimestamp":"now"}`,
      ];
      for (const text of taken) {
        const { fast, general } = both(text);
        expect(fast, text).not.toBeNull();
        expect(general, text).toStrictEqual(fast);
      }
      const corrected = both(taken[12] as string).fast;
      expect(corrected?.ts).toBe(Date.parse('2024-06-01T10:00:00.000Z') + Date.parse('2024-06-01T09:00:06.000Z') - Date.parse('2024-06-01T10:00:05.000Z'));
      expect(both(taken[5] as string).fast?.json).toBe('{"path":"/","title":"Home – Acme","name":"Home"}');
      expect(both(taken[0] as string).fast?.json).toBe('{"title":"Home – Acme","n":3}');
      expect(both(taken[1] as string).fast?.json).toBe(JSON.stringify({ path: '/', q: 'a"b\\c\n😀/', name: 'Home' }));
    });

    it('gives many flat properties as the general path does, or declines them', () => {
      const paths = new Paths();
      let taken = 0;
      for (let n = 1; n <= 80; n++) {
        const properties = Array.from({ length: n }, (_, i) => `"k${i}":${i % 3 === 0 ? `"v${i}"` : i % 3 === 1 ? String(i * 1.5) : 'true'}`);
        if (checkSound(paths, `${TRACK},"properties":{${properties.join(',')}}}`, true)) taken += 1;
        // The last key given again.
        expect(paths.fast(`${TRACK},"properties":{${properties.join(',')},"k${n - 1}":1}}`, 0)).toBeNull();
      }
      expect(taken).toBeGreaterThanOrEqual(20);
    });

    it('answers null when the text is of unknown size or over the limit, and takes one exactly at it', () => {
      const text = `${TRACK}}`;
      expect(prepareFast(text, undefined, new ShapeNumbering(() => {}))).toBeNull();
      const padding = (n: number): string => `${TRACK},"context":"${'x'.repeat(n)}"}`;
      const base = Buffer.byteLength(padding(0));
      const atLimit = padding(MAX_RECORD_BYTES - base);
      const overLimit = padding(MAX_RECORD_BYTES - base + 1);
      expect(Buffer.byteLength(atLimit)).toBe(MAX_RECORD_BYTES);
      const at = both(atLimit);
      expect(at.fast).not.toBeNull();
      expect(at.fast).toStrictEqual(at.general);
      const over = both(overLimit);
      expect(typeof over.general).toBe('string');
      expect(over.fast).toBeNull();
    });
  });
});
