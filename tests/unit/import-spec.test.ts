/**
 * Issue 15: importing records in the Segment spec's documented forms (HTTP API bodies, RudderStack's
 * shape, warehouse time formats). The payloads are our own, modelled on the spec pages' examples; each
 * test writes its fixture file itself.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/main/db/connection';
import { importFile, type ImportOptions } from '../../src/main/ingest/import-file';
import { RecordTime } from '../../src/main/ingest/parse/record-time';
import { getReport } from '../../src/main/ingest/reports';
import { ingestMethods } from '../../src/shared/contract/ingest';
import type { ImportSummary } from '../../src/shared/types';
import { csvColumns } from '../../src/main/ingest/parse/readers';
import { apiErrorOf, useTempCache, useTempDir } from './helpers';
import { importInChildProcess, kvValue } from './ingest-helpers';
import { CONTEXT_TRAITS_RECORDS, HTTP_API_BODIES, orderCompleted, RUDDERSTACK_TIME_FORMS } from './fixtures/spec-payloads';

const tempCache = useTempCache();
const tempDir = useTempDir();

const ndjson = (records: unknown[]): string => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** Imports `content` (written to a file of that name) into a fresh cache. */
async function importText(name: string, content: string, options: ImportOptions = {}): Promise<{ db: Db; summary: ImportSummary }> {
  const { db, dir } = tempCache();
  const path = join(dir, name);
  writeFileSync(path, content);
  const summary = await importFile(db, path, options);
  return { db, summary };
}

function traitsOf(db: Db, userId: string): Record<string, unknown> | undefined {
  const row = db.prepare<[string], { traits: string }>('SELECT traits FROM users WHERE id = ?').get(userId);
  return row && (JSON.parse(row.traits) as Record<string, unknown>);
}

describe('type-less records (HTTP API bodies)', () => {
  it('infers track, identify, group and alias: a group body is never read as an identify call', async () => {
    const { db, summary } = await importText(
      'http-api.ndjson',
      ndjson(HTTP_API_BODIES),
    );
    expect(summary.imported).toBe(2);
    expect(summary.details?.identityCalls).toBe(2);
    expect(summary.errors).toMatchObject([{ line: 5, reason: expect.stringMatching(/^missing type, and none could be inferred/) }]);
    expect(traitsOf(db, 'user-42')).toEqual({ name: 'Peter Gibbons', email: 'peter@initech.example' });
    // The company's traits went to its account, and the alias linked the anonymous id to the user.
    expect(JSON.parse(db.prepare("SELECT traits FROM accounts WHERE group_id = 'grp-0042'").pluck().get() as string)).toEqual({ name: 'Initech', employees: 329 });
    expect(db.prepare("SELECT u.id FROM identity_links l JOIN users u USING (user_pk) WHERE l.id = 'anon-7f3a'").pluck().get()).toBe('user-42');
  });
});

const at = (iso: string): number => Date.parse(iso);

describe('time, per the Segment spec (the import\'s own reading)', () => {
  const utc = new RecordTime();
  const instant = (raw: Record<string, unknown>, time = utc): number | string => time.instantOf(raw);

  it('takes timestamp, else originalTimestamp corrected by receivedAt − sentAt, else originalTimestamp, else receivedAt', () => {
    // The device's clock is 5 minutes fast: sent at 12:05 by its clock, received at 12:00.
    const skewed = { originalTimestamp: '2024-05-01T12:04:00.000Z', sentAt: '2024-05-01T12:05:00.000Z', receivedAt: '2024-05-01T12:00:00.000Z' };
    expect(instant({ ...skewed, timestamp: '2024-05-01T11:00:00.000Z' })).toBe(at('2024-05-01T11:00:00.000Z'));
    expect(instant(skewed)).toBe(at('2024-05-01T11:59:00.000Z'));
    expect(instant({ originalTimestamp: skewed.originalTimestamp, receivedAt: skewed.receivedAt })).toBe(at('2024-05-01T12:04:00.000Z'));
    expect(instant({ receivedAt: skewed.receivedAt, sentAt: skewed.sentAt })).toBe(at('2024-05-01T12:00:00.000Z'));
  });

  it('names the time fields a rejected record had', () => {
    expect(instant({ sentAt: '2024-05-01T12:05:00.000Z' })).toBe(
      'missing timestamp: the record has no timestamp, originalTimestamp or receivedAt (time fields: sentAt)',
    );
    expect(instant({})).toBe('missing timestamp: the record has no timestamp, originalTimestamp or receivedAt');
    expect(instant({ timestamp: 'yesterday', receivedAt: '2024-05-01T12:00:00.000Z' })).toBe(
      'timestamp "yesterday" is not a date-time or an epoch number (time fields: timestamp, receivedAt)',
    );
  });

  it('reads the warehouses\' forms: zone-less as UTC (space or T), " UTC", +00, +0000, -0800', () => {
    const time = new RecordTime();
    const expected = at('2015-02-23T22:28:55.000Z');
    for (const text of ['2015-02-23 22:28:55', '2015-02-23T22:28:55', '2015-02-23 22:28:55 UTC', '2015-02-23 22:28:55+00', '2015-02-23 22:28:55+0000', '2015-02-23 14:28:55.000 -0800', '2015-02-23T14:28:55-0800']) {
      expect(time.instantOf({ timestamp: text }), text).toBe(expected);
    }
    expect(time.instantOf({ timestamp: '2015-02-23 22:28:55.123456' })).toBe(expected + 123);
    // The first two, and the fraction, were read without a zone.
    expect(time.zoneless).toBe(3);
  });

  it('reads zone-less date-times in the import\'s time zone, across daylight saving time', () => {
    const paris = new RecordTime('Europe/Paris');
    expect(paris.instantOf({ timestamp: '2024-01-15 10:00:00' })).toBe(at('2024-01-15T09:00:00.000Z'));
    expect(paris.instantOf({ timestamp: '2024-07-15T10:00:00' })).toBe(at('2024-07-15T08:00:00.000Z'));
    // A zone given in the text wins.
    expect(paris.instantOf({ timestamp: '2024-07-15T10:00:00Z' })).toBe(at('2024-07-15T10:00:00.000Z'));
    const newYork = new RecordTime('America/New_York');
    expect(newYork.instantOf({ receivedAt: '2024-03-10 12:00:00' })).toBe(at('2024-03-10T16:00:00.000Z'));
    expect(newYork.zoneless).toBe(1);
  });

  it('reads epoch numbers below 1e11 as seconds (a fraction allowed), from there milliseconds, and refuses micro- and nanoseconds', () => {
    expect(instant({ timestamp: 1646153823 })).toBe(at('2022-03-01T16:57:03.000Z'));
    expect(instant({ timestamp: '1646153823' })).toBe(at('2022-03-01T16:57:03.000Z'));
    expect(instant({ timestamp: 1646153823.25 })).toBe(at('2022-03-01T16:57:03.250Z'));
    expect(instant({ timestamp: 1646153823000 })).toBe(at('2022-03-01T16:57:03.000Z'));
    expect(instant({ timestamp: 99_999_999_999 })).toBe(99_999_999_999_000);
    expect(instant({ timestamp: 100_000_000_000 })).toBe(100_000_000_000);
    expect(instant({ timestamp: 100_000_000_000_000 })).toBe(100_000_000_000_000);
    expect(instant({ timestamp: 1646153823000000 })).toMatch(/^timestamp 1646153823000000: epoch microseconds or nanoseconds are not supported/);
    expect(instant({ timestamp: '1646153823000000000' })).toMatch(/epoch microseconds or nanoseconds are not supported/);
  });

  it('imports RudderStack-shaped records without a timestamp, and counts the zone-less ones in the report', async () => {
    const { db, summary } = await importText(
      'rudder.ndjson',
      ndjson(RUDDERSTACK_TIME_FORMS),
    );
    expect(summary).toMatchObject({ imported: 3, rejected: 0, details: { zoneless: 1 } });
    const stamps = db.prepare('SELECT event_id, ts FROM events ORDER BY event_id').all();
    expect(stamps).toEqual([
      { event_id: 'ep-1', ts: at('2024-05-02T08:00:00.000Z') },
      { event_id: 'rs-1', ts: at('2024-05-01T11:59:00.000Z') },
      { event_id: 'wh-1', ts: at('2024-05-02T08:00:00.000Z') },
    ]);
    expect(getReport(db, summary.reportId)?.details).toEqual({ zoneless: 1 });
  });

  it('reads a CSV export\'s zone-less times in the --timezone given, on the parser thread as inline', async () => {
    const csv = 'type,event,userId,messageId,timestamp\ntrack,Signed Up,u-1,c-1,2024-01-15 10:00:00\ntrack,Signed Up,u-2,c-2,2024-01-15T10:00:00Z\n';
    const inline = await importText('export.csv', csv, { timeZone: 'Europe/Paris' });
    expect(inline.summary.details).toEqual({ zoneless: 1, timeZone: 'Europe/Paris' });
    expect(inline.db.prepare('SELECT ts FROM events ORDER BY event_id').pluck().all()).toEqual([at('2024-01-15T09:00:00.000Z'), at('2024-01-15T10:00:00.000Z')]);
    const child = importInChild('export.csv', csv, { TIME_ZONE: 'Europe/Paris' });
    expect(child.summary.details).toEqual({ zoneless: 1, timeZone: 'Europe/Paris' });
    expect(child.ts).toEqual([at('2024-01-15T09:00:00.000Z'), at('2024-01-15T10:00:00.000Z')]);
  });

  it('imports records dated more than a day after the import\'s clock, but "data as of" ignores them', async () => {
    const now = at('2024-06-01T12:00:00.000Z');
    const records = [
      { type: 'track', event: 'Report Run', userId: 'u-1', messageId: 'f-1', timestamp: '2024-06-01T09:00:00.000Z' },
      { type: 'track', event: 'Report Run', userId: 'u-1', messageId: 'f-2', timestamp: '2024-06-02T11:00:00.000Z' }, // within a day: counts
      { type: 'track', event: 'Report Run', userId: 'u-1', messageId: 'f-3', timestamp: '2099-01-01T00:00:00.000Z' },
      { type: 'track', event: 'Report Run', userId: 'u-2', messageId: 'f-4', timestamp: '2030-03-01T00:00:00.000Z' },
    ];
    const expected = { futureDated: 2, latestFutureTs: at('2099-01-01T00:00:00.000Z') };
    const { db, summary } = await importText('future.ndjson', ndjson(records), { clock: () => now });
    expect(summary).toMatchObject({ imported: 4, details: expected });
    expect(Number(kvValue(db, 'data_as_of'))).toBe(at('2024-06-02T11:00:00.000Z'));
    expect(getReport(db, summary.reportId)?.details).toEqual(expected);
    const child = importInChild('future.ndjson', ndjson(records), { IMPORT_CLOCK: String(now) });
    expect(child.summary.details).toEqual(expected);
    expect(child.dataAsOf).toBe(at('2024-06-02T11:00:00.000Z'));
  });

  it('takes --timezone through the contract only when it names a zone', () => {
    const args = ingestMethods.startImport.input;
    expect(args.safeParse({ path: 'x.csv', timezone: 'America/Los_Angeles' }).success).toBe(true);
    expect(args.safeParse({ path: 'x.csv', timezone: 'Mars/Olympus_Mons' }).success).toBe(false);
  });
});

describe('context.traits (the RudderStack shape)', () => {
  const records = CONTEXT_TRAITS_RECORDS;
  const user9 = { name: 'Samir Nagheenanajar', plan: 'pro', company: 'Initech' };

  it.each(['bulk', 'indexed'] as const)('identify takes traits, else context.traits; other calls merge context.traits at their instant (inline, %s)', async (mode) => {
    const { db, summary } = await importText('rudder-identify.ndjson', ndjson(records), { mode });
    expect(summary).toMatchObject({ imported: 4, duplicates: 1, rejected: 0 });
    expect(traitsOf(db, 'user-9')).toEqual(user9);
    expect(traitsOf(db, 'user-10')).toEqual({ plan: 'pro' });
    // The events keep their own properties; the traits are the user's.
    expect(db.prepare("SELECT properties FROM events WHERE event_id = 'rs-tr-1'").pluck().get()).toBeNull();
  });

  it('gives the same users on the parser thread', () => {
    const child = importInChild('rudder-identify.ndjson', ndjson(records), {});
    expect(child.summary).toMatchObject({ imported: 4, duplicates: 1, rejected: 0 });
    expect(child.traits['user-9']).toEqual(user9);
    expect(child.traits['user-10']).toEqual({ plan: 'pro' });
  });
});

describe('limits and robustness', () => {
  const order = orderCompleted;
  const compactBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

  it('measures 32 KB on the record re-serialized compactly, not on its text: pretty-printed and \\u-escaped records pass', async () => {
    const pretty = order('pretty-1', 230);
    expect(compactBytes(pretty)).toBeGreaterThan(24_000);
    expect(compactBytes(pretty)).toBeLessThan(32_768);
    expect(Buffer.byteLength(JSON.stringify(pretty, null, 2))).toBeGreaterThan(32_768);
    const tooBig = order('big-1', 300);
    expect(compactBytes(tooBig)).toBeGreaterThan(32_768);
    const arrayFile = await importText('orders.json', JSON.stringify([pretty, tooBig], null, 2));
    expect(arrayFile.summary).toMatchObject({ imported: 1, rejected: 1 });
    expect(arrayFile.summary.errors).toMatchObject([{ line: 2, reason: `record is ${compactBytes(tooBig)} bytes of JSON, more than the 32768-byte limit` }]);

    // An exporter that writes every non-ASCII character as \\u….: 31.7 KB of record, ~3 times that of text.
    const escaped = order('esc-1', 0, 'é'.repeat(15_700));
    expect(compactBytes(escaped)).toBeLessThan(32_768);
    const escapedLine = JSON.stringify(escaped).replace(/é/g, '\\u00e9');
    expect(Buffer.byteLength(escapedLine)).toBeGreaterThan(90_000);
    const lines = await importText('escaped.ndjson', `${escapedLine}\n`);
    expect(lines.summary).toMatchObject({ imported: 1, rejected: 0 });
  });

  it('measures a record whose numbers are written with exponents: 1e20 is 21 digits once re-serialized', async () => {
    const keys = Array.from({ length: 1800 }, (_, k) => `"a${k}":1e20`).join(',');
    const line = `{"type":"track","event":"Wide","userId":"user-1","messageId":"exp-1","timestamp":"2024-05-03T16:00:00.000Z","properties":{${keys}}}`;
    expect(Buffer.byteLength(line)).toBeLessThan(32_768);
    const compact = compactBytes(JSON.parse(line));
    expect(compact).toBeGreaterThan(32_768);
    const { summary } = await importText('exponents.ndjson', `${line}\n`);
    expect(summary.errors).toMatchObject([{ line: 1, reason: `record is ${compact} bytes of JSON, more than the 32768-byte limit` }]);
  });

  const nested = (levels: number): Record<string, unknown> => {
    // The record is level 1 and its properties level 2.
    let value: Record<string, unknown> = { leaf: true };
    for (let k = 3; k <= levels; k++) value = { child: value };
    return { type: 'track', event: 'Deep', userId: 'user-1', messageId: `deep-${levels}`, timestamp: '2024-05-03T16:00:00.000Z', properties: value };
  };
  const deepLine = (depth: number): string =>
    `{"type":"track","event":"Deep","userId":"user-1","messageId":"deep-x","timestamp":"2024-05-03T16:00:00.000Z","properties":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;

  it('refuses a record nested more than 64 levels deep at its line, and imports the rest (inline and on the parser thread)', async () => {
    const good = (id: string): string => JSON.stringify({ type: 'track', event: 'Good', userId: 'user-1', messageId: id, timestamp: '2024-05-03T16:00:00.000Z' });
    // ~30 KB nested 15,000 deep: JSON.stringify overflows the stack on it.
    const content = [good('g-1'), deepLine(15_000), JSON.stringify(nested(64)), JSON.stringify(nested(65)), good('g-2')].join('\n') + '\n';
    const reasons = [
      { line: 2, reason: 'record is nested more than 64 levels deep' },
      { line: 4, reason: 'record is nested more than 64 levels deep' },
    ];
    const inline = await importText('deep.ndjson', content);
    expect(inline.summary).toMatchObject({ imported: 3, rejected: 2, errors: reasons });
    const child = importInChild('deep.ndjson', content, {});
    expect(child.summary).toMatchObject({ imported: 3, rejected: 2, errors: reasons });
    // A JSON array element is refused at its element number.
    const array = await importText('deep.json', `[${good('a-1')},${deepLine(200)}]`);
    expect(array.summary).toMatchObject({ imported: 1, errors: [{ line: 2, reason: 'record is nested more than 64 levels deep' }] });
  });

  it('refuses CSV header paths with __proto__, constructor or prototype segments, and leaves Object.prototype alone', async () => {
    for (const column of ['properties.__proto__.messageId', 'traits.constructor.prototype.plan', 'properties.prototype', '__proto__']) {
      const rows = [`type,event,userId,timestamp,${column}`, ...Array.from({ length: 5 }, (_, k) => `track,Viewed,u-${k},2024-05-03T16:00:0${k}.000Z,m-${k}`)];
      const { dir, db } = tempCache();
      const path = join(dir, 'polluting.csv');
      writeFileSync(path, `${rows.join('\n')}\n`);
      const error = await apiErrorOf(importFile(db, path));
      expect(error.code).toBe('invalid_argument');
      expect(error.message).toContain(`the CSV header column "${column}" names "`);
      expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(0);
      expect(() => csvColumns(['userId', column])).toThrow(/cannot be a property or trait path/);
    }
    expect(({} as Record<string, unknown>).messageId).toBeUndefined();
  });
});

/** Imports `content` with the parser thread (tests/unit/fixtures/import-run.ts) in a child process. */
function importInChild(
  name: string,
  content: string,
  env: Record<string, string>,
): { summary: ImportSummary; ts: number[]; dataAsOf: number; traits: Record<string, Record<string, unknown>> } {
  const { summary, read } = importInChildProcess(tempDir(), name, content, env, (db) => {
    const ts = db.prepare('SELECT ts FROM events ORDER BY event_id').pluck().all() as number[];
    const users = db.prepare('SELECT id, traits FROM users').all() as { id: string; traits: string }[];
    const traits = Object.fromEntries(users.map((u) => [u.id, JSON.parse(u.traits) as Record<string, unknown>]));
    return { ts, dataAsOf: Number(kvValue(db, 'data_as_of')), traits };
  });
  return { summary, ...read };
}
