/**
 * The delivery engines' conformance suite (issue 20): the same cases against the SQLite engine (a real
 * file) and the PostgreSQL engine (a fresh database of the shared test cluster per test), through the one
 * DeliveryEngine interface. "Nodes" are engine instances: on PostgreSQL each has a pool of its own on the
 * one database, as two server processes would; on SQLite one process owns the file, so every node is the
 * same engine (the cross-node cases then check that one process keeps the same rules under concurrency).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openDeliveryDb } from '../../src/delivery/db';
import { createSqliteEngine } from '../../src/delivery/engine/sqlite';
import type { DeliveryEngine } from '../../src/delivery/engine/types';
import { resolveDeliveryDatabase, type DeliveryDatabase } from '../../src/delivery/postgres/connection';
import { openPostgresEngine } from '../../src/delivery/postgres/engine';
import type { IncomingRecord, RecordRow } from '../../src/delivery/store';
import type { NormalizedRecord } from '../../src/shared/event-spec';
import { createTestDatabase, testCluster, type TestDatabase } from '../support/postgres-vitest';
import { useTempDir } from './helpers';

const T0 = Date.UTC(2026, 5, 1, 9, 0, 0);
const DAY = 86_400_000;

interface EngineFactory {
  name: string;
  /** `nodes` engines on one fresh database (see the file comment), closed after the test. */
  open(nodes: number, options?: { eventsPerName?: number }): Promise<DeliveryEngine[]>;
}

const tempDir = useTempDir();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sqlite: EngineFactory = {
  name: 'sqlite',
  async open(nodes, options = {}) {
    const { db } = openDeliveryDb(join(tempDir(), 'delivery.db'), { now: T0 });
    const engine = createSqliteEngine(db, { profileEventsPerName: options.eventsPerName, closeDatabase: true });
    cleanups.push(() => engine.close());
    return Array.from({ length: nodes }, () => engine);
  },
};

async function freshPostgres(): Promise<{ database: TestDatabase; config: DeliveryDatabase }> {
  const database = await createTestDatabase(testCluster(), 'delivery_engine');
  cleanups.push(() => database.drop());
  const config = resolveDeliveryDatabase(database.url, {}) as DeliveryDatabase;
  // The cluster's password, as PGPASSWORD would give it.
  config.url.password = database.cluster.password;
  return { database, config };
}

const postgres: EngineFactory = {
  name: 'postgres',
  async open(nodes, options = {}) {
    const { config } = await freshPostgres();
    const engines: DeliveryEngine[] = [];
    for (let i = 0; i < nodes; i++) {
      const { engine } = await openPostgresEngine(config, { now: T0, pool: { max: 4 }, profileEventsPerName: options.eventsPerName });
      cleanups.push(() => engine.close());
      engines.push(engine);
    }
    return engines;
  },
};

function body(version: number, extra: Record<string, unknown> = {}): { body: string; holdout: number } {
  const holdout = typeof extra.holdout === 'number' ? extra.holdout : 0;
  return { body: JSON.stringify({ kind: 'modal', content: { title: 'Hi' }, version, holdout, ...extra }), holdout };
}

function event(id: string, userId: string, name: string, ts: number, data: Record<string, unknown> | null = null): IncomingRecord {
  const record: NormalizedRecord = { kind: 'event', id, userId, name, ts, data };
  return { type: 'track', record };
}

function identify(id: string, userId: string, ts: number, traits: Record<string, unknown>): IncomingRecord {
  return { type: 'identify', record: { kind: 'identify', id, userId, name: '', ts, data: traits } };
}

/** Every record of the export, a page at a time, each page from the next node in turn. */
async function drain(nodes: DeliveryEngine[], after: number, limit: number): Promise<{ rows: RecordRow[]; next: number }> {
  const rows: RecordRow[] = [];
  let cursor = after;
  for (let page = 0; ; page++) {
    const got = await (nodes[page % nodes.length] as DeliveryEngine).exportPage(cursor, limit);
    rows.push(...got);
    if (got.length === 0) return { rows, next: cursor };
    cursor = (got[got.length - 1] as RecordRow).seq;
  }
}

describe.each([sqlite, postgres])('the $name engine', (factory) => {
  it('publishes versions by the 409 rule, keeps the first holdout, and changes states', async () => {
    const [engine] = (await factory.open(1)) as [DeliveryEngine];
    const first = await engine.publish({ id: 'welcome', version: 1, ...body(1), now: T0 });
    expect(first).toMatchObject({ outcome: 'applied', created: true, row: { id: 'welcome', version: 1, state: 'running', published_at: T0, updated_at: T0 } });
    expect(await engine.publish({ id: 'welcome', version: 1, ...body(1), now: T0 + 1 })).toMatchObject({ outcome: 'conflict', reason: 'version', stored: { version: 1 } });
    expect(await engine.publish({ id: 'welcome', version: 3, ...body(3, { holdout: 10 }), now: T0 + 1 })).toMatchObject({ outcome: 'conflict', reason: 'holdout', stored: { version: 1 } });
    expect(await engine.publish({ id: 'welcome', version: 3, ...body(3), now: T0 + 2 })).toMatchObject({ outcome: 'applied', created: false, row: { version: 3, published_at: T0 + 2 } });
    expect(await engine.publish({ id: 'welcome', version: 2, ...body(2), now: T0 + 3 })).toMatchObject({ outcome: 'conflict', reason: 'version', stored: { version: 3 } });

    expect(await engine.setState('welcome', 'paused', T0 + 4)).toMatchObject({ outcome: 'applied', row: { state: 'paused', updated_at: T0 + 4 } });
    expect(await engine.setState('welcome', 'paused', T0 + 5)).toMatchObject({ outcome: 'applied', row: { state: 'paused', updated_at: T0 + 4 } });
    // A new version keeps the state it was in.
    expect(await engine.publish({ id: 'welcome', version: 4, ...body(4), now: T0 + 6 })).toMatchObject({ outcome: 'applied', row: { state: 'paused' } });
    expect(await engine.setState('welcome', 'ended', T0 + 7)).toMatchObject({ outcome: 'applied', row: { state: 'ended' } });
    expect(await engine.setState('welcome', 'running', T0 + 8)).toMatchObject({ outcome: 'ended', stored: { state: 'ended' } });
    expect(await engine.setState('welcome', 'deleted', T0 + 9)).toMatchObject({ outcome: 'applied', row: { state: 'deleted' } });
    expect(await engine.setState('welcome', 'paused', T0 + 10)).toEqual({ outcome: 'missing' });
    expect(await engine.setState('nobody', 'paused', T0 + 10)).toEqual({ outcome: 'missing' });
    expect(await engine.messages()).toEqual([]);
    expect(await engine.message('welcome')).toMatchObject({ state: 'deleted', version: 4 });
    // The tombstone keeps the version rule; a newer version brings the message back, running.
    expect(await engine.publish({ id: 'welcome', version: 4, ...body(4), now: T0 + 11 })).toMatchObject({ outcome: 'conflict', reason: 'version' });
    expect(await engine.publish({ id: 'welcome', version: 5, ...body(5), now: T0 + 12 })).toMatchObject({ outcome: 'applied', created: true, row: { state: 'running' } });
    await engine.publish({ id: 'another', version: 1, ...body(1), now: T0 + 13 });
    expect((await engine.messages()).map((m) => m.id)).toEqual(['another', 'welcome']);
  });

  it('remembers an Idempotency-Key once: a second save loses and reads the first answer', async () => {
    const [engine] = (await factory.open(1)) as [DeliveryEngine];
    expect(await engine.idempotent('k1')).toBeUndefined();
    expect(await engine.saveIdempotent({ key: 'k1', requestHash: 'h1', status: 201, body: '{"a":1}', now: T0 }, 0)).toEqual({ saved: true });
    expect(await engine.saveIdempotent({ key: 'k1', requestHash: 'h2', status: 200, body: '{"b":2}', now: T0 + 1 }, 0)).toEqual({
      saved: false,
      stored: { request_hash: 'h1', status: 201, body: '{"a":1}' },
    });
    expect(await engine.idempotent('k1')).toEqual({ request_hash: 'h1', status: 201, body: '{"a":1}' });
    // Keys older than the cutoff go with the next save.
    await engine.saveIdempotent({ key: 'k2', requestHash: 'h', status: 200, body: '{}', now: T0 + 31 * DAY }, T0 + DAY);
    expect(await engine.idempotent('k1')).toBeUndefined();
  });

  it('applies the same publish sent to two nodes at once once, and the other request replays its answer', async () => {
    const [a, b] = (await factory.open(2)) as [DeliveryEngine, DeliveryEngine];
    await a.publish({ id: 'm', version: 1, ...body(1), now: T0 });
    // The same version through two nodes, without a key: the database's conditional update lets one apply.
    const raced = await Promise.all([a.publish({ id: 'm', version: 2, ...body(2), now: T0 + 1 }), b.publish({ id: 'm', version: 2, ...body(2), now: T0 + 2 })]);
    expect(raced.map((r) => r.outcome).sort()).toEqual(['applied', 'conflict']);
    // With an Idempotency-Key, as pipeline/idempotency.ts runs it: the second request replays the first's answer.
    const runOnce = (node: DeliveryEngine, now: number): Promise<string> =>
      node.withIdempotencyKey('key-3', async () => {
        const prior = await node.idempotent('key-3');
        if (prior) return `replayed ${prior.status}`;
        const outcome = await node.publish({ id: 'm', version: 3, ...body(3), now });
        const status = outcome.outcome === 'applied' ? 200 : 409;
        if (status === 200) await node.saveIdempotent({ key: 'key-3', requestHash: 'h', status, body: '{}', now }, 0);
        return `answered ${status}`;
      });
    const answers = await Promise.all([runOnce(a, T0 + 3), runOnce(b, T0 + 4), runOnce(a, T0 + 5), runOnce(b, T0 + 6)]);
    expect(answers.sort()).toEqual(['answered 200', 'replayed 200', 'replayed 200', 'replayed 200']);
    expect(await b.message('m')).toMatchObject({ version: 3 });
  });

  it('stores each record once, reports duplicates, merges traits by time and refuses traits past the cap', async () => {
    const [engine] = (await factory.open(1)) as [DeliveryEngine];
    const first = await engine.ingest(
      [
        identify('i1', 'ana', T0 + 10, { plan: 'pro', seats: 3 }),
        identify('i2', 'ana', T0 + 5, { plan: 'free', city: 'Oslo' }),
        identify('i1', 'ana', T0 + 10, { plan: 'pro', seats: 3 }),
        event('e1', 'ana', 'page_viewed', T0 + 1),
      ],
      T0,
    );
    expect(first.map((o) => (o === null ? 'duplicate' : 'refused' in o ? 'refused' : 'stored'))).toEqual(['stored', 'stored', 'duplicate', 'stored']);
    // The older call's plan loses to the newer one's; its new key is taken.
    expect(first[1]).toMatchObject({ traits: { plan: 'pro', seats: 3, city: 'Oslo' } });
    const second = await engine.ingest([event('e1', 'ana', 'page_viewed', T0 + 1), identify('i3', 'ana', T0 + 10, { plan: 'team' })], T0 + 1);
    expect(second[0]).toBeNull();
    // A tie on the instant goes to the later arrival.
    expect(second[1]).toMatchObject({ traits: { plan: 'team', seats: 3, city: 'Oslo' }, profile: { collected: false, shownMessageId: null, nps: null } });
    const many = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`k${i}`, i]));
    const refused = await engine.ingest([identify('i4', 'ana', T0 + 20, many), identify('i5', 'bo', T0, { name: 'Bo' })], T0 + 2);
    expect(refused[0]).toEqual({ refused: expect.stringContaining('more than the 500 a user may have') });
    expect(refused[1]).toMatchObject({ traits: { name: 'Bo' } });
    const { profile } = await engine.loadProfile('ana');
    expect(profile).toMatchObject({ traits: { plan: 'team', seats: 3, city: 'Oslo' }, firstSeen: T0 + 1, lastSeen: T0 + 10 });
    const exported = await drain([engine], 0, 100);
    expect(exported.rows.map((r) => r.record_id)).toEqual(['i1', 'i2', 'e1', 'i3', 'i5']);
  });

  it('loses no trait and counts no user twice when two nodes store the same users at once', async () => {
    const [a, b] = (await factory.open(2)) as [DeliveryEngine, DeliveryEngine];
    await a.publish({ id: 'm', version: 1, ...body(1), now: T0 });
    const writes = Array.from({ length: 16 }, (_, i) =>
      (i % 2 === 0 ? a : b).ingest(
        [
          identify(`i${i}`, 'ana', T0 + i, { [`key${i}`]: i }),
          event(`shown-${i}`, `user-${i % 5}`, 'message_shown', T0 + i, { message_id: 'm' }),
          event(`answer-${i}`, `user-${i % 5}`, 'survey_answered', T0 + i, { message_id: 'm', survey: 'nps', score: i % 11 }),
        ],
        T0,
      ),
    );
    await Promise.all(writes);
    const { profile } = await b.loadProfile('ana');
    expect(Object.keys(profile.traits).sort()).toEqual(Array.from({ length: 16 }, (_, i) => `key${i}`).sort());
    const results = await a.results('m');
    expect(results).toMatchObject({ shown: 5, answered: 5 });
    expect(results.promoters + results.passives + results.detractors).toBe(5);
    // Each user's category is that of their latest answer (the greatest i with i % 5 = k).
    const latest = Array.from({ length: 5 }, (_, k) => {
      const i = [...Array(16).keys()].filter((n) => n % 5 === k).pop() as number;
      const score = i % 11;
      return score >= 9 ? 'promoters' : score >= 7 ? 'passives' : 'detractors';
    });
    expect(results.promoters).toBe(latest.filter((c) => c === 'promoters').length);
    expect(results.detractors).toBe(latest.filter((c) => c === 'detractors').length);
  });

  it('counts results per distinct user, moves NPS categories by the latest answer and ignores unknown messages', async () => {
    const [engine] = (await factory.open(1)) as [DeliveryEngine];
    await engine.publish({ id: 'survey', version: 1, ...body(1), now: T0 });
    const answer = (id: string, user: string, ts: number, score: number): IncomingRecord =>
      event(id, user, 'survey_answered', ts, { message_id: 'survey', survey: 'nps', score });
    await engine.ingest(
      [
        event('s1', 'ana', 'message_shown', T0, { message_id: 'survey' }),
        event('s2', 'ana', 'message_shown', T0 + 1, { message_id: 'survey' }),
        event('s3', 'bo', 'message_shown', T0 + 2, { message_id: 'survey' }),
        event('s4', 'bo', 'message_shown', T0 + 2, { message_id: 'elsewhere' }),
        answer('a1', 'ana', T0 + 10, 10),
      ],
      T0,
    );
    expect(await engine.results('survey')).toMatchObject({ shown: 2, answered: 1, promoters: 1, detractors: 0 });
    expect(await engine.results('elsewhere')).toMatchObject({ shown: 0 });
    // A newer answer moves ana; an older one changes nothing; bo's first answer at the same instant as another of his: the later arrival wins.
    await engine.ingest([answer('a2', 'ana', T0 + 20, 3), answer('a3', 'ana', T0 + 15, 8)], T0 + 1);
    await engine.ingest([answer('b1', 'bo', T0 + 30, 7)], T0 + 2);
    await engine.ingest([answer('b2', 'bo', T0 + 30, 9)], T0 + 3);
    expect(await engine.results('survey')).toEqual({ shown: 2, dismissed: 0, clicked: 0, answered: 2, promoters: 1, passives: 0, detractors: 1 });
    const { profile } = await engine.loadProfile('ana');
    expect(profile.nps).toEqual({ ts: T0 + 20, recordId: 'a2', score: 3 });
    expect(profile.shows.get('survey')).toEqual({ times: 2, firstShown: T0, lastShown: T0 + 1 });
    expect(profile.lastShown).toBe(T0 + 1);
  });

  it('keeps the latest survey answer per message and question, for messages that exist, at most 10 questions each, gone on erasure', async () => {
    const [engine] = (await factory.open(1)) as [DeliveryEngine];
    await engine.publish({ id: 'poll', version: 1, ...body(1), now: T0 });
    const answer = (id: string, ts: number, questionId: string, parts: Record<string, unknown>, messageId = 'poll'): IncomingRecord =>
      event(id, 'ana', 'survey_answered', ts, { message_id: messageId, question_id: questionId, text: 'free text is never kept', ...parts });
    const stored = await engine.ingest(
      [
        answer('q1-old', T0 + 1, 'q1', { score: 2 }),
        answer('q1-new', T0 + 5, 'q1', { score: 4 }),
        answer('q1-late-arrival', T0 + 3, 'q1', { score: 1 }),
        answer('q2', T0 + 2, 'q2', { choices: ['a', 'b'] }),
        answer('other', T0 + 2, 'q1', { score: 5 }, 'unknown-message'),
        ...Array.from({ length: 10 }, (_, i) => answer(`extra-${i}`, T0 + 9, `x${i}`, { choice: 'yes' })),
      ],
      T0,
    );
    expect(stored.map((o) => (o && 'profile' in o ? o.profile.surveyAnswer?.id ?? null : 'refused'))).toEqual([
      'q1-old', 'q1-new', null, 'q2', null,
      ...Array.from({ length: 8 }, (_, i) => `extra-${i}`), null, null,
    ]);
    const { profile } = await engine.loadProfile('ana');
    expect(profile.surveyAnswers.size).toBe(10);
    expect(profile.surveyAnswers.get('poll\u0000q1')).toEqual({ id: 'q1-new', name: 'survey_answered', ts: T0 + 5, properties: { message_id: 'poll', question_id: 'q1', score: 4 } });
    expect(profile.surveyAnswers.get('poll\u0000q2')?.properties).toEqual({ message_id: 'poll', question_id: 'q2', choices: ['a', 'b'] });
    expect([...profile.surveyAnswers.keys()].some((key) => key.startsWith('unknown-message'))).toBe(false);
    await engine.eraseUser('ana', T0 + DAY);
    expect((await engine.loadProfile('ana')).profile.surveyAnswers.size).toBe(0);
  });

  it('keeps the newest events of collected names per user, capped, with accounts in the loaded profile', async () => {
    const [engine] = (await factory.open(1, { eventsPerName: 2 })) as [DeliveryEngine];
    expect(await engine.collect(new Set(['clicked', 'bought']), T0)).toEqual({ started: ['bought', 'clicked'], stopped: [] });
    expect(await engine.collectedNames()).toEqual(['bought', 'clicked']);
    const outcomes = await engine.ingest(
      [
        event('c2', 'ana', 'clicked', T0 + 2, { n: 2 }),
        event('c1', 'ana', 'clicked', T0 + 1),
        event('c3', 'ana', 'clicked', T0 + 3),
        event('c0', 'ana', 'clicked', T0),
        event('x1', 'ana', 'ignored', T0 + 5),
      ],
      T0,
    );
    expect(outcomes.map((o) => o !== null && !('refused' in o) && o.profile.collected)).toEqual([true, true, true, true, false]);
    expect(await engine.group({ id: 'g1', userId: 'ana', groupId: 'acme', ts: T0, traits: { tier: 'gold' } }, T0)).toEqual({ userId: 'ana', groupId: 'acme', traits: { tier: 'gold' } });
    expect(await engine.group({ id: 'g1', userId: 'ana', groupId: 'acme', ts: T0, traits: { tier: 'gold' } }, T0)).toBeNull();
    const loaded = await engine.loadProfile('ana');
    expect(loaded.profile.events.get('clicked')).toEqual([
      { id: 'c2', name: 'clicked', ts: T0 + 2, properties: { n: 2 } },
      { id: 'c3', name: 'clicked', ts: T0 + 3, properties: null },
    ]);
    expect(loaded.profile.events.get('bought')).toEqual([]);
    // At the cap, in a later slice: one older than every kept one goes at once, a newer one pushes the oldest out.
    await engine.ingest([event('c-old', 'ana', 'clicked', T0 - 5), event('c4', 'ana', 'clicked', T0 + 4)], T0 + 1);
    expect((await engine.loadProfile('ana')).profile.events.get('clicked')?.map((e) => e.id)).toEqual(['c3', 'c4']);
    expect(loaded.profile.accountIds).toEqual(['acme']);
    expect(loaded.accounts.get('acme')).toEqual({ tier: 'gold' });
    expect(await engine.accountTraits('acme')).toEqual({ tier: 'gold' });
    // A name no longer needed stops; its events go in batches.
    expect(await engine.collect(new Set(['bought']), T0 + 1)).toEqual({ started: [], stopped: ['clicked'] });
    expect(await engine.dropRetiredEvents(100)).toBe(2);
    expect((await engine.loadProfile('ana')).profile.events.has('clicked')).toBe(false);
  });

  it('assigns a user to a message once when decides on two nodes race', async () => {
    const [a, b] = (await factory.open(2)) as [DeliveryEngine, DeliveryEngine];
    const attempts = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).assign([{ messageId: 'm', userId: 'ana', group: 'exposed', now: T0 + i }]));
    const results = (await Promise.all(attempts)).flat();
    const applied = results.filter((r) => r !== null);
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({ record: { id: 'assigned:m:ana', name: 'message_assigned', data: { message_id: 'm', group: 'exposed' } } });
    expect(await b.isAssigned('m', 'ana')).toBe(true);
    expect(await b.isAssigned('m', 'bo')).toBe(false);
    const exported = await drain([a, b], 0, 10);
    expect(exported.rows.map((r) => r.record_id)).toEqual(['assigned:m:ana']);
  });

  it('exports every record exactly once, in one order, to a sync that switches nodes while two nodes ingest', async () => {
    const nodes = (await factory.open(2)) as [DeliveryEngine, DeliveryEngine];
    const slices = 12;
    const perSlice = 20;
    const ingesting = nodes.map(async (node, n) => {
      for (let s = 0; s < slices; s++) {
        const slice = Array.from({ length: perSlice }, (_, i) => event(`n${n}-s${s}-r${i}`, `user-${(s * perSlice + i) % 7}`, 'page_viewed', T0 + i));
        await node.ingest(slice, T0);
      }
    });
    let done = false;
    // Done either way: a failed ingest ends the sync loop and fails the test below.
    const all = Promise.all(ingesting).finally(() => {
      done = true;
    });
    const seen: RecordRow[] = [];
    let cursor = 0;
    for (let page = 0; !done || page % 2 === 1; page++) {
      const rows = await (nodes[page % 2] as DeliveryEngine).exportPage(cursor, 7);
      seen.push(...rows);
      if (rows.length > 0) cursor = (rows[rows.length - 1] as RecordRow).seq;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await all;
    seen.push(...(await drain(nodes, cursor, 7)).rows);
    const ids = seen.map((r) => r.record_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(2 * slices * perSlice);
    const positions = seen.map((r) => r.seq);
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
    // Both nodes serve the same order from any cursor.
    const fromA = await drain([nodes[0]], 0, 50);
    const fromB = await drain([nodes[1]], 0, 1000);
    expect(fromA.rows.map((r) => r.record_id)).toEqual(ids);
    expect(fromB.rows.map((r) => r.record_id)).toEqual(ids);
  });

  it('erases a user, with an erase marker at the end of the export, and answers a repeat from the earlier erasure', async () => {
    const [engine] = (await factory.open(1)) as [DeliveryEngine];
    await engine.publish({ id: 'm', version: 1, ...body(1), now: T0 });
    await engine.collect(new Set(['clicked']), T0);
    await engine.ingest(
      [
        identify('i1', 'ana', T0, { name: 'Ana' }),
        event('e1', 'ana', 'clicked', T0 + 1),
        event('e2', 'ana', 'message_shown', T0 + 2, { message_id: 'm' }),
        event('e3', 'ana', 'survey_answered', T0 + 3, { message_id: 'm', survey: 'nps', score: 9 }),
        event('e4', 'bo', 'message_shown', T0 + 2, { message_id: 'm' }),
      ],
      T0,
    );
    await engine.group({ id: 'g1', userId: 'ana', groupId: 'acme', ts: T0, traits: { tier: 'gold' } }, T0);
    await engine.assign([{ messageId: 'm', userId: 'ana', group: 'exposed', now: T0 }]);
    expect(await engine.eraseUser('nobody', T0)).toBeNull();
    const erasure = await engine.eraseUser('ana', T0 + DAY);
    expect(erasure).toMatchObject({ userId: 'ana', erasedAt: T0 + DAY, repeated: false, removed: { records: 6, traits: 1, accountMemberships: 1, messageResults: 4 } });
    expect(await engine.results('m')).toMatchObject({ shown: 1, answered: 0, promoters: 0 });
    const { profile } = await engine.loadProfile('ana');
    expect(profile).toMatchObject({ traits: {}, firstSeen: null, accountIds: [], lastShown: null, nps: null });
    expect(profile.events.get('clicked')).toEqual([]);
    expect(profile.shows.size).toBe(0);
    const exported = await drain([engine], 0, 3);
    expect(exported.rows.map((r) => r.type)).toEqual(['track', 'erase']);
    expect(exported.next).toBe(erasure?.seq);
    expect(await engine.isAssigned('m', 'ana')).toBe(false);
    expect(await engine.eraseUser('ana', T0 + 2 * DAY)).toMatchObject({ repeated: true, seq: erasure?.seq, erasedAt: T0 + DAY });
  });

  it('prunes expired records oldest first, step by step, with the profile store copies, never erase markers', async () => {
    const [engine] = (await factory.open(1)) as [DeliveryEngine];
    await engine.collect(new Set(['clicked']), T0);
    await engine.ingest([event('old1', 'ana', 'clicked', T0), event('old2', 'bo', 'clicked', T0 + 1)], T0);
    await engine.ingest([event('old3', 'ana', 'page_viewed', T0)], T0 + 1);
    await engine.ingest([identify('gone', 'cy', T0, { a: 1 })], T0 + 2);
    await engine.eraseUser('cy', T0 + 3);
    await engine.ingest([event('new1', 'ana', 'clicked', T0 + 5 * DAY)], T0 + 5 * DAY);
    const cutoff = T0 + DAY;
    expect(await engine.pruneStep(cutoff, 2)).toEqual({ deleted: 2, userIds: expect.arrayContaining(['ana', 'bo']) });
    expect(await engine.pruneStep(cutoff, 2)).toEqual({ deleted: 1, userIds: ['ana'] });
    expect(await engine.pruneStep(cutoff, 2)).toEqual({ deleted: 0, userIds: [] });
    const exported = await drain([engine], 0, 10);
    expect(exported.rows.map((r) => (r.type === 'erase' ? 'erase' : r.record_id))).toEqual(['erase', 'new1']);
    expect((await engine.loadProfile('ana')).profile.events.get('clicked')?.map((e) => e.id)).toEqual(['new1']);
    expect((await engine.loadProfile('bo')).profile.events.get('clicked')).toEqual([]);
  });

  it('reports itself reachable and migrated', async () => {
    const [engine] = (await factory.open(1)) as [DeliveryEngine];
    expect(await engine.health()).toMatchObject({ engine: factory.name, reachable: true, migrated: true, problem: null });
  });
});

describe('the PostgreSQL export under open transactions', () => {
  it('never passes over a record whose transaction commits after a later one was served', async () => {
    const { config, database } = await freshPostgres();
    const { engine } = await openPostgresEngine(config, { now: T0, pool: { max: 3 } });
    cleanups.push(() => engine.close());
    await engine.ingest([event('first', 'ana', 'clicked', T0)], T0);
    // A slice stored by another node, its transaction still open: its record took its seq first.
    const slow = new pg.Client({ host: database.cluster.host, port: database.cluster.port, user: database.cluster.user, password: database.cluster.password, database: database.name });
    await slow.connect();
    cleanups.push(() => slow.end());
    await slow.query('BEGIN');
    await slow.query('SELECT * FROM guidepost_ingest($1::jsonb, $2, $3)', [
      JSON.stringify([{ id: 'slow', type: 'track', kind: 'event', userId: 'bo', name: 'clicked', ts: T0, data: null, traits: null, traitTimes: null }]),
      T0,
      1000,
    ]);
    await engine.ingest([event('later', 'cy', 'clicked', T0)], T0);
    const seqs = (await database.query("SELECT record_id, seq FROM records WHERE record_id IN ('later', 'slow')")).rows as { record_id: string; seq: string }[];
    expect(Number(seqs.find((r) => r.record_id === 'later')?.seq)).toBeGreaterThan(2);
    const page = await engine.exportPage(0, 10);
    expect(page.map((r) => r.record_id)).toEqual(['first', 'later']);
    await slow.query('COMMIT');
    const rest = await engine.exportPage((page[page.length - 1] as RecordRow).seq, 10);
    expect(rest.map((r) => r.record_id)).toEqual(['slow']);
  });

});
