/**
 * The profile store (src/delivery/profile-store.ts, issue 16): bounded per user whatever a client sends,
 * first and last seen right whatever order records arrive in, frequency state that outlives the records,
 * names collected from the publish that needs them, erasure, and migration 5's backfill. Real servers on
 * loopback and real database files; the review's reproductions (a descending-timestamp batch for one
 * user) are asserted by structure (rows kept, rows written per record), never by time.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DELIVERY_APPLICATION_ID, openDeliveryDb, type DeliveryDb } from '../../src/delivery/db';
import { deliveryMigrations } from '../../src/delivery/migrations';
import { DEFAULT_PROFILE_EVENTS_PER_NAME } from '../../src/delivery/profile-store';
import { ProfileCache } from '../../src/delivery/profiles';
import { publishSchema } from '../../src/delivery/schemas';
import { createStore } from '../../src/delivery/store';
import type { NormalizedRecord } from '../../src/shared/event-spec';
import { migrate } from '../../src/shared/migrate';
import { DAY, HOUR, messageBody, storeProfileSource, T0, trackCall, useDeliveryServer, type Running } from './delivery-helpers';
import { useTempDir } from './helpers';

const start = useDeliveryServer();
const tempDir = useTempDir();

const reportRuns = (times: number): Record<string, unknown> => ({
  version: 1,
  match: 'all',
  conditions: [{ type: 'event', event: 'report_run', op: '>=', count: times }],
});

const count = (db: DeliveryDb, sql: string, ...params: unknown[]): number => db.prepare(sql).pluck().get(...params) as number;
const keptOf = (r: Running, userId: string): number =>
  count(r.db, 'SELECT count(*) FROM profile_events e JOIN profile_event_names n USING (collection) WHERE n.retired_at IS NULL AND e.user_id = ?', userId);
/** Rows inserted, updated or deleted on the server's connection so far. */
const changes = (r: Running): number => count(r.db, 'SELECT total_changes()');

/** `n` report_run calls for one user, newest first: each one older than every event stored before it. */
function descending(userId: string, from: number, n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => trackCall(userId, 'report_run', from - i * 1000, { i }));
}

describe('bounded per user', () => {
  it('a descending-timestamp flood keeps the cap of the name, writes the same few rows per record at any history size, and first/last seen stay right', async () => {
    const r = await start({ profileEventsPerName: 50 });
    await r.publish('heavy', { rule: reportRuns(1) });
    const perRecord: number[] = [];
    let oldest = T0;
    for (let batch = 0; batch < 6; batch++) {
      const before = changes(r);
      const reply = await r.track(descending('victim', oldest, 500));
      expect(reply.json.accepted).toBe(500);
      perRecord.push((changes(r) - before) / 500);
      oldest -= 500 * 1000;
      // Never past the cap, and the count beside the rows agrees.
      expect(keptOf(r, 'victim')).toBe(50);
      expect(count(r.db, 'SELECT count FROM profile_event_counts WHERE user_id = ?', 'victim')).toBe(50);
    }
    expect(count(r.db, "SELECT count(*) FROM records WHERE user_id = 'victim'")).toBe(3000);
    // The work per record does not grow with the user's history: the first batch and the last cost the same.
    // Past the cap, an event older than every kept one writes only its record and first seen.
    expect(Math.max(...perRecord)).toBeLessThanOrEqual(4);
    expect(perRecord[5]).toBe(2);
    expect(perRecord[1]).toBe(2);
    // The 50 kept are the newest: the first batch's first 50.
    const kept = r.db.prepare('SELECT ts FROM profile_events WHERE user_id = ? ORDER BY ts').pluck().all('victim') as number[];
    expect(kept[0]).toBe(T0 - 49 * 1000);
    expect(kept[49]).toBe(T0);
    const seen = r.db.prepare('SELECT first_seen, last_seen FROM profiles WHERE user_id = ?').get('victim');
    expect(seen).toEqual({ first_seen: T0 - 2999 * 1000, last_seen: T0 });
    // An identify older than everything moves first seen; a group call older still does not (it is not activity).
    await r.client('POST', '/v1/identify', { userId: 'victim', traits: { plan: 'pro' }, timestamp: new Date(T0 - 10 * DAY).toISOString() });
    await r.client('POST', '/v1/group', { userId: 'victim', groupId: 'acme', timestamp: new Date(T0 - 20 * DAY).toISOString() });
    expect(r.db.prepare('SELECT first_seen, last_seen FROM profiles WHERE user_id = ?').get('victim')).toEqual({ first_seen: T0 - 10 * DAY, last_seen: T0 });
    expect(await r.decideIds('victim')).toEqual(['heavy']);
  });

  it('the cache updated in place holds at most the cap per name, and equals what the store loads, after out-of-order batches', async () => {
    const { db } = openDeliveryDb(join(tempDir(), 'cache.db'));
    try {
      const store = createStore(db, { profileEventsPerName: 5 });
      const cache = new ProfileCache(storeProfileSource(store), 10);
      await cache.setNeededNames(new Set(['report_run']), T0);
      await cache.get('u1');
      const order = [7, 3, 9, 1, 12, 0, 11, 4, 8, 2, 10, 6, 5];
      store.transaction(() => {
        for (const k of order) {
          const record: NormalizedRecord = { kind: 'event', id: `r${k}`, userId: 'u1', name: 'report_run', ts: T0 - k * HOUR, data: { k } };
          const applied = store.ingest({ type: 'track', record }, T0);
          if (applied === null || 'refused' in applied) throw new Error('not stored');
          cache.apply(applied);
        }
      });
      const cached = await cache.get('u1');
      expect(cached.events.map((e) => e.id)).toEqual(['r4', 'r3', 'r2', 'r1', 'r0']);
      expect([cached.firstSeen, cached.lastSeen]).toEqual([T0 - 12 * HOUR, T0]);
      expect(await new ProfileCache(storeProfileSource(store), 0).get('u1')).toEqual(cached);
    } finally {
      db.close();
    }
  });

  it('a lowered cap reads only the newest and trims a (user, name) at its next event', async () => {
    const first = await start({ profileEventsPerName: 5 });
    await first.publish('m', { rule: reportRuns(3) });
    await first.track(descending('u1', T0, 5));
    expect(await first.decideIds('u1')).toEqual(['m']);
    await first.stop();
    const again = await start({ dir: first.dir, profileEventsPerName: 2 });
    expect(await again.decideIds('u1')).toEqual([]);
    expect(keptOf(again, 'u1')).toBe(5);
    await again.track([trackCall('u1', 'report_run', T0 + 1)]);
    expect(keptOf(again, 'u1')).toBe(2);
    expect(count(again.db, 'SELECT count FROM profile_event_counts')).toBe(2);
    expect(again.db.prepare('SELECT ts FROM profile_events ORDER BY ts').pluck().all()).toEqual([T0, T0 + 1]);
  });

  it(`keeps ${DEFAULT_PROFILE_EVENTS_PER_NAME.toLocaleString('en-US')} events per user and name unless told otherwise`, async () => {
    const r = await start();
    await r.publish('m', { rule: reportRuns(1) });
    for (let i = 0; i < 3; i++) await r.track(descending('u1', T0 - i * 400_000, 400));
    expect(keptOf(r, 'u1')).toBe(DEFAULT_PROFILE_EVENTS_PER_NAME);
  });

  it('past the cap a count sees the newest events only: "at least 5" cannot hold with a cap of 3, "at least 3" still does', async () => {
    const r = await start({ profileEventsPerName: 3 });
    await r.publish('five', { rule: reportRuns(5) });
    await r.publish('three', { kind: 'nps', rule: reportRuns(3) });
    await r.track(descending('u1', T0, 10));
    expect(await r.decideIds('u1')).toEqual(['three']);
  });
});

describe('frequency state apart from the records', () => {
  it('once-only, maxTimes and the cooldown hold after every record is deleted and the server restarts', async () => {
    const first = await start();
    await first.publish('once', { frequency: { once: true } });
    await first.publish('twice', { kind: 'nps', frequency: { maxTimes: 2 } });
    await first.publish('later', { kind: 'nps', priority: -1, cooldownHours: 24 });
    await first.identify('u1', { plan: 'pro' });
    await first.shown('u1', 'once');
    await first.shown('u1', 'twice');
    await first.shown('u1', 'twice');
    expect(await first.decideIds('u1')).toEqual([]);
    // Retention (another part of issue 16) prunes records; here every one goes at once.
    first.db.exec('DELETE FROM records');
    await first.stop();
    const again = await start({ dir: first.dir, start: T0 + HOUR });
    expect(await again.decideIds('u1')).toEqual([]);
    again.clock.advance(DAY);
    expect(await again.decideIds('u1')).toEqual(['later']);
    expect(again.db.prepare('SELECT message_id, times FROM message_shows ORDER BY message_id').all()).toEqual([
      { message_id: 'once', times: 1 },
      { message_id: 'twice', times: 2 },
    ]);
  });

  it('shows of message ids that were never published make no frequency rows', async () => {
    const r = await start();
    await r.track(Array.from({ length: 200 }, (_, i) => trackCall('u1', 'message_shown', T0, { message_id: `invented-${i}` })));
    expect(count(r.db, 'SELECT count(*) FROM message_shows')).toBe(0);
    expect(count(r.db, 'SELECT count(*) FROM profiles WHERE last_shown IS NOT NULL')).toBe(0);
  });

  it('an nps condition reads the latest NPS answer, however many other survey answers come after it', async () => {
    const r = await start({ profileEventsPerName: 2 });
    await r.publish('promoters', { rule: { version: 1, match: 'all', conditions: [{ type: 'nps', category: 'promoter' }] } });
    await r.track([trackCall('u1', 'survey_answered', T0 - DAY, { survey: 'nps', score: 10 })]);
    await r.track(Array.from({ length: 20 }, (_, i) => trackCall('u1', 'survey_answered', T0 - HOUR + i, { survey: 'csat', score: 1 })));
    expect(await r.decideIds('u1')).toEqual(['promoters']);
    await r.track([trackCall('u1', 'survey_answered', T0 - 2 * DAY, { survey: 'nps', score: 0 })]);
    expect(await r.decideIds('u1')).toEqual(['promoters']);
    await r.track([trackCall('u1', 'survey_answered', T0 - 1, { survey: 'nps', score: 3 })]);
    expect(await r.decideIds('u1')).toEqual([]);
  });
});

/** A survey message's answer: survey_answered with its message, question and answer, as the SDK sends it. */
const answered = (userId: string, ts: number, questionId: string, answer: Record<string, unknown>, messageId = 'csat'): Record<string, unknown> =>
  trackCall(userId, 'survey_answered', ts, { message_id: messageId, response_id: `resp-${ts}`, question_id: questionId, question_type: 'csat', survey: 'csat', locale: 'en', ...answer });
const csatAtMost2 = { version: 1, match: 'all', conditions: [{ type: 'survey', message: 'csat', question: 'sat', score: { max: 2 }, withinDays: 30 }] };
const surveyContent = { questions: [{ id: 'sat', type: 'csat', prompt: 'How satisfied are you?' }] };

describe('survey answers (the survey condition)', () => {
  it('decide reads the latest answer to the question in the window, whatever order answers arrive in, and after a restart', async () => {
    const r = await start({ profileEventsPerName: 2 });
    await r.publish('csat', { kind: 'survey', content: surveyContent });
    await r.publish('low-csat', { kind: 'banner', content: { body: 'Sorry!' }, rule: csatAtMost2 });
    await r.track([answered('u1', T0 - DAY, 'sat', { score: 1 }), answered('u2', T0 - DAY, 'sat', { score: 5 })]);
    expect(await r.decideIds('u1')).toContain('low-csat');
    expect(await r.decideIds('u2')).not.toContain('low-csat');
    // An older answer arriving later changes nothing; a newer one does, and so does an answer to another question.
    await r.track([answered('u1', T0 - 2 * DAY, 'sat', { score: 5 }), answered('u1', T0 - HOUR, 'other', { score: 5 })]);
    expect(await r.decideIds('u1')).toContain('low-csat');
    await r.track([answered('u2', T0 - HOUR, 'sat', { score: 2 })]);
    expect(await r.decideIds('u2')).toContain('low-csat');
    // Many events of the name past the cap of 2 (survey_answered is not a collected name here): the answer stays.
    await r.track(Array.from({ length: 5 }, (_, i) => answered('u2', T0 - HOUR + i, 'other', { score: 5 })));
    expect(await r.decideIds('u2')).toContain('low-csat');
    expect(count(r.db, 'SELECT count(*) FROM survey_answers')).toBe(4);
    // Loaded afresh after a restart, the same answers.
    await r.stop();
    const again = await start({ dir: r.dir, profileEventsPerName: 2 });
    again.clock.now = r.clock.now;
    expect(await again.decideIds('u1')).toContain('low-csat');
    expect(await again.decideIds('u2')).toContain('low-csat');
    // Thirty-one days on, u1's answer (a day old then) is out of the window.
    again.clock.days(30);
    expect(await again.decideIds('u1')).not.toContain('low-csat');
  });

  it('keeps answers only to messages that exist, for at most 10 questions per user and message, and never the free text', async () => {
    const r = await start();
    await r.publish('csat', { kind: 'survey', content: surveyContent });
    await r.track(Array.from({ length: 50 }, (_, i) => answered('u1', T0, `q${i}`, { score: 3 }, `invented-${i}`)));
    expect(count(r.db, 'SELECT count(*) FROM survey_answers')).toBe(0);
    await r.track(Array.from({ length: 30 }, (_, i) => answered('u1', T0 + i, `q${i}`, { choice: 'other', text: 'x'.repeat(500) })));
    expect(count(r.db, 'SELECT count(*) FROM survey_answers WHERE user_id = ?', 'u1')).toBe(10);
    // A kept question is still updated at the cap.
    await r.track([answered('u1', T0 + 100, 'q0', { score: 4 })]);
    expect(r.db.prepare("SELECT answer FROM survey_answers WHERE question_id = 'q0'").pluck().get()).toBe('{"score":4}');
    expect(count(r.db, "SELECT count(*) FROM survey_answers WHERE answer LIKE '%xxx%'")).toBe(0);
  });

  it('the cache updated in place equals what the store loads', async () => {
    const dir = tempDir();
    const { db } = openDeliveryDb(join(dir, 'delivery.db'), { now: T0 });
    try {
      db.prepare("INSERT INTO messages (id, version, body, state, published_at, updated_at) VALUES ('csat', 1, ?, 'running', 1, 1)").run(
        JSON.stringify(publishSchema.parse(messageBody({ kind: 'survey', content: surveyContent }))),
      );
      const store = createStore(db);
      const cache = new ProfileCache(storeProfileSource(store), 10);
      await cache.get('u1');
      const props = (questionId: string, answer: Record<string, unknown>) => ({ message_id: 'csat', question_id: questionId, survey: 'csat', ...answer });
      const records: NormalizedRecord[] = [
        { kind: 'event', id: 'a0', userId: 'u1', name: 'survey_answered', ts: T0, data: props('sat', { score: 3 }) },
        { kind: 'event', id: 'a1', userId: 'u1', name: 'survey_answered', ts: T0 - 1, data: props('sat', { score: 1 }) },
        { kind: 'event', id: 'a2', userId: 'u1', name: 'survey_answered', ts: T0, data: props('why', { choices: ['a', 'b'], text: 'free' }) },
        // A tie on the instant: the greater record id wins, in the cache as in the store.
        { kind: 'event', id: 'zz', userId: 'u1', name: 'survey_answered', ts: T0, data: props('sat', { score: 2 }) },
      ];
      store.transaction(() => {
        for (const record of records) {
          const applied = store.ingest({ type: 'track', record }, T0);
          if (applied === null || 'refused' in applied) throw new Error('not stored');
          cache.apply(applied);
        }
      });
      const fresh = await new ProfileCache(storeProfileSource(store), 0).get('u1');
      const byKey = (list: readonly { properties: Record<string, unknown> | null }[] | undefined) =>
        [...(list ?? [])].sort((a, b) => String(a.properties?.question_id).localeCompare(String(b.properties?.question_id)));
      expect(byKey((await cache.get('u1')).surveyAnswers)).toEqual(byKey(fresh.surveyAnswers));
      expect(byKey(fresh.surveyAnswers).map((a) => [a.properties?.question_id, a.properties?.score ?? a.properties?.choices])).toEqual([
        ['sat', 2],
        ['why', ['a', 'b']],
      ]);
    } finally {
      db.close();
    }
  });
});

describe('names collected from the publish that needs them', () => {
  it('a publish needing a name no profile kept says so, and its rule sees only what arrives after', async () => {
    const r = await start();
    await r.track([trackCall('u1', 'report_run', T0 - HOUR), trackCall('u1', 'report_run', T0 - 2 * HOUR)]);
    const reply = await r.admin('PUT', '/v1/messages/reporters', messageBody({ rule: reportRuns(1) }));
    expect(reply.status).toBe(201);
    expect(reply.json.warnings).toEqual([{ field: 'rule', message: expect.stringMatching(/"report_run".*from this publish on/) }]);
    expect(await r.decideIds('u1')).toEqual([]);
    await r.track([trackCall('u1', 'report_run', T0)]);
    expect(await r.decideIds('u1')).toEqual(['reporters']);
    // Already collected: nothing to say.
    const second = await r.admin('PUT', '/v1/messages/also', messageBody({ kind: 'nps', rule: reportRuns(1) }));
    expect(second.json.warnings).toEqual([]);
  });

  it('a name no live rule needs stops; its events are dropped in batches; needed again, it starts afresh', async () => {
    const r = await start();
    await r.publish('m', { rule: reportRuns(1) });
    await r.track(descending('u1', T0, 5));
    await r.track(descending('u2', T0, 2));
    expect(await r.decideIds('u1')).toEqual(['m']);
    await r.admin('DELETE', '/v1/messages/m');
    expect(count(r.db, 'SELECT count(*) FROM profile_event_names WHERE retired_at IS NULL')).toBe(0);
    // Not collected now: a new report_run is stored as a record only.
    await r.track([trackCall('u1', 'report_run', T0)]);
    expect(count(r.db, 'SELECT count(*) FROM profile_events')).toBe(7);
    const store = createStore(r.db);
    expect(store.profiles.dropRetiredEvents(4)).toBe(4);
    expect(store.profiles.dropRetiredEvents(4)).toBe(3);
    expect(store.profiles.dropRetiredEvents(4)).toBe(0);
    expect(count(r.db, 'SELECT count(*) FROM profile_events')).toBe(0);
    expect(count(r.db, 'SELECT count(*) FROM profile_event_counts')).toBe(0);
    expect(count(r.db, 'SELECT count(*) FROM profile_event_names')).toBe(0);
    const again = await r.admin('PUT', '/v1/messages/m', messageBody({ version: 2, rule: reportRuns(1) }));
    expect(again.json.warnings).toEqual([{ field: 'rule', message: expect.stringContaining('"report_run"') }]);
    expect(await r.decideIds('u1')).toEqual([]);
  });
});

describe('eraseUser', () => {
  it("removes the user's profile, memberships, kept events, frequency state and survey answers, and nobody else's", async () => {
    const r = await start();
    await r.publish('once', { rule: reportRuns(1), frequency: { once: true } });
    await r.publish('csat', { kind: 'survey', content: surveyContent });
    for (const userId of ['gone', 'stays']) {
      await r.identify(userId, { plan: 'pro' });
      await r.client('POST', '/v1/group', { userId, groupId: 'acme', traits: { tier: 'gold' } });
      await r.track([trackCall(userId, 'report_run', T0), trackCall(userId, 'survey_answered', T0, { survey: 'nps', score: 9 })]);
      await r.track([answered(userId, T0, 'sat', { score: 2 })]);
      await r.shown(userId, 'once');
    }
    const perUser = (userId: string): number[] =>
      ['profiles', 'account_members', 'profile_events', 'profile_event_counts', 'message_shows', 'survey_answers'].map((table) =>
        count(r.db, `SELECT count(*) FROM ${table} WHERE user_id = ?`, userId),
      );
    expect(perUser('gone')).toEqual([1, 1, 1, 1, 1, 1]);
    const store = createStore(r.db);
    const cache = new ProfileCache(storeProfileSource(store), 10);
    await cache.setNeededNames(new Set(['report_run']), T0);
    await cache.get('gone');
    store.profiles.eraseUser('gone');
    cache.forget('gone');
    expect(perUser('gone')).toEqual([0, 0, 0, 0, 0, 0]);
    expect(perUser('stays')).toEqual([1, 1, 1, 1, 1, 1]);
    expect(await cache.get('gone')).toEqual({ traits: {}, events: [], firstSeen: null, lastSeen: null, shows: new Map(), lastShown: null, nps: null, surveyAnswers: [], accounts: [] });
    expect(count(r.db, 'SELECT count(*) FROM accounts')).toBe(1);
  });
});

describe('migration 5', () => {
  /** A database at schema 4, before the profile store, with these messages and records; closed again. Returns its folder. */
  function schemaFourWith(
    messages: [string, Record<string, unknown>][],
    records: { user: string; name: string; ts: number; data?: unknown; group?: string }[],
  ): string {
    const dir = tempDir();
    const raw = new Database(join(dir, 'delivery.db'));
    migrate(raw, deliveryMigrations.slice(0, 4), { applicationId: DELIVERY_APPLICATION_ID, label: 'the delivery database', now: 1 });
    const message = raw.prepare("INSERT INTO messages (id, version, body, state, published_at, updated_at) VALUES (?, 1, ?, 'running', 1, 1)");
    for (const [id, overrides] of messages) message.run(id, JSON.stringify(publishSchema.parse(messageBody(overrides))));
    const insert = raw.prepare('INSERT INTO records (record_id, type, user_id, name, ts, data, group_id, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1)');
    records.forEach((r, i) =>
      insert.run(`r${i}`, r.group ? 'group' : r.name === '' ? 'identify' : 'track', r.user, r.name, r.ts, r.data === undefined ? null : JSON.stringify(r.data), r.group ?? null),
    );
    raw.close();
    return dir;
  }

  it('backfills first/last seen, frequency state, the latest NPS answer and the kept events, so decide answers as before', async () => {
    const dir = schemaFourWith(
      [
        ['once', { kind: 'banner', frequency: { once: true }, rule: { version: 1, match: 'all', conditions: [{ type: 'last_seen', op: 'within', days: 7 }] } }],
        ['pdf', { kind: 'nps', priority: 5, rule: { version: 1, match: 'any', conditions: [{ type: 'group', match: 'all', conditions: [{ type: 'event', event: 'report_run', op: '>=', count: 2, where: [{ property: 'format', op: 'eq', value: 'pdf' }] }] }] } }],
        ['fans', { kind: 'nps', priority: 1, rule: { version: 1, match: 'all', conditions: [{ type: 'nps', category: 'promoter' }] } }],
        ['new', { kind: 'nps', priority: 9, rule: { version: 1, match: 'all', conditions: [{ type: 'first_seen', op: 'within', days: 3 }] } }],
      ],
      [
        { user: 'shown', name: '', ts: T0 - DAY, data: { plan: 'pro' } },
        { user: 'shown', name: 'message_shown', ts: T0 - HOUR, data: { message_id: 'once' } },
        { user: 'quiet', name: '', ts: T0 - 30 * DAY },
        { user: 'quiet', name: 'x', ts: T0 - 2 * DAY },
        { user: 'quiet', name: '', ts: T0 - 40 * DAY, group: 'acme' },
        { user: 'reporter', name: 'report_run', ts: T0 - 5 * DAY, data: { format: 'pdf' } },
        { user: 'reporter', name: 'report_run', ts: T0 - 4 * DAY, data: { format: 'csv' } },
        { user: 'reporter', name: 'report_run', ts: T0 - 3 * DAY, data: { format: 'pdf' } },
        { user: 'fan', name: 'survey_answered', ts: T0 - 9 * DAY, data: { survey: 'nps', score: 2, message_id: 'fans' } },
        { user: 'fan', name: 'survey_answered', ts: T0 - 8 * DAY, data: { survey: 'nps', score: 10 } },
        { user: 'fan', name: 'survey_answered', ts: T0 - DAY, data: { survey: 'csat', score: 1 } },
      ],
    );
    // The server opens the file and upgrades it (openDeliveryDb applies migration 5).
    const r = await start({ dir });
    const db = r.db;
    expect(db.prepare('SELECT user_id, first_seen, last_seen, last_shown, nps_score FROM profiles ORDER BY user_id').all()).toEqual([
      { user_id: 'fan', first_seen: T0 - 9 * DAY, last_seen: T0 - DAY, last_shown: null, nps_score: 10 },
      { user_id: 'quiet', first_seen: T0 - 30 * DAY, last_seen: T0 - 2 * DAY, last_shown: null, nps_score: null },
      { user_id: 'reporter', first_seen: T0 - 5 * DAY, last_seen: T0 - 3 * DAY, last_shown: null, nps_score: null },
      { user_id: 'shown', first_seen: T0 - DAY, last_seen: T0 - HOUR, last_shown: T0 - HOUR, nps_score: null },
    ]);
    expect(db.prepare('SELECT name FROM profile_event_names').pluck().all()).toEqual(['report_run']);
    expect(count(db, 'SELECT count(*) FROM profile_events')).toBe(3);
    const answers = Object.fromEntries(await Promise.all(['shown', 'quiet', 'reporter', 'fan', 'nobody'].map(async (u) => [u, await r.decideIds(u)] as const)));
    expect(answers).toEqual({
      shown: ['new'],
      quiet: ['once'],
      reporter: ['pdf', 'once'],
      fan: ['fans', 'once'],
      nobody: [],
    });
  });
});

describe('migration 8', () => {
  it('backfills the latest answer per user, message and question from the records, so survey conditions see answers given before the upgrade', async () => {
    const dir = tempDir();
    const raw = new Database(join(dir, 'delivery.db'));
    // Upgraded from before the profile store: migration 5 backfills first and last seen, 8 the answers.
    migrate(raw, deliveryMigrations.slice(0, 4), { applicationId: DELIVERY_APPLICATION_ID, label: 'the delivery database', now: 1 });
    // The survey itself is paused (decide leaves it out); its answers are kept all the same.
    raw.prepare("INSERT INTO messages (id, version, body, state, published_at, updated_at) VALUES ('csat', 1, ?, 'paused', 1, 1)").run(
      JSON.stringify(publishSchema.parse(messageBody({ kind: 'survey', content: surveyContent }))),
    );
    const insert = raw.prepare("INSERT INTO records (record_id, type, user_id, name, ts, data, received_at) VALUES (?, 'track', ?, 'survey_answered', ?, ?, 1)");
    const rows: [string, string, number, Record<string, unknown>][] = [
      ['a1', 'low', T0 - 3 * DAY, { message_id: 'csat', question_id: 'sat', score: 5 }],
      ['a2', 'low', T0 - DAY, { message_id: 'csat', question_id: 'sat', score: 1, text: 'slow' }],
      ['a3', 'low', T0 - DAY, { message_id: 'csat', question_id: 'why', choices: ['price', 'speed'], flag: true }],
      // A tie on the instant: the greater record id wins.
      ['b2', 'tie', T0 - DAY, { message_id: 'csat', question_id: 'sat', score: 2 }],
      ['b1', 'tie', T0 - DAY, { message_id: 'csat', question_id: 'sat', score: 5 }],
      ['c1', 'high', T0 - DAY, { message_id: 'csat', question_id: 'sat', score: 5 }],
      ['d1', 'elsewhere', T0 - DAY, { message_id: 'gone', question_id: 'sat', score: 1 }],
      ['e1', 'numeric', T0 - DAY, { message_id: 'csat', question_id: 7, score: 1 }],
      ['f1', 'nps', T0 - DAY, { survey: 'nps', score: 1 }],
    ];
    for (const [id, user, ts, data] of rows) insert.run(id, user, ts, JSON.stringify(data));
    raw.close();
    const r = await start({ dir });
    expect(r.db.prepare('SELECT user_id, question_id, record_id, answer FROM survey_answers ORDER BY user_id, question_id').all()).toEqual([
      { user_id: 'high', question_id: 'sat', record_id: 'c1', answer: '{"score":5}' },
      { user_id: 'low', question_id: 'sat', record_id: 'a2', answer: '{"score":1}' },
      { user_id: 'low', question_id: 'why', record_id: 'a3', answer: '{"choices":["price","speed"]}' },
      { user_id: 'tie', question_id: 'sat', record_id: 'b2', answer: '{"score":2}' },
    ]);
    await r.publish('low-csat', { kind: 'banner', content: { body: 'Sorry!' }, rule: csatAtMost2 });
    await r.publish('price', { rule: { version: 1, match: 'all', conditions: [{ type: 'survey', message: 'csat', question: 'why', choice: 'price' }] } });
    const answers = Object.fromEntries(await Promise.all(['low', 'tie', 'high', 'elsewhere'].map(async (u) => [u, await r.decideIds(u)] as const)));
    expect(answers).toEqual({ low: ['low-csat', 'price'], tie: ['low-csat'], high: [], elsewhere: [] });
  });
});
