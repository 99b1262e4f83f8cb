import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createBackend } from '../../src/main/api';
import { openCache, restoreWal, useRollbackJournal, type Db } from '../../src/main/db/connection';
import { typeBitOf } from '../../src/main/db/property-keys';
import { generateDemo } from '../../src/main/demo/generate';
import { importFile, type ImportOptions } from '../../src/main/ingest/import-file';
import { MAX_REPORTED_ERRORS } from '../../src/main/ingest/reports';
import { ApiError } from '../../src/shared/errors';
import type { ImportSummary } from '../../src/shared/types';
import { apiErrorOf, useTempCache, useTempDir } from './helpers';
import { cacheContent, counts, importWithBuiltCli, kvValue, scalar, withCache } from './ingest-helpers';

const tempCache = useTempCache();
const tempDir = useTempDir();

const BASE = Date.UTC(2024, 0, 1, 8, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();

/** Track call i: 7 event names, 40 users, one minute apart, with a messageId. */
function rec(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'track',
    event: `event_${i % 7}`,
    userId: `user_${i % 40}`,
    timestamp: iso(BASE + i * 60_000),
    messageId: `m-${i}`,
    properties: { i, plan: i % 2 === 0 ? 'free' : 'pro' },
    ...extra,
  };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, k) => from + k);
const ndjson = (records: unknown[]): string => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

function fileIn(dir: string, name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** imported + duplicates + rejected must account for every record. */
function expectAccounted(summary: ImportSummary, records: number): void {
  // Alias and group calls are neither imported nor duplicates: they store no event (docs/IMPORT.md, "Identity").
  expect(summary.imported + summary.duplicates + summary.rejected + (summary.details?.identityCalls ?? 0)).toBe(records);
  expect(summary.state).toBe('done');
}

function storedProperties(db: Db, eventId: string): unknown {
  const text = scalar<string | null | undefined>(db, 'SELECT properties FROM events WHERE event_id = ?', eventId);
  return text === undefined ? undefined : text === null ? null : JSON.parse(text);
}

function user(db: Db, id: string): { traits: Record<string, unknown>; first_seen: number; last_seen: number } | undefined {
  const row = db.prepare('SELECT traits, first_seen, last_seen FROM users WHERE id = ?').get(id) as
    | { traits: string; first_seen: number; last_seen: number }
    | undefined;
  return row && { ...row, traits: JSON.parse(row.traits) as Record<string, unknown> };
}

/** The property-key catalog as the cache holds it: "name.key" → type bits. */
function catalogKeys(db: Db): Record<string, number> {
  const rows = db
    .prepare('SELECT n.name, k.key, k.types FROM event_property_keys k JOIN event_names n USING (name_id)')
    .all() as { name: string; key: string; types: number }[];
  return Object.fromEntries(rows.map((r) => [`${r.name}.${r.key}`, r.types]));
}

/** The same catalog computed from the events actually stored. */
function storedKeys(db: Db): Record<string, number> {
  const out: Record<string, number> = {};
  const rows = db
    .prepare('SELECT n.name, e.properties FROM events e JOIN event_names n USING (name_id) WHERE e.name_id <> 0 AND e.properties IS NOT NULL')
    .all() as { name: string; properties: string }[];
  for (const row of rows) {
    const properties = JSON.parse(row.properties) as Record<string, unknown>;
    for (const key in properties) out[`${row.name}.${key}`] = (out[`${row.name}.${key}`] ?? 0) | typeBitOf(properties[key]);
  }
  return out;
}

/** Runs tests/unit/fixtures/import-run.ts (an import with the parser thread) in a child process. */
function importInChild(file: string, db: string, cancelAfterBatches?: number, parserRangeBytes?: number, bulkKeyLimit?: number): Promise<ImportSummary> {
  return new Promise((resolve, reject) => {
    const args = ['--import', './scripts/register-ts.mjs', 'tests/unit/fixtures/import-run.ts', file, db];
    if (cancelAfterBatches !== undefined) args.push(String(cancelAfterBatches));
    const env = {
      ...process.env,
      ...(parserRangeBytes === undefined ? {} : { PARSER_RANGE_BYTES: String(parserRangeBytes) }),
      ...(bulkKeyLimit === undefined ? {} : { BULK_KEY_LIMIT: String(bulkKeyLimit) }),
    };
    const child = spawn(process.execPath, args, { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`import-run exited ${code}: ${err}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) as string) as ImportSummary);
      } catch (e) {
        reject(new Error(`bad output ${out} ${err}: ${(e as Error).message}`));
      }
    });
  });
}


describe('importFile: formats, counts and line numbers', () => {
  it('NDJSON: counts every non-blank line once, with the physical line of each rejection', async () => {
    const { db } = tempCache();
    const dir = tempDir();
    const lines = [
      JSON.stringify(rec(1)), // 1
      JSON.stringify(rec(2)), // 2
      '', // 3 blank
      '{"type":"track", not json', // 4
      JSON.stringify(rec(3)), // 5
      '   \t', // 6 blank (whitespace)
      JSON.stringify(rec(1)), // 7 duplicate of line 1
      JSON.stringify({ type: 'track', event: 'x', timestamp: iso(BASE) }), // 8 no user
      JSON.stringify(rec(4)) + '\r', // 9, CRLF
      '', // 10 blank
      JSON.stringify(rec(5)), // 11, last line without a newline
    ];
    const path = fileIn(dir, 'events.ndjson', lines.join('\n'));
    const summary = await importFile(db, path);
    expectAccounted(summary, 8);
    expect(summary).toMatchObject({ imported: 5, duplicates: 1, rejected: 2, users: 5 });
    expect(summary.errors).toMatchObject([
      { line: 4, reason: expect.stringMatching(/^not valid JSON/) as unknown as string },
      { line: 8, reason: 'missing user: neither userId nor anonymousId is set' },
    ]);
    expect(counts(db)).toMatchObject({ records: 5, events: 5, users: 5, reports: 1 });
    expect(storedProperties(db, 'm-4')).toEqual({ i: 4, plan: 'free' });
  });

  it('NDJSON: a UTF-8 byte order mark before the first record does not make it a rejection', async () => {
    const { db } = tempCache();
    const path = fileIn(tempDir(), 'bom.ndjson', '\uFEFF' + ndjson([rec(1), rec(2)]));
    const summary = await importFile(db, path);
    expect(summary.errors).toEqual([]);
    expect(summary).toMatchObject({ imported: 2, duplicates: 0, rejected: 0 });
  });

  it('JSON array: errors carry the element index; a malformed element is rejected alone', async () => {
    const { db } = tempCache();
    const text = [
      '[',
      `  ${JSON.stringify(rec(1))},`, // element 1
      `  ${JSON.stringify(rec(2, { properties: { note: 'has } and ] and , and "quotes" inside' } }))},`, // 2
      '  {"type": "track", "event": },', // 3 malformed
      '  42,', // 4 not an object
      `  ${JSON.stringify(rec(1))},`, // 5 duplicate
      `  ${JSON.stringify({ type: 'subscribe', userId: 'u', timestamp: iso(BASE) })},`, // 6 unsupported
      `  ${JSON.stringify(rec(3))}`, // 7
      ']',
      '',
    ].join('\n');
    const path = fileIn(tempDir(), 'events.json', text);
    const summary = await importFile(db, path);
    expectAccounted(summary, 7);
    expect(summary).toMatchObject({ imported: 3, duplicates: 1, rejected: 3 });
    expect(summary.errors.map((e) => e.line)).toEqual([3, 4, 6]);
    expect(summary.errors[0]?.reason).toMatch(/^not valid JSON/);
    expect(summary.errors[1]?.reason).toBe('record is not a JSON object');
    expect(summary.errors[2]?.reason).toMatch(/^unsupported type "subscribe"/);
    expect(storedProperties(db, 'm-2')).toEqual({ note: 'has } and ] and , and "quotes" inside' });
  });

  it('JSON array: a file cut off before its closing "]" keeps the complete elements and says so', async () => {
    const { db } = tempCache();
    const path = fileIn(tempDir(), 'cut.json', `[${JSON.stringify(rec(1))},\n${JSON.stringify(rec(2))},\n{"type":"tra`);
    const summary = await importFile(db, path);
    expect(summary).toMatchObject({ imported: 2, rejected: 1 });
    expect(summary.errors).toHaveLength(1);
    expect(summary.errors[0]?.line).toBe(3);
  });

  it('JSON array: a file that ends after a complete element without "]" keeps every element and says so', async () => {
    const { db } = tempCache();
    const path = fileIn(tempDir(), 'cut.json', `[${JSON.stringify(rec(1))},\n${JSON.stringify(rec(2))}\n`);
    const summary = await importFile(db, path);
    expect(summary).toMatchObject({ imported: 2, rejected: 1 });
    expect(summary.errors[0]).toMatchObject({ line: 3 });
    expect(summary.errors[0]?.reason).toMatch(/ends without its closing "\]" after element 2/);
  });

  it('CSV: physical line numbers (the header is line 1 and is not a record), blank lines skipped', async () => {
    const { db } = tempCache();
    const text = [
      'type,event,userId,timestamp,messageId,properties.plan', // 1 header
      `track,open,u1,${iso(BASE)},c-1,pro`, // 2
      `track,open,u2,${iso(BASE + 1000)},c-2,free`, // 3
      '', // 4 blank
      `track,open,,${iso(BASE + 2000)},c-3,free`, // 5 no user
      `track,open,u3,${iso(BASE + 3000)},c-4`, // 6 too few cells
      `track,open,u1,${iso(BASE)},c-1,pro`, // 7 duplicate of 2
      `track,,u4,${iso(BASE + 4000)},c-5,free`, // 8 no event name
      `track,open,u4,2024-01-01T10:00:00,c-6,free`, // 9 no time zone: UTC, as warehouses mean it
      `track,open,u5,${iso(BASE + 5000)},c-7,growth`, // 10
      '',
    ].join('\n');
    const path = fileIn(tempDir(), 'events.csv', text);
    const summary = await importFile(db, path);
    expectAccounted(summary, 8);
    expect(summary).toMatchObject({ imported: 4, duplicates: 1, rejected: 3 });
    expect(summary.errors).toMatchObject([
      { line: 5, reason: 'missing user: neither userId nor anonymousId is set' },
      { line: 6, reason: 'row has 5 cells but the header has 6' },
      { line: 8, reason: 'track call without an event name' },
    ]);
    expect(scalar(db, "SELECT ts FROM events WHERE event_id = 'c-6'")).toBe(Date.UTC(2024, 0, 1, 10));
    expect(storedProperties(db, 'c-7')).toEqual({ plan: 'growth' });
  });

  it('surfaces every rejection reason with its line; blank lines are not records', async () => {
    const { db } = tempCache();
    const ts = iso(BASE);
    // A line of exactly 32,768 bytes of UTF-8 (4-byte emoji), and one of 32,769.
    const sized = (bytes: number): string => {
      const shell = (fill: string): string => JSON.stringify({ type: 'track', event: 'big', userId: 'u-big', timestamp: ts, properties: { s: fill } });
      const room = bytes - Buffer.byteLength(shell(''));
      const line = shell('😀'.repeat(Math.floor(room / 4)) + 'a'.repeat(room % 4));
      expect(Buffer.byteLength(line)).toBe(bytes);
      return line;
    };
    const lines: [string, RegExp | null][] = [
      [JSON.stringify(rec(1)), null], // 1
      ['[1, 2]', /^record is not a JSON object$/], // 2
      ['"a string"', /^record is not a JSON object$/], // 3
      ['{"type": "track"', /^not valid JSON/], // 4
      ['', null], // 5 blank: not a record
      [JSON.stringify({ type: 'track', event: 'e', timestamp: ts }), /^missing user/], // 6
      [JSON.stringify({ type: 'track', userId: 'u', timestamp: ts }), /^track call without an event name$/], // 7
      [JSON.stringify({ type: 'track', event: 'e', userId: 'u' }), /^missing timestamp: the record has no timestamp, originalTimestamp or receivedAt$/], // 8
      [JSON.stringify({ type: 'track', event: 'e', userId: 'u', timestamp: 'soon' }), /is not a date-time or an epoch number/], // 9
      [JSON.stringify({ type: 'track', event: 'e', userId: 'u', timestamp: '2024-01-01T08:00:00' }), null], // 10 no zone: UTC
      [JSON.stringify({ type: 'track', event: 'e', userId: 'u', timestamp: '2024-02-30T08:00:00Z' }), /is not a valid date and time/], // 11
      [JSON.stringify({ type: 'alias', userId: 'u', timestamp: ts }), /^alias call without a previousId$/], // 12
      [JSON.stringify({ type: 'group', userId: 'u', groupId: '  ', timestamp: ts }), /^group call without a groupId$/], // 13
      [JSON.stringify({ userId: 'u', timestamp: ts }), /^missing type/], // 14
      [JSON.stringify({ type: 'track', event: 'e', userId: 'u', timestamp: ts, properties: [1] }), /^properties must be an object$/], // 15
      [sized(32_768), null], // 16 exactly at the limit: accepted
      [sized(32_769), /^record is 32769 bytes of JSON, more than the 32768-byte limit$/], // 17
      ['   ', null], // 18 blank
      [JSON.stringify(rec(2)), null], // 19
    ];
    const path = fileIn(tempDir(), 'reasons.ndjson', lines.map(([l]) => l).join('\n') + '\n');
    const summary = await importFile(db, path);
    const expected = lines.map(([, reason], i) => ({ line: i + 1, reason })).filter((e) => e.reason !== null);
    expect(summary.errors.map((e) => e.line)).toEqual(expected.map((e) => e.line));
    summary.errors.forEach((error, k) => expect(error.reason, `line ${error.line}`).toMatch(expected[k]?.reason as RegExp));
    expect(summary).toMatchObject({ imported: 4, duplicates: 0, rejected: expected.length });
    expectAccounted(summary, lines.length - 2);
    expect(scalar(db, "SELECT count(*) FROM users WHERE id = 'u-big'")).toBe(1);
  });
});

describe('importFile: dedupe', () => {
  it('re-importing the same file adds nothing: every record is a duplicate', async () => {
    const { db } = tempCache();
    const path = fileIn(tempDir(), 'a.ndjson', ndjson(range(1, 300).map((i) => rec(i))));
    const first = await importFile(db, path);
    expect(first).toMatchObject({ imported: 300, duplicates: 0, rejected: 0 });
    const before = cacheContent(db);
    const second = await importFile(db, path);
    expect(second).toMatchObject({ imported: 0, duplicates: 300, rejected: 0, users: 40 });
    expect(cacheContent(db)).toEqual(before);
    expect(counts(db)).toEqual({ records: 300, events: 300, users: 40, reports: 2 });
  });

  it('overlapping files (1..1000 and 500..1500) give exactly 1,500 events', async () => {
    const { db, path: cachePath } = tempCache();
    const dir = tempDir();
    const a = await importFile(db, fileIn(dir, 'a.ndjson', ndjson(range(1, 1000).map((i) => rec(i)))));
    const b = await importFile(db, fileIn(dir, 'b.ndjson', ndjson(range(500, 1500).map((i) => rec(i)))));
    expect(a).toMatchObject({ imported: 1000, duplicates: 0 });
    expect(b).toMatchObject({ imported: 500, duplicates: 501, rejected: 0 });
    expect(counts(db)).toMatchObject({ records: 1500, events: 1500 });
    expect(scalar(db, 'SELECT count(DISTINCT event_id) FROM events')).toBe(1500);
    expect((await createBackend({ db, path: cachePath }).handlers.getStatus({})).events).toBe(1500);
    // The rollup counts each event once too.
    expect(scalar(db, 'SELECT sum(events) FROM event_daily')).toBe(1500);
  });

  it('a CSV file and an NDJSON file describing the same records without messageIds dedupe against each other', async () => {
    const dir = tempDir();
    const t = (k: number): number => BASE + k * 3_600_000;
    const records = [
      {
        type: 'track',
        event: 'report_run',
        userId: 'u1',
        timestamp: iso(t(1)),
        properties: { format: 'pdf', rows: 6, ratio: -0.5, flag: true, code: '007', filters: { range: { days: 30 } } },
      },
      { type: 'track', event: 'report_run', userId: 'u2', timestamp: iso(t(2)), properties: { format: 'csv', rows: 12 } },
      { type: 'page', userId: 'u1', timestamp: iso(t(3)), name: 'Pricing', properties: { path: '/pricing' } },
      { type: 'identify', userId: 'u1', timestamp: iso(t(4)), traits: { plan: 'growth', seats: 5, company: { name: 'Acme' } } },
      { type: 'track', event: 'logout', userId: 'u2', timestamp: iso(t(5)) },
    ];
    const header = [
      'type', 'event', 'userId', 'timestamp', 'name',
      'properties.format', 'properties.rows', 'ratio', 'properties.flag', 'properties.code', 'properties.filters.range.days',
      'properties.path', 'traits.plan', 'traits.seats', 'traits.company.name',
    ];
    const rows = [
      // Timestamps written differently (epoch ms, an offset) are the same instants.
      ['track', 'report_run', 'u1', String(t(1)), '', 'pdf', '6', '-0.5', 'true', '007', '30', '', '', '', ''],
      ['track', 'report_run', 'u2', new Date(t(2)).toISOString().replace('Z', '+00:00'), '', 'csv', '12', '', '', '', '', '', '', '', ''],
      ['page', '', 'u1', iso(t(3)), 'Pricing', '', '', '', '', '', '', '/pricing', '', '', ''],
      ['identify', '', 'u1', iso(t(4)), '', '', '', '', '', '', '', '', 'growth', '5', 'Acme'],
      ['track', 'logout', 'u2', iso(t(5)), '', '', '', '', '', '', '', '', '', '', ''],
    ];
    const csv = [header, ...rows].map((r) => r.join(',')).join('\r\n') + '\r\n';
    const ndjsonPath = fileIn(dir, 'twins.ndjson', ndjson(records));
    const csvPath = fileIn(dir, 'twins.csv', csv);

    const x = tempCache('x.db');
    expect(await importFile(x.db, ndjsonPath)).toMatchObject({ imported: 5, duplicates: 0, rejected: 0 });
    expect(await importFile(x.db, csvPath)).toMatchObject({ imported: 0, duplicates: 5, rejected: 0 });
    expect(counts(x.db)).toMatchObject({ records: 5, events: 4, users: 2 });

    const y = tempCache('y.db');
    expect(await importFile(y.db, csvPath)).toMatchObject({ imported: 5, duplicates: 0, rejected: 0 });
    expect(await importFile(y.db, ndjsonPath)).toMatchObject({ imported: 0, duplicates: 5, rejected: 0 });
    expect(cacheContent(y.db)).toEqual(cacheContent(x.db));
  });

  it('the same messageId with other content: the first record stays, the newcomer is a duplicate', async () => {
    const { db } = tempCache();
    const dir = tempDir();
    const first = rec(1, { messageId: 'same', properties: { plan: 'free', v: 1 } });
    const other = rec(1, { messageId: 'same', event: 'other', timestamp: iso(BASE + 86_400_000), properties: { plan: 'pro', v: 2 } });
    expect(await importFile(db, fileIn(dir, 'one.ndjson', ndjson([first])))).toMatchObject({ imported: 1, duplicates: 0 });
    expect(await importFile(db, fileIn(dir, 'two.ndjson', ndjson([other])))).toMatchObject({ imported: 0, duplicates: 1 });
    expect(storedProperties(db, 'same')).toEqual({ plan: 'free', v: 1 });
    expect(scalar(db, "SELECT n.name FROM events JOIN event_names n USING (name_id) WHERE event_id = 'same'")).toBe('event_1');
    expect(scalar(db, "SELECT ts FROM events WHERE event_id = 'same'")).toBe(BASE + 60_000);
    // The duplicate did not move the user's last seen either.
    expect(user(db, 'user_1')?.last_seen).toBe(BASE + 60_000);

    // Within one file too: the first occurrence wins.
    const other2 = tempCache('b.db');
    const both = await importFile(other2.db, fileIn(dir, 'both.ndjson', ndjson([other, first])));
    expect(both).toMatchObject({ imported: 1, duplicates: 1 });
    expect(storedProperties(other2.db, 'same')).toEqual({ plan: 'pro', v: 2 });
  });

  it("a duplicate's own properties do not enter the property-key catalog", async () => {
    const { db } = tempCache();
    const dir = tempDir();
    await importFile(db, fileIn(dir, 'one.ndjson', ndjson([rec(1, { messageId: 'k', properties: { plan: 'free' } })])));
    // The newcomer shares the messageId (a duplicate, not stored) but carries other keys and types.
    await importFile(db, fileIn(dir, 'two.ndjson', ndjson([rec(1, { messageId: 'k', properties: { plan: 5, color: 'red' } })])));
    expect(storedKeys(db)).toEqual({ 'event_1.plan': 1 });
    expect(catalogKeys(db)).toEqual(storedKeys(db));
    const catalog = await createBackend({ db, path: '' }).handlers.listEventCatalog({});
    expect(catalog.find((e) => e.name === 'event_1')?.properties).toEqual([{ key: 'plan', types: ['string'] }]);
  });
});

describe('importFile: users', () => {
  const identify = (userId: string, ts: number, traits: Record<string, unknown>): Record<string, unknown> => ({
    type: 'identify',
    userId,
    timestamp: iso(ts),
    traits,
  });

  it('identify merges traits key by key; the later timestamp wins even when it arrives first', async () => {
    const { db } = tempCache();
    const dir = tempDir();
    const t1 = BASE + 1000;
    const t2 = BASE + 2000;
    await importFile(
      db,
      fileIn(dir, 'ooo.ndjson', ndjson([identify('alice', t2, { plan: 'growth' }), identify('alice', t1, { plan: 'free', role: 'admin' })])),
    );
    expect(user(db, 'alice')?.traits).toEqual({ plan: 'growth', role: 'admin' });

    // The same across two imports: the cache remembers when each trait was set.
    const other = tempCache('b.db');
    await importFile(other.db, fileIn(dir, 'late.ndjson', ndjson([identify('bob', t2, { plan: 'growth' })])));
    await importFile(other.db, fileIn(dir, 'early.ndjson', ndjson([identify('bob', t1, { plan: 'free', role: 'admin' })])));
    expect(user(other.db, 'bob')?.traits).toEqual({ plan: 'growth', role: 'admin' });
    // A later identify overrides only the keys it carries.
    await importFile(other.db, fileIn(dir, 'later.ndjson', ndjson([identify('bob', t2 + 1, { role: 'member', country: 'FR' })])));
    expect(user(other.db, 'bob')?.traits).toEqual({ plan: 'growth', role: 'member', country: 'FR' });
  });

  it("first_seen and last_seen span all of a user's records, identify calls included", async () => {
    const { db } = tempCache();
    const dir = tempDir();
    await importFile(
      db,
      fileIn(
        dir,
        'seen.ndjson',
        ndjson([
          rec(0, { userId: 'carol', timestamp: iso(BASE + 5000), messageId: 'c1' }),
          identify('carol', BASE + 9000, { plan: 'pro' }),
          rec(0, { userId: 'carol', timestamp: iso(BASE + 3000), messageId: 'c2' }),
          identify('dave', BASE + 100, { plan: 'free' }),
          rec(0, { userId: 'dave', timestamp: iso(BASE + 700), messageId: 'd1' }),
        ]),
      ),
    );
    expect(user(db, 'carol')).toMatchObject({ first_seen: BASE + 3000, last_seen: BASE + 9000 });
    expect(user(db, 'dave')).toMatchObject({ first_seen: BASE + 100, last_seen: BASE + 700 });
    // A second file widens the span on both ends.
    await importFile(
      db,
      fileIn(dir, 'more.ndjson', ndjson([identify('carol', BASE + 1000, { x: 1 }), rec(0, { userId: 'carol', timestamp: iso(BASE + 20_000), messageId: 'c3' })])),
    );
    expect(user(db, 'carol')).toMatchObject({ first_seen: BASE + 1000, last_seen: BASE + 20_000, traits: { plan: 'pro', x: 1 } });
  });
});

describe('importFile: CSV details', () => {
  for (const eol of ['\r\n', '\n'] as const) {
    it(`quoted commas, quotes and embedded newlines keep the right line numbers (${eol === '\r\n' ? 'CRLF' : 'LF'})`, async () => {
      const { db } = tempCache();
      const rows = [
        'type,event,userId,timestamp,messageId,properties.note', // 1
        `track,a,u1,${iso(BASE)},q-1,"hello, world"`, // 2
        `track,b,u1,${iso(BASE + 1)},q-2,"multi${eol}line${eol}note"`, // 3-5
        `track,c,,${iso(BASE + 2)},q-3,x`, // 6: no user
        `track,d,u1,${iso(BASE + 3)},q-4,"a ""quoted"" word, and a comma"`, // 7
        `track,e,u1,not-a-time,q-5,y`, // 8: bad timestamp
        `track,f,u1,${iso(BASE + 4)},q-6,"two${eol}${eol}blank, lines${eol}inside"`, // 9-12
        `track,g,u1,,q-7,z`, // 13: no timestamp
        `track,h,u1,${iso(BASE + 5)},q-8,"last"`, // 14
      ];
      const path = fileIn(tempDir(), 'quoted.csv', rows.join(eol) + eol);
      const summary = await importFile(db, path);
      expectAccounted(summary, 8);
      expect(summary).toMatchObject({ imported: 5, rejected: 3 });
      expect(summary.errors.map((e) => e.line)).toEqual([6, 8, 13]);
      expect(summary.errors.map((e) => e.reason)).toEqual([
        'missing user: neither userId nor anonymousId is set',
        'timestamp "not-a-time" is not a date-time or an epoch number (time fields: timestamp)',
        'missing timestamp: the record has no timestamp, originalTimestamp or receivedAt',
      ]);
      expect(storedProperties(db, 'q-1')).toEqual({ note: 'hello, world' });
      expect(storedProperties(db, 'q-2')).toEqual({ note: `multi${eol}line${eol}note` });
      expect(storedProperties(db, 'q-4')).toEqual({ note: 'a "quoted" word, and a comma' });
      expect(storedProperties(db, 'q-6')).toEqual({ note: `two${eol}${eol}blank, lines${eol}inside` });
      expect(storedProperties(db, 'q-8')).toEqual({ note: 'last' });
    });
  }

  it('a quote never closed stops the CSV there, with one rejection at the line where the broken row starts', async () => {
    const { db } = tempCache();
    const rows = [
      'type,event,userId,timestamp,messageId,properties.note', // 1
      `track,a,u1,${iso(BASE)},u-1,fine`, // 2
      `track,b,u1,${iso(BASE + 1)},u-2,"never closed`, // 3
      `track,c,u1,${iso(BASE + 2)},u-3,swallowed`, // 4
    ];
    const summary = await importFile(db, fileIn(tempDir(), 'unclosed.csv', rows.join('\n') + '\n'));
    expect(summary).toMatchObject({ imported: 1, rejected: 1 });
    expect(summary.errors).toHaveLength(1);
    expect(summary.errors[0]?.line).toBe(3);
    expect(summary.errors[0]?.reason).toMatch(/^the CSV cannot be read past this line/);
  });

  it('types cells: canonical numbers and true/false become JSON values, everything else stays text, empty is absent', async () => {
    const { db } = tempCache();
    const header = 'type,event,userId,timestamp,messageId,properties.v,properties.a.b,properties.a.c,plain';
    const cells: [string, unknown][] = [
      ['6', 6],
      ['007', '007'],
      ['1.50', '1.50'],
      ['1e3', '1e3'],
      ['-0.5', -0.5],
      ['1.5', 1.5],
      ['0', 0],
      ['-0', '-0'],
      ['true', true],
      ['false', false],
      ['TRUE', 'TRUE'],
      [' 6', ' 6'],
      ['12345678901234567890', '12345678901234567890'],
    ];
    const rows = cells.map(([cell], k) => `track,typed,u1,${iso(BASE + k)},t-${k},${JSON.stringify(cell)},x${k},${k},p${k}`);
    rows.push(`track,typed,u1,${iso(BASE + 100)},t-empty,,,,`);
    const path = fileIn(tempDir(), 'typed.csv', [header, ...rows].join('\n') + '\n');
    const summary = await importFile(db, path);
    expect(summary).toMatchObject({ imported: cells.length + 1, rejected: 0 });
    cells.forEach(([cell, value], k) => {
      expect(storedProperties(db, `t-${k}`), cell).toEqual({ v: value, a: { b: `x${k}`, c: k }, plain: `p${k}` });
    });
    // Empty cells leave their keys out: no properties at all here.
    expect(storedProperties(db, 't-empty')).toBeNull();
  });
});

describe('importFile: refused before anything is written', () => {
  const refusedCases: [string, (dir: string) => string, RegExp][] = [
    ['an empty file', (dir) => fileIn(dir, 'empty.ndjson', ''), /is empty/],
    ['a whitespace-only file', (dir) => fileIn(dir, 'blank.csv', '  \n\r\n\t \n'), /is empty/],
    [
      'a PNG image',
      (dir) => {
        const png = Buffer.concat([
          Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
          Buffer.from([0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x10, 0x08, 0x06]),
          Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 73 + 11) % 256)),
        ]);
        return fileIn(dir, 'events.png', png);
      },
      /binary file/,
    ],
    [
      'a text file that is not events',
      (dir) => fileIn(dir, 'notes.txt', 'Meeting notes\nWe talked about personas, segments and onboarding.\nNext steps: send the deck.\n'),
      /does not look like CSV events/,
    ],
    [
      'JSON lines without Segment fields',
      (dir) => fileIn(dir, 'config.ndjson', '{"name": "guidepost", "version": "1.0.0"}\n{"name": "other"}\n'),
      /does not look like NDJSON events/,
    ],
    ['a missing file', (dir) => join(dir, 'nope.ndjson'), /no such file/],
  ];
  for (const [label, make, message] of refusedCases) {
    it(`refuses ${label} with an ApiError and leaves the cache empty`, async () => {
      const { db } = tempCache();
      const path = make(tempDir());
      const err = await apiErrorOf(importFile(db, path));
      expect(err.code).toBe('invalid_argument');
      expect(err.message).toMatch(message);
      expect(counts(db)).toEqual({ records: 0, events: 0, users: 0, reports: 0 });
      expect(scalar(db, 'SELECT count(*) FROM kv')).toBe(0);
      expect(db.inTransaction).toBe(false);
    });
  }
});

describe('importFile: reports, modes and "data as of"', () => {
  it('saves the report with at most 1,000 errors when there are more rejections', async () => {
    const { db, path: cachePath } = tempCache();
    const lines: string[] = [];
    for (let i = 1; i <= 1300; i++) {
      // Lines 1..1200 are bad in alternating ways, 1201..1300 good.
      if (i <= 1200) lines.push(i % 2 === 0 ? `{bad json ${i}` : JSON.stringify({ type: 'track', event: 'e', userId: `u${i}` }));
      else lines.push(JSON.stringify(rec(i)));
    }
    const file = fileIn(tempDir(), 'bad.ndjson', lines.join('\n') + '\n');
    const summary = await importFile(db, file, { clock: () => 1_700_000_000_000 });
    expect(summary).toMatchObject({ imported: 100, duplicates: 0, rejected: 1200 });
    expect(summary.errors).toHaveLength(MAX_REPORTED_ERRORS);
    expect(summary.errors[0]).toMatchObject({ line: 1, reason: 'missing timestamp: the record has no timestamp, originalTimestamp or receivedAt' });
    expect(summary.errors.at(-1)?.line).toBe(1000);

    const row = db.prepare('SELECT * FROM import_reports WHERE id = ?').get(summary.reportId) as Record<string, unknown>;
    expect(row).toMatchObject({
      kind: 'file',
      source: file,
      format: 'ndjson',
      state: 'done',
      imported: 100,
      duplicates: 0,
      rejected: 1200,
      users: 40,
      started_at: 1_700_000_000_000,
    });
    const errors = JSON.parse(row.errors as string) as { line: number; reason: string }[];
    expect(errors).toHaveLength(1000);
    expect(errors.slice(0, 2)).toEqual([
      { line: 1, reason: 'missing timestamp: the record has no timestamp, originalTimestamp or receivedAt', excerpt: lines[0] },
      { line: 2, reason: expect.stringMatching(/^not valid JSON/) as unknown as string, excerpt: '{bad json 2' },
    ]);
    expect(row.bytes).toBe(Buffer.byteLength(lines.join('\n') + '\n'));

    const report = await createBackend({ db, path: cachePath }).handlers.getImportReport({ id: summary.reportId });
    expect(report.errors).toEqual(errors);
    expect(report.rejected).toBe(1200);
  });

  it('bulk mode falling back to indexed mode mid-import gives the same result, and the indexes exist afterwards', async () => {
    const dir = tempDir();
    const records: Record<string, unknown>[] = [];
    for (let i = 1; i <= 1000; i++) {
      if (i % 10 === 0) records.push({ type: 'identify', userId: `user_${i % 40}`, timestamp: iso(BASE + (1000 - i) * 1000), traits: { n: i, tier: i % 3 } });
      else records.push(rec(i));
    }
    // Late duplicates of early records, which were keyed while still in bulk mode.
    for (let i = 1; i <= 50; i++) records.push(rec(i));
    for (let i = 1; i <= 20; i++) records.push(rec(i, { properties: { changed: true } }));
    // Without messageIds: derived ids.
    for (let i = 1; i <= 30; i++) records.push({ type: 'track', event: 'plain', userId: `p${i % 3}`, timestamp: BASE + i });
    for (let i = 1; i <= 30; i++) records.push({ type: 'track', event: 'plain', userId: `p${i % 3}`, timestamp: BASE + i });
    const file = fileIn(dir, 'many.ndjson', ndjson(records));

    const normal = tempCache('normal.db');
    const fallback = tempCache('fallback.db');
    const options: ImportOptions = { clock: () => 0 };
    const a = await importFile(normal.db, file, options);
    const b = await importFile(fallback.db, file, { ...options, mode: 'indexed' });
    // Bulk mode that outgrows its in-memory key set halfway and carries on with the key index.
    const switched = tempCache('switched.db');
    const c = await importFile(switched.db, file, { ...options, mode: 'bulk', bulkKeyLimit: 500 });
    // 900 track calls + 100 identify calls; the 50 repeats add m-10..m-50 (those i were identify calls) and
    // duplicate 45; the 20 changed repeats and the 30 repeated plain calls are duplicates.
    expect(a).toMatchObject({ imported: 1035, duplicates: 95, rejected: 0 });
    expect({ ...b, reportId: 0 }).toEqual({ ...a, reportId: 0 });
    expect({ ...c, reportId: 0 }).toEqual({ ...a, reportId: 0 });
    expect(cacheContent(fallback.db)).toEqual(cacheContent(normal.db));
    expect(cacheContent(switched.db)).toEqual(cacheContent(normal.db));

    const indexes = (db: Db): string[] =>
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL ORDER BY name").pluck().all() as string[];
    expect(indexes(fallback.db)).toEqual(['events_by_key', 'events_by_name_user_ts']);
    expect(indexes(normal.db)).toEqual(['events_by_key', 'events_by_name_user_ts']);
    expect(indexes(switched.db)).toEqual(['events_by_key', 'events_by_name_user_ts']);
    expect(switched.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(fallback.db.pragma('integrity_check', { simple: true })).toBe('ok');
    // And the unique index holds afterwards: importing again adds nothing.
    expect(await importFile(fallback.db, file, { mode: 'indexed' })).toMatchObject({ imported: 0, duplicates: 1130 });
    expect(counts(fallback.db)).toMatchObject({ records: 1035 });
  });

  it('bulk mode drops the events indexes for the load (the dedupe runs in memory) and rebuilds them after it', async () => {
    const { db } = tempCache();
    // Several 1 MB chunks of records, so there are several batches and checkpoints.
    const file = fileIn(tempDir(), 'thirty-thousand.ndjson', ndjson(range(1, 30_000).map((i) => rec(i))));
    const has = (name: string): boolean => scalar(db, `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = '${name}'`) === 1;
    const seen: [boolean, boolean][] = [];
    const summary = await importFile(db, file, {
      mode: 'bulk',
      // Between batches, inside the import's transaction: which events indexes are there?
      checkpoint: async () => {
        seen.push([has('events_by_key'), has('events_by_name_user_ts')]);
      },
    });
    expect(summary).toMatchObject({ imported: 30_000, duplicates: 0 });
    expect(seen.length, JSON.stringify(seen)).toBeGreaterThan(2);
    expect(seen.every(([key, name]) => !key && !name), JSON.stringify(seen)).toBe(true);
    expect(has('events_by_key') && has('events_by_name_user_ts')).toBe(true);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('a bulk import writes through a rollback journal when it holds the only connection, and leaves the cache in WAL', async () => {
    const { db, path: cachePath } = tempCache();
    const file = fileIn(tempDir(), 'journal.ndjson', ndjson(range(1, 3_000).map((i) => rec(i))));
    const modes: string[] = [];
    const journalMode = (): string => String(db.pragma('journal_mode', { simple: true }));
    const alone = await importFile(db, file, { mode: 'bulk', checkpoint: async () => void modes.push(journalMode()) });
    expect(alone.imported).toBe(3_000);
    expect(modes.length).toBeGreaterThan(0);
    expect(new Set(modes)).toEqual(new Set(['delete']));
    expect(journalMode()).toBe('wal');
    expect(existsSync(`${cachePath}-journal`)).toBe(false);

    // Another connection to the file: the import stays in WAL, so that reader is never locked out.
    const other = openCache(cachePath).db;
    try {
      modes.length = 0;
      const second = fileIn(tempDir(), 'journal-2.ndjson', ndjson(range(2_001, 4_000).map((i) => rec(i))));
      const shared = await importFile(db, second, {
        mode: 'bulk',
        checkpoint: async () => {
          modes.push(journalMode());
          // The other connection reads while the import's transaction is open.
          expect(scalar(other, 'SELECT count(*) FROM events')).toBe(3_000);
        },
      });
      expect(shared).toMatchObject({ imported: 1_000, duplicates: 1_000 });
      expect(new Set(modes)).toEqual(new Set(['wal']));
      expect(scalar(other, 'SELECT count(*) FROM events')).toBe(4_000);
    } finally {
      other.close();
    }
    expect(journalMode()).toBe('wal');
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('switching back to WAL waits for a reader in another process without failing the import, and happens at the next chance', () => {
    const { db, path: cachePath } = tempCache();
    const journalMode = (): string => String(db.pragma('journal_mode', { simple: true }));
    const restore = useRollbackJournal(db);
    expect(restore).not.toBeNull();
    expect(journalMode()).toBe('delete');
    // Durable under a rollback journal while it lasts.
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    // Another process starts reading between the import's commit and its switch back.
    const reader = new Database(cachePath);
    db.pragma('busy_timeout = 0');
    try {
      reader.exec('BEGIN');
      reader.prepare('SELECT count(*) FROM events').get();
      expect(() => restore?.()).not.toThrow();
      expect(journalMode()).toBe('delete');
      expect(db.pragma('synchronous', { simple: true })).toBe(1);
      reader.exec('COMMIT');
    } finally {
      reader.close();
    }
    // The next import switches it back first, then uses the rollback journal again.
    expect(restoreWal(db)).toBe(true);
    expect(journalMode()).toBe('wal');
    const again = useRollbackJournal(db);
    expect(journalMode()).toBe('delete');
    again?.();
    expect(journalMode()).toBe('wal');
    expect(restoreWal(db)).toBe(true);
  });

  it('an import into a cache holding the demo dedupes against the demo events', async () => {
    const { db } = tempCache();
    await generateDemo(db, { users: 500, now: BASE });
    const before = counts(db);
    // The demo's own records, exported as Segment calls with their ids as messageIds.
    const demoRows = db
      .prepare(
        `SELECT e.event_id, u.id AS user, n.name, e.ts, e.properties FROM events e
           JOIN users u USING (user_pk) JOIN event_names n USING (name_id)
          ORDER BY e.event_pk LIMIT 300`,
      )
      .all() as { event_id: string; user: string; name: string; ts: number; properties: string | null }[];
    expect(demoRows.some((r) => r.name === '')).toBe(true);
    const exported = demoRows.map((r) =>
      r.name === ''
        ? { type: 'identify', messageId: r.event_id, userId: r.user, timestamp: r.ts, traits: r.properties ? JSON.parse(r.properties) : undefined }
        : { type: 'track', messageId: r.event_id, userId: r.user, event: r.name, timestamp: r.ts, properties: r.properties ? JSON.parse(r.properties) : undefined },
    );
    const fresh = range(1, 40).map((i) => rec(i, { userId: 'u_00001' }));
    const file = fileIn(tempDir(), 'demo-overlap.ndjson', ndjson([...exported, ...fresh]));
    const summary = await importFile(db, file);
    expect(summary).toMatchObject({ imported: 40, duplicates: 300, rejected: 0 });
    expect(counts(db)).toMatchObject({ records: before.records + 40, events: before.events + 40, users: before.users });
    expect(scalar(db, 'SELECT count(DISTINCT event_id) FROM events')).toBe(scalar(db, 'SELECT count(*) FROM events'));
  });

  it('an import into a cache holding the demo dedupes its own records on a second run', async () => {
    const { db } = tempCache();
    await generateDemo(db, { users: 500, now: BASE });
    const before = counts(db);
    const file = fileIn(tempDir(), 'extra.ndjson', ndjson(range(1, 200).map((i) => rec(i, { userId: `u_${String((i % 500) + 1).padStart(5, '0')}` }))));
    expect(await importFile(db, file)).toMatchObject({ imported: 200, duplicates: 0 });
    const after = cacheContent(db);
    expect(await importFile(db, file)).toMatchObject({ imported: 0, duplicates: 200 });
    expect(cacheContent(db)).toEqual(after);
    expect(counts(db)).toMatchObject({ records: before.records + 200, events: before.events + 200, users: 500 });
  });

  it('moves "data as of" to the newest record, never back', async () => {
    const { db, path: cachePath } = tempCache();
    const dir = tempDir();
    const { handlers } = createBackend({ db, path: cachePath });
    expect((await handlers.getStatus({})).dataAsOf).toBeNull();

    // The newest record sits in the middle of the file.
    const records = [rec(5), rec(90, { timestamp: iso(BASE + 90 * 60_000 + 123) }), rec(7)];
    await importFile(db, fileIn(dir, 'a.ndjson', ndjson(records)));
    expect(await handlers.getStatus({})).toMatchObject({ dataAsOf: BASE + 90 * 60_000 + 123, dataAsOfSource: 'import' });
    expect(kvValue(db, 'data_as_of')).toBe(String(BASE + 90 * 60_000 + 123));

    // An older file leaves it; a newer one moves it.
    await importFile(db, fileIn(dir, 'old.ndjson', ndjson([rec(1), rec(2)])));
    expect((await handlers.getStatus({})).dataAsOf).toBe(BASE + 90 * 60_000 + 123);
    await importFile(db, fileIn(dir, 'new.ndjson', ndjson([rec(500)])));
    expect(await handlers.getStatus({})).toMatchObject({ dataAsOf: BASE + 500 * 60_000, dataAsOfSource: 'import' });
    // Duplicates alone do not move it.
    await importFile(db, fileIn(dir, 'dup.ndjson', ndjson([rec(500)])));
    expect((await handlers.getStatus({})).dataAsOf).toBe(BASE + 500 * 60_000);
  });
});

describe('importFile: with the parser thread, as the app and the CLI run it', () => {
  function mixedFile(dir: string, n: number): string {
    const lines: string[] = [];
    for (let i = 1; i <= n; i++) {
      if (i % 97 === 0) lines.push('{broken');
      else if (i % 13 === 0) lines.push(JSON.stringify({ type: 'identify', userId: `user_${i % 40}`, timestamp: iso(BASE + i), traits: { n: i, plan: ['a', 'b'][i % 2] } }));
      else if (i % 11 === 0) lines.push(JSON.stringify({ type: 'page', userId: `user_${i % 40}`, timestamp: BASE + i, name: `P${i % 3}`, properties: { path: `/${i % 5}` } }));
      else if (i % 50 === 0) lines.push(JSON.stringify(rec(i - 1)));
      else lines.push(JSON.stringify(rec(i, { properties: { i, ['k' + (i % 9)]: i % 4 === 0 ? 'text' : i } })));
    }
    return fileIn(dir, 'mixed.ndjson', lines.join('\n') + '\n');
  }

  it('gives the same summary and the same cache content as inline parsing', async () => {
    const dir = tempDir();
    const file = mixedFile(dir, 7000);
    const inline = tempCache('inline.db');
    const a = await importFile(inline.db, file);
    const threadedPath = join(dir, 'threaded.db');
    const b = await importInChild(file, threadedPath);
    expect(a.rejected).toBe(72);
    expect({ ...b, ms: 0, reportId: 0 }).toEqual({ ...a, ms: 0, reportId: 0 });
    const content = withCache(threadedPath, (db) => ({ content: cacheContent(db), catalog: catalogKeys(db) }));
    expect(content.content).toEqual(cacheContent(inline.db));
    expect(content.catalog).toEqual(catalogKeys(inline.db));
  }, 60_000);

  it('short records: batches fill up within one chunk of text and the next batch takes the rest of it', async () => {
    const dir = tempDir();
    // ~100 bytes a record: a 1 MB chunk holds more records than a batch (8,192), so batches end mid-chunk.
    const lines: string[] = [];
    for (let i = 1; i <= 20_000; i++) {
      const record = { type: 'track', messageId: `m${i}`, userId: `u${i % 7}`, event: 'e', timestamp: iso(BASE + i), properties: i % 3 === 0 ? {} : { i } };
      // Now and then a record the general path prepares, between the fast ones of the same chunk.
      lines.push(i % 1000 === 0 ? JSON.stringify(record, null, 1).replace(/\n/g, '') : JSON.stringify(record));
    }
    const file = fileIn(dir, 'short.ndjson', `${lines.join('\n')}\n`);
    const inline = tempCache('inline.db');
    const a = await importFile(inline.db, file);
    expect(a.imported).toBe(20_000);
    const threadedPath = join(dir, 'threaded.db');
    const b = await importInChild(file, threadedPath);
    expect({ ...b, ms: 0, reportId: 0 }).toEqual({ ...a, ms: 0, reportId: 0 });
    expect(withCache(threadedPath, (db) => cacheContent(db))).toEqual(cacheContent(inline.db));
  }, 60_000);

  it('two parser threads taking ranges turn about give what inline parsing gives: lines, duplicates, first wins', async () => {
    const dir = tempDir();
    const lines: string[] = [];
    for (let i = 1; i <= 3000; i++) {
      if (i % 97 === 0) lines.push('{broken');
      else if (i % 89 === 0) lines.push('');
      else if (i % 83 === 0) lines.push(JSON.stringify(rec(i, { properties: { long: 'x'.repeat(5000) } })));
      // Repeats of earlier messageIds with other content, often from another range: the first stays.
      else if (i % 31 === 0) lines.push(JSON.stringify(rec(i - 29, { properties: { repeat: i } })));
      else if (i % 13 === 0) lines.push(JSON.stringify({ type: 'identify', userId: `user_${i % 40}`, timestamp: iso(BASE + i), traits: { n: i } }));
      else lines.push(JSON.stringify(rec(i, { properties: { i, ['k' + (i % 9)]: i % 4 === 0 ? 'text' : i } })));
    }
    // A byte order mark, CRLF line ends and no newline after the last line.
    const file = fileIn(dir, 'ranges.ndjson', `\uFEFF${lines.join('\r\n')}`);
    const inline = tempCache('inline.db');
    const a = await importFile(inline.db, file);
    const threadedPath = join(dir, 'threaded.db');
    // About 2 KB ranges: the file's 300 KB become well over a hundred ranges, some inside one long line.
    const b = await importInChild(file, threadedPath, undefined, 2000);
    expect(a.rejected).toBe(30);
    expect(a.errors.map((e) => e.line)).toEqual(range(1, 3000).filter((i) => i % 97 === 0));
    expect({ ...b, ms: 0, reportId: 0 }).toEqual({ ...a, ms: 0, reportId: 0 });
    const content = withCache(threadedPath, (db) => ({ content: cacheContent(db), catalog: catalogKeys(db) }));
    expect(content.content).toEqual(cacheContent(inline.db));
    expect(content.catalog).toEqual(catalogKeys(inline.db));
    // The same with the bulk writer turning to the key index within a batch of the threads' columns.
    const switchingPath = join(dir, 'switching.db');
    const c = await importInChild(file, switchingPath, undefined, 2000, 777);
    expect({ ...c, ms: 0, reportId: 0 }).toEqual({ ...a, ms: 0, reportId: 0 });
    const switched = withCache(switchingPath, (db) => ({ content: cacheContent(db), catalog: catalogKeys(db) }));
    expect(switched.content).toEqual(cacheContent(inline.db));
    expect(switched.catalog).toEqual(catalogKeys(inline.db));

    // Cancelled while both threads are busy: both stop, and what was kept is consistent.
    const cancelledPath = join(dir, 'cancelled.db');
    const cancelled = await importInChild(file, cancelledPath, 3, 2000);
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.imported).toBeGreaterThan(0);
    expect(cancelled.imported).toBeLessThan(a.imported);
    withCache(cancelledPath, (db) => {
      expect(counts(db).records).toBe(cancelled.imported);
      expect(catalogKeys(db)).toEqual(storedKeys(db));
    });
  }, 60_000);

  it('more users than a parser thread numbers at once: its dictionary starts over between batches, nothing is lost', async () => {
    const dir = tempDir();
    // 240,000 records of 120,000 users, each user twice, far apart: the threads' 100,000-entry user
    // dictionaries start over mid-file, and the second record of a user must find the same user_pk.
    const lines = range(1, 240_000).map((i) => JSON.stringify({ type: 'track', messageId: `m${i}`, userId: `person-${i % 120_000}`, event: 'e', timestamp: BASE + i }));
    const file = fileIn(dir, 'many-users.ndjson', `${lines.join('\n')}\n`);
    const threadedPath = join(dir, 'threaded.db');
    const summary = await importInChild(file, threadedPath, undefined, 256 * 1024);
    expect(summary).toMatchObject({ imported: 240_000, users: 120_000, rejected: 0 });
    withCache(threadedPath, (db) => {
      expect(scalar(db, 'SELECT count(*) FROM users WHERE first_seen = ? AND last_seen = ?', BASE + 120_000, BASE + 240_000)).toBe(1);
      expect(scalar(db, 'SELECT count(*) FROM (SELECT user_pk FROM events GROUP BY user_pk HAVING count(*) = 2)')).toBe(120_000);
    });
  }, 60_000);

  it('events that each carry a new property key: shapes are forgotten and keys written along the way, and the catalog holds exactly the stored keys', async () => {
    const dir = tempDir();
    const lines: string[] = [];
    for (let i = 1; i <= 60_000; i++) {
      lines.push(JSON.stringify({ type: 'track', messageId: `k${i}`, userId: `u${i % 50}`, event: 'viewed', timestamp: BASE + i, properties: { [`key_${i}`]: i } }));
      // A duplicate (same messageId, other content) with a key of its own: that key must not enter the catalog.
      if (i % 1000 === 0) lines.push(JSON.stringify({ type: 'track', messageId: `k${i}`, userId: 'u0', event: 'viewed', timestamp: BASE, properties: { [`dup_${i}`]: true } }));
    }
    const file = fileIn(dir, 'new-keys.ndjson', `${lines.join('\n')}\n`);
    const threadedPath = join(dir, 'threaded.db');
    const summary = await importInChild(file, threadedPath, undefined, 256 * 1024);
    expect(summary).toMatchObject({ imported: 60_000, duplicates: 60 });
    withCache(threadedPath, (db) => {
      expect(scalar(db, "SELECT count(*) FROM event_property_keys WHERE key LIKE 'key\\_%' ESCAPE '\\'")).toBe(60_000);
      expect(scalar(db, "SELECT count(*) FROM event_property_keys WHERE key LIKE 'dup%'")).toBe(0);
    });
  }, 60_000);

  it('a cancelled import keeps the property keys of the events it kept (inline and with the parser thread)', async () => {
    const dir = tempDir();
    const file = mixedFile(dir, 9000);
    // Inline: cancel at the checkpoint after the first batch.
    const inline = tempCache('inline.db');
    let batches = 0;
    const a = await importFile(inline.db, file, {
      checkpoint: async () => {
        batches += 1;
        if (batches >= 1) throw new ApiError('cancelled', 'stop');
      },
    });
    expect(a.state).toBe('cancelled');
    expect(a.imported).toBeGreaterThan(0);
    expect(counts(inline.db).events).toBeGreaterThan(0);
    expect(catalogKeys(inline.db)).toEqual(storedKeys(inline.db));

    const threadedPath = join(dir, 'threaded.db');
    const b = await importInChild(file, threadedPath, 1);
    expect(b.state).toBe('cancelled');
    expect(b.imported).toBe(a.imported);
    withCache(threadedPath, (db) => {
      expect(Object.keys(storedKeys(db)).length).toBeGreaterThan(0);
      expect(catalogKeys(db)).toEqual(storedKeys(db));
    });
  }, 60_000);
});

describe('importFile: memory', () => {
  /**
   * Writes an NDJSON file of about `megabytes` MB quickly; returns the record count. Records take the
   * parser's fast path, and what it keeps past a record appears all through the file: a user id of its
   * own on every fifth record, and a new property key every 5,000 records (kept views into the reader's
   * chunks once held every chunk in memory and ran a parser thread out of heap).
   */
  function generateNdjson(path: string, megabytes: number): number {
    const fd = openSync(path, 'w');
    let bytes = 0;
    let i = 0;
    try {
      while (bytes < megabytes * 1_048_576) {
        const lines: string[] = [];
        for (let k = 0; k < 5000; k++, i++) {
          lines.push(
            `{"type":"track","event":"event_${i % 23}","userId":"${i % 5 === 0 ? `visitor-${String(i).padStart(9, '0')}` : `user_${i % 3000}`}",` +
              `"messageId":"mem-${i}","timestamp":"${iso(BASE + i * 1000)}","properties":{"plan":"${i % 3 === 0 ? 'growth' : 'starter'}",` +
              `"seats":${i % 50},"path":"/projects/${i % 977}/board","flag_${Math.floor(i / 5000)}":true,"note":"lorem ipsum dolor sit amet"}}`,
          );
        }
        const chunk = lines.join('\n') + '\n';
        writeSync(fd, chunk);
        bytes += chunk.length;
      }
    } finally {
      closeSync(fd);
    }
    return i;
  }

  /**
   * Imports with the built CLI (out/main/cli.js, parser thread included: the product as it ships,
   * without the TypeScript loader a source run carries) and reads the child's peak resident memory
   * from the kernel's high-water mark (/proc/<pid>/status VmHWM), polled until it exits.
   */
  async function runChild(file: string, db: string): Promise<{ imported: number; peakRssMb: number; samples: number }> {
    const { out, peakRssMb, samples } = await importWithBuiltCli(file, db);
    try {
      const summary = JSON.parse(out.trim()) as { imported: number };
      return { imported: summary.imported, peakRssMb, samples };
    } catch (e) {
      throw new Error(`bad CLI output ${out}: ${(e as Error).message}`, { cause: e });
    }
  }


  it('stays flat: a 50 MB file peaks under 300 MB, and less than 90 MB above a 10 MB file', async () => {
    const dir = tempDir();
    const small = join(dir, 'small.ndjson');
    const large = join(dir, 'large.ndjson');
    const smallCount = generateNdjson(small, 10);
    const largeCount = generateNdjson(large, 50);
    const a = await runChild(small, join(dir, 'small.db'));
    const b = await runChild(large, join(dir, 'large.db'));
    expect(a.imported).toBe(smallCount);
    expect(b.imported).toBe(largeCount);
    // The sampler really ran through the import.
    expect(b.samples).toBeGreaterThan(5);
    expect(b.peakRssMb, `peak ${b.peakRssMb} MB`).toBeLessThan(300);
    expect(b.peakRssMb - a.peakRssMb, `peak ${a.peakRssMb} MB for 10 MB, ${b.peakRssMb} MB for 50 MB`).toBeLessThan(90);
  }, 180_000);
});
