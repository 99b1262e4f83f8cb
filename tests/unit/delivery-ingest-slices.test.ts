/**
 * A full track batch is stored in slices (src/delivery/ingest.ts): other requests are answered while it
 * is stored, the result is the one a single transaction gives, and a batch cut short by the server
 * stopping, sent again, stores nothing twice.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { DeliveryDb } from '../../src/delivery/db';
import { INGEST_SLICE_RECORDS } from '../../src/delivery/ingest';
import { MAX_BATCH_BYTES } from '../../src/delivery/pipeline/route';
import { MAX_BATCH_RECORDS } from '../../src/delivery/schemas';
import { MAX_TRAIT_KEYS } from '../../src/delivery/store';
import { DAY, T0, useDeliveryServer, type Running, type StartOptions } from './delivery-helpers';

const start = useDeliveryServer();

/** Kept events per user and name: small, so the batch passes the cap and the oldest-first drop runs in store and cache. */
const EVENTS_PER_NAME = 40;
const USERS = 12;
/** The users whose profiles are cached before the batch, so each stored record also updates a cached profile. */
const CACHED_USERS = ['u0', 'u1', 'u2', 'u3'];

/**
 * MAX_BATCH_RECORDS records of every kind a batch holds, spread over every slice: events kept by a live
 * rule (some older than the kept ones, some far in the future, clamped), identify calls merging traits,
 * message_shown and NPS answers moving a message's counters, repeats of earlier records (duplicates in a
 * later slice), invalid records, and identifies that pass the traits cap late in the batch.
 */
function mixedBatch(): unknown[] {
  const batch: unknown[] = [];
  for (let i = 0; i < MAX_BATCH_RECORDS; i++) {
    const userId = `u${i % USERS}`;
    const ts = T0 - DAY + (i % 7 === 0 ? -i : i) * 1000;
    if (i >= 4000 && i < 4003) {
      // 250 new keys each: the user's traits reach MAX_TRAIT_KEYS after two, the third is refused.
      const traits = Object.fromEntries(Array.from({ length: MAX_TRAIT_KEYS / 2 }, (_, k) => [`k${i - 4000}_${k}`, k]));
      batch.push({ type: 'identify', userId: 'full', messageId: `cap${i}`, traits, timestamp: ts });
    } else if (i % 97 === 0 && i >= 300) batch.push(batch[i - 300]);
    else if (i % 113 === 0) batch.push({ type: 'track', userId, messageId: `bad${i}`, timestamp: ts });
    else if (i % 50 === 0) batch.push({ type: 'identify', userId, messageId: `id${i}`, traits: { plan: i % 100 === 0 ? 'pro' : 'free', [`t${i % 9}`]: i }, timestamp: ts });
    else if (i % 71 === 0) batch.push({ type: 'track', event: 'message_shown', userId, messageId: `s${i}`, timestamp: ts, properties: { message_id: 'm1' } });
    else if (i % 89 === 0) {
      batch.push({ type: 'track', event: 'survey_answered', userId, messageId: `a${i}`, timestamp: ts, properties: { message_id: 'm1', survey: 'nps', score: i % 11 } });
    } else if (i % 131 === 0) batch.push({ type: 'track', event: 'run', userId, messageId: `f${i}`, timestamp: T0 + 2 * DAY });
    // A call with an event is a track call without saying so: the bulk of the batch stays small.
    else batch.push({ event: 'run', userId, messageId: `r${i}`, timestamp: ts, ...(i % 5 === 0 ? { properties: { n: i % 3 } } : {}) });
  }
  return batch;
}

/**
 * Every table of a delivery database, every row, in rowid (or primary key) order. A record's seq is
 * given as its place in the export: a retried batch's duplicates use up sequence numbers (AUTOINCREMENT
 * counts a conflicting insert), and the export's cursor only needs the order.
 */
function dump(db: DeliveryDb): Record<string, unknown[]> {
  // Assignments are decide's (a user's first decide that chooses a message), not the batch's: left out.
  const places = new Map(
    db
      .prepare<[], number>("SELECT seq FROM records WHERE record_id NOT LIKE 'assigned:%' ORDER BY seq")
      .pluck()
      .all()
      .map((seq, place) => [seq, place]),
  );
  const tables = db
    .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all();
  const rows: Record<string, unknown[]> = {};
  for (const table of tables) {
    const withoutRowid = db.prepare<[string], number>('SELECT 1 FROM pragma_table_list WHERE name = ? AND wr = 1').pluck().get(table) !== undefined;
    rows[table] = db
      .prepare<[], Record<string, unknown>>(`SELECT * FROM "${table}" ${withoutRowid ? '' : 'ORDER BY rowid'}`)
      .all()
      .filter((row) => !(typeof row.record_id === 'string' && row.record_id.startsWith('assigned:')))
      .map((row) => ('seq' in row ? { ...row, seq: places.get(row.seq as number) } : row));
  }
  return rows;
}

const recordCount = (db: DeliveryDb): number => db.prepare<[], number>('SELECT count(*) FROM records').pluck().get() ?? 0;

/** A server with the message the batch's events count for, and a few users' profiles cached. */
async function prepared(options: StartOptions = {}): Promise<Running> {
  const r = await start({ profileEventsPerName: EVENTS_PER_NAME, ...options });
  await r.publish('m1', { rule: { version: 1, match: 'all', conditions: [{ type: 'event', event: 'run', op: '>=', count: EVENTS_PER_NAME / 2, within: { days: 3 } }] } });
  await r.publish('m2', { priority: 10, rule: { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'eq', value: 'pro' }] } });
  for (const userId of CACHED_USERS) await r.decideIds(userId);
  return r;
}

/** What the server says after the batch: every user's decide, the counters, the clamp count. */
async function observed(r: Running): Promise<Record<string, unknown>> {
  const decides: Record<string, string[]> = {};
  for (let u = 0; u < USERS; u++) decides[`u${u}`] = await r.decideIds(`u${u}`);
  const message = await r.admin('GET', '/v1/messages/m1');
  const health = await r.raw('GET', '/v1/health');
  return { decides, results: message.json.message.results, clamped: health.json.clampedTimestamps };
}

/** The batch stored in one transaction: what the server held before slicing. */
async function unsliced(batch: unknown[]): Promise<{ reply: Record<string, unknown>; observed: Record<string, unknown>; dump: Record<string, unknown[]> }> {
  const r = await prepared({ ingestion: { sliceRecords: MAX_BATCH_RECORDS, sliceMs: Infinity } });
  const reply = await r.track(batch);
  expect(reply.status).toBe(200);
  return { reply: reply.json, observed: await observed(r), dump: dump(r.db) };
}

/** Resolves once the batch has stored some of its slices but not all (the test runs between two slices). */
async function partlyStored(db: DeliveryDb, total: number): Promise<number> {
  for (;;) {
    await nextTurn();
    const stored = recordCount(db);
    if (stored > 0) {
      expect(stored).toBeLessThan(total);
      return stored;
    }
  }
}

describe('a full batch is stored in slices', () => {
  const batch = mixedBatch();

  it('fits the limits of one request', () => {
    expect(batch).toHaveLength(MAX_BATCH_RECORDS);
    expect(Buffer.byteLength(JSON.stringify({ batch }))).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    expect(MAX_BATCH_RECORDS / INGEST_SLICE_RECORDS).toBeGreaterThanOrEqual(10);
  });

  it('answers a health check sent after the batch started before the batch finishes', async () => {
    const r = await start();
    const events = Array.from({ length: MAX_BATCH_RECORDS }, (_, i) => ({ type: 'track', event: 'run', userId: 'u1', messageId: `e${i}`, timestamp: T0 - i }));
    const finished: string[] = [];
    const track = r.track(events).then((reply) => {
      finished.push('batch');
      return reply;
    });
    // Some slices are committed and others are not: the batch has started and is not done.
    const storedWhenAsked = await partlyStored(r.db, MAX_BATCH_RECORDS);
    const health = r.raw('GET', '/v1/health').then((reply) => {
      finished.push('health');
      return reply;
    });
    const [trackReply, healthReply] = await Promise.all([track, health]);
    expect(healthReply.status).toBe(200);
    expect(trackReply.json).toEqual({ accepted: MAX_BATCH_RECORDS, duplicates: 0, rejected: [] });
    expect(finished).toEqual(['health', 'batch']);
    expect(storedWhenAsked).toBeLessThanOrEqual(2 * INGEST_SLICE_RECORDS);
    expect(recordCount(r.db)).toBe(MAX_BATCH_RECORDS);
  });

  it('stores what one transaction stored: the same answer, rows, counters, clamps and decides', async () => {
    const reference = await unsliced(batch);
    const rejected = reference.reply.rejected as { index: number; reason: string }[];
    // The batch has something of each kind the answer reports.
    expect(reference.reply.duplicates).toBeGreaterThan(0);
    expect(rejected.some((x) => /traits would have 750 keys/.test(x.reason))).toBe(true);
    expect(rejected.some((x) => /without an event name/.test(x.reason))).toBe(true);
    const { decides, results, clamped } = reference.observed as { decides: Record<string, string[]>; results: Record<string, number>; clamped: number };
    expect(new Set(Object.values(decides).flat())).toEqual(new Set(['m1', 'm2']));
    expect(results.shown).toBeGreaterThan(0);
    expect(results.detractors).toBeGreaterThan(0);
    expect(clamped).toBeGreaterThan(0);

    const r = await prepared();
    const reply = await r.track(batch);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual(reference.reply);
    expect(await observed(r)).toEqual(reference.observed);
    expect(dump(r.db)).toEqual(reference.dump);
  });

  it('cut short by the server stopping, says how far it got, and sent again stores nothing twice', async () => {
    const reference = await unsliced(batch);

    const first = await prepared();
    const cut = first.track(batch);
    await partlyStored(first.db, MAX_BATCH_RECORDS);
    await first.server.close();
    const cutReply = await cut;
    expect(cutReply.status).toBe(503);
    expect(cutReply.json.code).toBe('unavailable');
    const handled = Number(/its first (\d+) of 5000 records were handled/.exec(cutReply.json.error as string)?.[1]);
    expect(handled).toBeGreaterThan(0);
    expect(handled).toBeLessThan(MAX_BATCH_RECORDS);
    const storedBefore = recordCount(first.db);
    expect(storedBefore).toBeGreaterThan(0);
    expect(storedBefore).toBeLessThan(reference.dump.records?.length ?? 0);

    // The same database, a new server (the profile cache starts empty), the same batch again.
    const again = await start({ dir: first.dir, profileEventsPerName: EVENTS_PER_NAME });
    for (const userId of CACHED_USERS) await again.decideIds(userId);
    const reply = await again.track(batch);
    expect(reply.status).toBe(200);
    const ref = reference.reply as { accepted: number; duplicates: number; rejected: unknown[] };
    expect(reply.json.rejected).toEqual(ref.rejected);
    expect(reply.json.accepted).toBe(ref.accepted - storedBefore);
    expect(reply.json.duplicates).toBe(ref.duplicates + storedBefore);
    expect(dump(again.db)).toEqual(reference.dump);
    // The clamp count is the process's since it started; the rest is the stored state as decide and results read it.
    expect({ ...(await observed(again)), clamped: null }).toEqual({ ...reference.observed, clamped: null });
  });
});
