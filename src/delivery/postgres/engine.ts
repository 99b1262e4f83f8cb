/**
 * The PostgreSQL engine of the DeliveryEngine interface (engine/types.ts): any number of stateless nodes
 * share one database through a pg pool each. The rules of store.ts and profile-store.ts hold here the
 * same, and the ones that must hold across nodes are the database's:
 *
 * - publish is a conditional upsert (applies only when newer and with the first holdout), under the row's lock;
 * - an Idempotency-Key is a primary key: a second save loses and reads the first answer; same-key admin
 *   changes take turns through a session advisory lock on the key (withIdempotencyKey);
 * - a slice of records is one call of guidepost_ingest (migration 0001): one round trip, one transaction,
 *   each record inserted ON CONFLICT DO NOTHING RETURNING seq, results and profile applied in the database.
 *   An identify call merges its traits here in TypeScript (mergeTrait, the caps: the same code as SQLite's),
 *   so a slice holding identify calls takes five round trips more: BEGIN, the users' locks, their traits and
 *   the ids already stored, COMMIT. Each transaction locks its users (advisory, in one order), so two nodes storing
 *   records of one user take turns and never deadlock;
 * - an assignment is its unique message_assigned record (guidepost_assign, one round trip per batch).
 *
 * The export is commit-safe. A record's seq comes from a sequence at insert, so a plain `seq > after` could
 * pass over a record whose transaction commits after a later one was served. Instead the export serves
 * `pos`, an export position given after commit (guidepost_assign_positions): the givers take turns on the
 * export_position row, each reads only committed records and commits before the next one reads, so the
 * positions readers see always form a prefix, and a record still in an open transaction gets a position
 * later, above every position served so far. (A filter by `xid8 < pg_snapshot_xmin(...)` alone would not do
 * with the seq as cursor: a transaction that took its xid early can insert after a later one took its seq,
 * and a single-number cursor, which the companion's sync keeps, cannot carry the (xid, seq) pair.)
 * Positions are given when a page runs short of them, so ingestion never waits for the export.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ApiError } from '../../shared/errors';
import type { MigrateResult } from '../../shared/migrate';
import { ASSIGNED_EVENT, assignmentRecordId, MAX_ACCOUNTS_PER_USER, mergeTraits, RESULT_METRICS, type MergedTraits } from '../store';
import type { Applied, GroupApplied, IdempotentAnswer, MessageRow, RecordRow, Results } from '../store';
import { ERASE_MARKER_TYPE, type ErasedCounts, type Erasure } from '../erasure';
import { DEFAULT_PROFILE_EVENTS_PER_NAME, surveyAnswerKey, surveyAnswerOf, type MessageShows, type StoredProfile } from '../profile-store';
import { KEPT_FOR_FREQUENCY, KEPT_FOR_LIFT, type PrunedRecord } from '../retention';
import type { JsonObject } from '../schemas';
import type { ProfileEvent } from '../../shared/segments/evaluate';
import { NPS_EVENT } from '../../shared/segments/values';
import type { DeliveryEngine, IngestOutcome, PublishOutcome, StateOutcome } from '../engine/types';
import { holdoutOf } from '../engine/types';
import { createDeliveryPool, type DeliveryDatabase, type PoolOptions } from './connection';
import { migratePostgres, MIGRATIONS_TABLE } from './migrate';
import { postgresDeliveryMigrations } from './migrations';

/** Advisory lock class ids (two-int form), as migration 0001 lists them. */
const LOCK_ACCOUNT = 0x47504402;
const LOCK_COLLECT = 0x47504403;
const LOCK_IDEMPOTENCY_KEY = 0x47504404;

/** bigint (int8) columns as numbers: times in ms, seqs and counts all stay below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: string) => (oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser,
};

type Queryable = pg.Pool | pg.PoolClient;

async function query<R extends pg.QueryResultRow>(on: Queryable, text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
  return on.query<R>({ text, values, types });
}

export interface PostgresEngineOptions {
  /** Events kept per user and collected event name (profile-store.ts DEFAULT_PROFILE_EVENTS_PER_NAME). */
  profileEventsPerName?: number;
  /** End the pool in close() (when the engine's caller made it for the engine alone). */
  endPool?: boolean;
}

interface ProfileJson {
  profile: { traits: string; first_seen: number | null; last_seen: number | null; last_shown: number | null; nps_ts: number | null; nps_record_id: string | null; nps_score: number | null } | null;
  accounts: { groupId: string; traits: string }[];
  shows: { messageId: string; times: number; firstShown: number; lastShown: number }[];
  events: { name: string; events: { id: string; ts: number; data: string | null }[] }[];
  surveyAnswers: { messageId: string; questionId: string; ts: number; recordId: string; answer: JsonObject }[];
}

/** One user's whole profile, with the traits of the user's accounts, in one statement. */
const LOAD_PROFILE = `
SELECT
  (SELECT row_to_json(p) FROM (SELECT traits, first_seen, last_seen, last_shown, nps_ts, nps_record_id, nps_score FROM profiles WHERE user_id = $1) AS p) AS profile,
  (SELECT coalesce(json_agg(json_build_object('groupId', m.group_id, 'traits', coalesce(a.traits, '{}')) ORDER BY m.group_id), '[]')
     FROM account_members AS m LEFT JOIN accounts AS a ON a.group_id = m.group_id WHERE m.user_id = $1) AS accounts,
  (SELECT coalesce(json_agg(json_build_object('messageId', message_id, 'times', times, 'firstShown', first_shown, 'lastShown', last_shown)), '[]')
     FROM message_shows WHERE user_id = $1) AS shows,
  (SELECT coalesce(json_agg(json_build_object('name', n.name, 'events',
      (SELECT coalesce(json_agg(json_build_object('id', e.record_id, 'ts', e.ts, 'data', e.data) ORDER BY e.ts, e.record_id), '[]')
         FROM (SELECT record_id, ts, data FROM profile_events WHERE collection = n.collection AND user_id = $1 ORDER BY ts DESC, record_id DESC LIMIT $2) AS e))), '[]')
     FROM profile_event_names AS n WHERE n.retired_at IS NULL) AS events,
  (SELECT coalesce(json_agg(json_build_object('messageId', message_id, 'questionId', question_id, 'ts', ts, 'recordId', record_id, 'answer', answer)), '[]')
     FROM survey_answers WHERE user_id = $1) AS "surveyAnswers"`;

/**
 * Prunes one step of expired records and the profile store's kept copies of them (retention.ts), in one
 * statement: the copies of live collections go, and their counts drop by as many.
 */
const PRUNE_STEP = `
WITH doomed AS (
  DELETE FROM records WHERE seq IN (
    SELECT seq FROM records WHERE received_at < $1 AND type <> '${ERASE_MARKER_TYPE}' AND NOT (name = ANY($3::text[])) ORDER BY received_at LIMIT $2)
  RETURNING user_id, name, ts, record_id),
forgotten AS (
  DELETE FROM profile_events AS e USING doomed AS d, profile_event_names AS n
   WHERE n.name = d.name AND n.retired_at IS NULL AND e.collection = n.collection AND e.user_id = d.user_id AND e.ts = d.ts AND e.record_id = d.record_id
  RETURNING e.collection, e.user_id),
recounted AS (
  UPDATE profile_event_counts AS c SET count = greatest(c.count - f.n, 0)
    FROM (SELECT collection, user_id, count(*) AS n FROM forgotten GROUP BY collection, user_id) AS f
   WHERE c.collection = f.collection AND c.user_id = f.user_id
  RETURNING 1)
SELECT user_id AS "userId", name, ts, record_id AS "recordId", (SELECT count(*) FROM recounted) AS recounted FROM doomed`;

export function createPostgresEngine(pool: pg.Pool, options: PostgresEngineOptions = {}): DeliveryEngine {
  const cap = options.profileEventsPerName ?? DEFAULT_PROFILE_EVENTS_PER_NAME;
  if (!Number.isInteger(cap) || cap < 1) throw new Error(`eventsPerName must be a whole number of at least 1, not ${cap}`);
  /** Admin changes under an Idempotency-Key on this node, one at a time: each holds one connection for its lock. */
  let keyedTail: Promise<unknown> = Promise.resolve();

  const transaction = async <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (err) {
      // A connection whose rollback fails is broken: the pool drops it instead of handing it out again.
      const rolledBack = await client.query('ROLLBACK').then(
        () => true,
        () => false,
      );
      client.release(rolledBack ? undefined : true);
      throw err;
    }
  };

  const messageRow = async (on: Queryable, id: string, lock = false): Promise<MessageRow | undefined> =>
    (await query<MessageRow>(on, `SELECT id, version, body, state, published_at, updated_at FROM messages WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])).rows[0];

  const accountTraits = async (on: Queryable, groupId: string): Promise<{ traits: JsonObject; traitTimes: Record<string, number> }> => {
    const row = (await query<{ traits: string; trait_times: string }>(on, 'SELECT traits, trait_times FROM accounts WHERE group_id = $1', [groupId])).rows[0];
    return row ? { traits: JSON.parse(row.traits) as JsonObject, traitTimes: JSON.parse(row.trait_times) as Record<string, number> } : { traits: {}, traitTimes: {} };
  };

  return {
    kind: 'postgres',
    eventsPerName: cap,
    messages: async () => (await query<MessageRow>(pool, "SELECT id, version, body, state, published_at, updated_at FROM messages WHERE state <> 'deleted' ORDER BY id")).rows,
    message: (id) => messageRow(pool, id),

    publish: ({ id, version, body, holdout, now }) =>
      transaction(async (client): Promise<PublishOutcome> => {
        const prior = await messageRow(client, id, true);
        if (prior && prior.version >= version) return { outcome: 'conflict', reason: 'version', stored: prior };
        if (prior && holdoutOf(prior.body) !== holdout) return { outcome: 'conflict', reason: 'holdout', stored: prior };
        // The conditions again in the upsert: a first publish of the same id on another node may commit between
        // the read and the insert (no row to lock yet); then the insert meets its row and applies only when newer.
        const upserted = await query<MessageRow & { inserted: boolean }>(
          client,
          `INSERT INTO messages (id, version, body, state, published_at, updated_at) VALUES ($1, $2, $3, 'running', $4, $4)
           ON CONFLICT (id) DO UPDATE SET version = excluded.version, body = excluded.body,
             state = CASE WHEN messages.state = 'deleted' THEN 'running' ELSE messages.state END,
             published_at = excluded.published_at, updated_at = excluded.updated_at
           WHERE messages.version < excluded.version
             AND (CASE WHEN jsonb_typeof(messages.body::jsonb -> 'holdout') = 'number' THEN (messages.body::jsonb ->> 'holdout')::float8 ELSE 0 END) = $5
           RETURNING id, version, body, state, published_at, updated_at, (xmax = 0) AS inserted`,
          [id, version, body, now, holdout],
        );
        const applied = upserted.rows[0];
        if (!applied) {
          const stored = (await messageRow(client, id)) as MessageRow;
          return { outcome: 'conflict', reason: stored.version >= version ? 'version' : 'holdout', stored };
        }
        await query(
          client,
          `INSERT INTO message_versions (id, version, body, published_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (id, version) DO UPDATE SET body = excluded.body, published_at = excluded.published_at`,
          [id, version, body, now],
        );
        const { inserted, ...row } = applied;
        return { outcome: 'applied', row, created: inserted || prior?.state === 'deleted' };
      }),

    setState: (id, state, now) =>
      transaction(async (client): Promise<StateOutcome> => {
        const stored = await messageRow(client, id, true);
        if (!stored || stored.state === 'deleted') return { outcome: 'missing' };
        if (stored.state === 'ended' && state !== 'ended' && state !== 'deleted') return { outcome: 'ended', stored };
        if (stored.state === state) return { outcome: 'applied', row: stored };
        const updated = await query<MessageRow>(
          client,
          'UPDATE messages SET state = $2, updated_at = $3 WHERE id = $1 RETURNING id, version, body, state, published_at, updated_at',
          [id, state, now],
        );
        return { outcome: 'applied', row: updated.rows[0] as MessageRow };
      }),

    collectedNames: async () =>
      (await query<{ name: string }>(pool, 'SELECT name FROM profile_event_names WHERE retired_at IS NULL ORDER BY name')).rows.map((r) => r.name),

    collect: (names, now) =>
      transaction(async (client) => {
        await query(client, 'SELECT pg_advisory_xact_lock($1, 0)', [LOCK_COLLECT]);
        const live = (await query<{ collection: number; name: string }>(client, 'SELECT collection, name FROM profile_event_names WHERE retired_at IS NULL')).rows;
        const stopped = live.filter((row) => !names.has(row.name));
        const liveNames = new Set(live.map((row) => row.name));
        const started = [...names].filter((name) => !liveNames.has(name)).sort();
        if (stopped.length > 0) {
          await query(client, 'UPDATE profile_event_names SET retired_at = $1 WHERE collection = ANY($2::bigint[])', [now, stopped.map((row) => row.collection)]);
        }
        if (started.length > 0) {
          await query(client, 'INSERT INTO profile_event_names (name, since) SELECT n, $1 FROM unnest($2::text[]) AS n', [now, started]);
        }
        return { started, stopped: stopped.map((row) => row.name).sort() };
      }),

    dropRetiredEvents: async (limit) => (await query<{ dropped: number }>(pool, 'SELECT guidepost_drop_retired($1) AS dropped', [limit])).rows[0]?.dropped ?? 0,

    idempotent: async (key) =>
      (await query<IdempotentAnswer>(pool, 'SELECT request_hash, status, body FROM idempotency WHERE key = $1', [key])).rows[0],

    async saveIdempotent(save, pruneBefore) {
      const inserted = await query(
        pool,
        'INSERT INTO idempotency (key, request_hash, status, body, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING',
        [save.key, save.requestHash, save.status, save.body, save.now],
      );
      if (inserted.rowCount === 0) {
        const stored = (await query<IdempotentAnswer>(pool, 'SELECT request_hash, status, body FROM idempotency WHERE key = $1', [save.key])).rows[0];
        if (stored) return { saved: false, stored };
      }
      await query(pool, 'DELETE FROM idempotency WHERE created_at < $1', [pruneBefore]);
      return { saved: true };
    },

    withIdempotencyKey<T>(key: string, change: () => Promise<T>): Promise<T> {
      const run = async (): Promise<T> => {
        const client = await pool.connect();
        let broken = false;
        try {
          await query(client, 'SELECT pg_advisory_lock($1, hashtext($2))', [LOCK_IDEMPOTENCY_KEY, key]);
          try {
            return await change();
          } finally {
            await query(client, 'SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_IDEMPOTENCY_KEY, key]).catch(() => {
              // A session lock that cannot be released goes with its connection.
              broken = true;
            });
          }
        } finally {
          client.release(broken || undefined);
        }
      };
      const result = keyedTail.then(run, run);
      keyedTail = result.catch(() => undefined);
      return result;
    },

    async ingest(slice, receivedAt) {
      if (slice.length === 0) return [];
      const outcomes: IngestOutcome[] = slice.map(() => null);
      const identifies = slice.map((incoming, index) => ({ incoming, index })).filter(({ incoming }) => incoming.record.kind === 'identify' && incoming.record.data);

      const store = async (client: Queryable, merged: Map<number, MergedTraits>): Promise<void> => {
        const sent: number[] = [];
        const payload: unknown[] = [];
        slice.forEach(({ record, type }, index) => {
          if (outcomes[index] !== null) return;
          const traits = merged.get(index);
          sent.push(index);
          payload.push({
            id: record.id,
            type,
            kind: record.kind,
            userId: record.userId,
            name: record.kind === 'identify' ? '' : record.name,
            ts: record.ts,
            data: record.data ? JSON.stringify(record.data) : null,
            traits: traits?.json ?? null,
            traitTimes: traits?.times ?? null,
          });
        });
        if (payload.length === 0) return;
        const rows = (
          await query<{ o_idx: number; o_seq: number | null; o_collected: boolean | null; o_shown_message_id: string | null; o_nps_ts: number | null; o_nps_record_id: string | null; o_nps_score: number | null; o_survey_kept: boolean | null }>(
            client,
            'SELECT * FROM guidepost_ingest($1::jsonb, $2, $3)',
            [JSON.stringify(payload), receivedAt, cap],
          )
        ).rows;
        for (const row of rows) {
          const index = sent[row.o_idx] as number;
          if (row.o_seq === null) continue;
          const { record } = slice[index] as (typeof slice)[number];
          const nps = row.o_nps_ts !== null && row.o_nps_record_id !== null && row.o_nps_score !== null ? { ts: row.o_nps_ts, recordId: row.o_nps_record_id, score: row.o_nps_score } : null;
          outcomes[index] = {
            record,
            traits: merged.get(index)?.traits ?? null,
            profile: { collected: row.o_collected === true, shownMessageId: row.o_shown_message_id, nps, surveyAnswer: row.o_survey_kept === true ? surveyAnswerOf(record) : null },
          } satisfies Applied;
        }
      };
      if (identifies.length === 0) {
        await store(pool, new Map());
      } else {
        await transaction(async (client) => {
          const users = [...new Set(identifies.map(({ incoming }) => incoming.record.userId))];
          await query(client, 'SELECT guidepost_lock_users($1::text[])', [users]);
          const held = (await query<{ user_id: string; traits: string; trait_times: string }>(client, 'SELECT user_id, traits, trait_times FROM profiles WHERE user_id = ANY($1::text[])', [users])).rows;
          const existing = new Set(
            (await query<{ record_id: string }>(client, 'SELECT record_id FROM records WHERE record_id = ANY($1::text[])', [identifies.map(({ incoming }) => incoming.record.id)])).rows.map((r) => r.record_id),
          );
          const current = new Map(held.map((row) => [row.user_id, { traits: JSON.parse(row.traits) as JsonObject, traitTimes: JSON.parse(row.trait_times) as Record<string, number> }]));
          const merged = new Map<number, MergedTraits>();
          const seen = new Set<string>();
          for (const { incoming, index } of identifies) {
            const { record } = incoming;
            // The same merge as store.ts ingest, on a copy: a refused call leaves the user's traits as they were.
            const before = current.get(record.userId) ?? { traits: {}, traitTimes: {} };
            const result = mergeTraits({ traits: structuredClone(before.traits), traitTimes: { ...before.traitTimes } }, record.data as JsonObject, record.ts, 'user');
            if ('refused' in result) {
              outcomes[index] = result;
              continue;
            }
            // A duplicate (stored before, or earlier in this slice) merges nothing; the function reports it.
            if (existing.has(record.id) || seen.has(record.id)) continue;
            seen.add(record.id);
            current.set(record.userId, { traits: result.traits, traitTimes: JSON.parse(result.times) as Record<string, number> });
            merged.set(index, result);
          }
          await store(client, merged);
        });
      }
      return outcomes;
    },

    group: (call, receivedAt) =>
      transaction(async (client): Promise<GroupApplied | null> => {
        await query(client, 'SELECT guidepost_lock_users(ARRAY[$1::text]), pg_advisory_xact_lock($2, hashtext($3))', [call.userId, LOCK_ACCOUNT, call.groupId]);
        if ((await query(client, 'SELECT 1 FROM records WHERE record_id = $1', [call.id])).rowCount !== 0) return null;
        const membership = (
          await query<{ member: boolean; memberships: number }>(
            client,
            'SELECT EXISTS (SELECT 1 FROM account_members WHERE user_id = $1 AND group_id = $2) AS member, (SELECT count(*) FROM account_members WHERE user_id = $1) AS memberships',
            [call.userId, call.groupId],
          )
        ).rows[0] as { member: boolean; memberships: number };
        if (!membership.member && membership.memberships >= MAX_ACCOUNTS_PER_USER) {
          return { refused: `the user already belongs to ${MAX_ACCOUNTS_PER_USER} accounts, the most one user may` };
        }
        const merged = mergeTraits(await accountTraits(client, call.groupId), call.traits ?? {}, call.ts, 'account');
        if ('refused' in merged) return merged;
        const data = call.traits && Object.keys(call.traits).length > 0 ? JSON.stringify(call.traits) : null;
        await query(
          client,
          `INSERT INTO records (record_id, type, user_id, name, ts, data, group_id, received_at) VALUES ($1, 'group', $2, '', $3, $4, $5, $6)`,
          [call.id, call.userId, call.ts, data, call.groupId, receivedAt],
        );
        await query(
          client,
          `INSERT INTO accounts (group_id, traits, trait_times) VALUES ($1, $2, $3)
           ON CONFLICT (group_id) DO UPDATE SET traits = excluded.traits, trait_times = excluded.trait_times`,
          [call.groupId, merged.json, merged.times],
        );
        await query(
          client,
          `INSERT INTO account_members (user_id, group_id, since) VALUES ($1, $2, $3)
           ON CONFLICT (user_id, group_id) DO UPDATE SET since = least(account_members.since, excluded.since)`,
          [call.userId, call.groupId, call.ts],
        );
        return { userId: call.userId, groupId: call.groupId, traits: merged.traits };
      }),

    accountTraits: async (groupId) => (await accountTraits(pool, groupId)).traits,

    async loadProfile(userId) {
      const row = (await query<ProfileJson>(pool, LOAD_PROFILE, [userId, cap])).rows[0] as ProfileJson;
      const p = row.profile;
      const events = new Map<string, ProfileEvent[]>();
      for (const { name, events: kept } of row.events) {
        events.set(
          name,
          kept.map((e) => ({ id: e.id, name, ts: e.ts, properties: e.data === null ? null : (JSON.parse(e.data) as JsonObject) })),
        );
      }
      const shows = new Map<string, MessageShows>(row.shows.map((s) => [s.messageId, { times: s.times, firstShown: s.firstShown, lastShown: s.lastShown }]));
      const profile: StoredProfile = {
        firstSeen: p?.first_seen ?? null,
        lastSeen: p?.last_seen ?? null,
        traits: p ? (JSON.parse(p.traits) as JsonObject) : {},
        accountIds: row.accounts.map((a) => a.groupId),
        events,
        shows,
        lastShown: p?.last_shown ?? null,
        nps: p && p.nps_ts !== null && p.nps_record_id !== null && p.nps_score !== null ? { ts: p.nps_ts, recordId: p.nps_record_id, score: p.nps_score } : null,
        surveyAnswers: new Map(
          row.surveyAnswers.map((a) => {
            const answer: ProfileEvent = { id: a.recordId, name: NPS_EVENT, ts: a.ts, properties: { message_id: a.messageId, question_id: a.questionId, ...a.answer } };
            return [surveyAnswerKey(answer), answer];
          }),
        ),
      };
      return { profile, accounts: new Map(row.accounts.map((a) => [a.groupId, JSON.parse(a.traits) as JsonObject])) };
    },

    isAssigned: async (messageId, userId) => (await query(pool, 'SELECT 1 FROM records WHERE record_id = $1', [assignmentRecordId(messageId, userId)])).rowCount !== 0,

    async assign(batch) {
      if (batch.length === 0) return [];
      const payload = batch.map((a) => ({
        messageId: a.messageId,
        userId: a.userId,
        group: a.group,
        now: a.now,
        recordId: assignmentRecordId(a.messageId, a.userId),
        data: JSON.stringify({ message_id: a.messageId, group: a.group }),
      }));
      const rows = (await query<{ o_idx: number; o_seq: number | null; o_collected: boolean | null }>(pool, 'SELECT * FROM guidepost_assign($1::jsonb, $2)', [JSON.stringify(payload), cap])).rows;
      return rows.map((row): Applied | null => {
        const a = batch[row.o_idx] as (typeof batch)[number];
        if (row.o_seq === null) return null;
        return {
          record: { kind: 'event', id: assignmentRecordId(a.messageId, a.userId), userId: a.userId, name: ASSIGNED_EVENT, ts: a.now, data: { message_id: a.messageId, group: a.group } },
          traits: null,
          profile: { collected: row.o_collected === true, shownMessageId: null, nps: null, surveyAnswer: null },
        };
      });
    },

    async results(messageId) {
      const results = Object.fromEntries(RESULT_METRICS.map((m) => [m, 0])) as Results;
      for (const row of (await query<{ metric: string; count: number }>(pool, 'SELECT metric, count FROM message_results WHERE message_id = $1', [messageId])).rows) {
        if ((RESULT_METRICS as readonly string[]).includes(row.metric)) results[row.metric as keyof Results] = row.count;
      }
      return results;
    },

    async exportPage(after, limit) {
      const page = (): Promise<pg.QueryResult<RecordRow>> =>
        query<RecordRow>(pool, 'SELECT pos AS seq, record_id, type, user_id, name, ts, data, group_id FROM records WHERE pos > $1 ORDER BY pos LIMIT $2', [after, limit]);
      const first = await page();
      if (first.rows.length >= limit) return first.rows;
      // The page runs short: give positions to the records committed since (a batch, in insert order) and read again.
      const given = (await query<{ given: number }>(pool, 'SELECT guidepost_assign_positions($1) AS given', [limit])).rows[0]?.given ?? 0;
      return given === 0 ? first.rows : (await page()).rows;
    },

    eraseUser: (userId, now) =>
      transaction(async (client): Promise<Erasure | null> => {
        // The export position row first, as guidepost_assign_positions takes it: deleting the user's records
        // while holding it never waits in a cycle with a giver of positions.
        await query(client, 'SELECT last FROM export_position FOR UPDATE');
        await query(client, 'SELECT guidepost_lock_users(ARRAY[$1::text])', [userId]);
        await query(
          client,
          `UPDATE message_results SET count = count - 1
            WHERE (message_id, metric) IN (SELECT message_id, metric FROM message_result_users WHERE user_id = $1)`,
          [userId],
        );
        await query(
          client,
          `UPDATE message_results SET count = count - 1
            WHERE (message_id, metric) IN (SELECT message_id, category FROM message_nps_answers WHERE user_id = $1)`,
          [userId],
        );
        const count = async (sql: string): Promise<number> => (await query(client, sql, [userId])).rowCount ?? 0;
        // The user's assignments are their message_assigned records; counted among the records and the message results, as in SQLite (erasure.ts).
        const assignments = await count(`DELETE FROM records WHERE user_id = $1 AND name = '${ASSIGNED_EVENT}'`);
        const removed: ErasedCounts = {
          records: (await count(`DELETE FROM records WHERE user_id = $1 AND type <> '${ERASE_MARKER_TYPE}'`)) + assignments,
          traits: await count('DELETE FROM profiles WHERE user_id = $1'),
          accountMemberships: await count('DELETE FROM account_members WHERE user_id = $1'),
          messageResults:
            (await count('DELETE FROM message_result_users WHERE user_id = $1')) + (await count('DELETE FROM message_nps_answers WHERE user_id = $1')) + assignments,
        };
        // The profile store's part (ProfileStore.eraseUser): frequency state and kept events of every collection.
        await count('DELETE FROM message_shows WHERE user_id = $1');
        await count('DELETE FROM survey_answers WHERE user_id = $1');
        await count('DELETE FROM profile_events WHERE user_id = $1');
        await count('DELETE FROM profile_event_counts WHERE user_id = $1');
        const earlier = (await query<{ erased_at: number; seq: number }>(client, 'SELECT erased_at, seq FROM erasures WHERE user_id = $1', [userId])).rows[0];
        const anything = removed.records + removed.traits + removed.accountMemberships + removed.messageResults > 0;
        if (!anything) return earlier ? { userId, erasedAt: earlier.erased_at, seq: earlier.seq, removed, repeated: true } : null;
        // The marker's position comes after every record committed so far: those get theirs first.
        await query(client, 'SELECT guidepost_assign_positions(NULL)');
        const position = (await query<{ last: number }>(client, 'UPDATE export_position SET last = last + 1 RETURNING last')).rows[0]?.last as number;
        await query(
          client,
          `INSERT INTO records (record_id, type, user_id, name, ts, data, received_at, pos) VALUES ($1, '${ERASE_MARKER_TYPE}', '', '', $2, $3, $2, $4)`,
          [`erase-${randomUUID()}`, now, JSON.stringify({ userId }), position],
        );
        await query(
          client,
          `INSERT INTO erasures (user_id, erased_at, seq) VALUES ($1, $2, $3)
           ON CONFLICT (user_id) DO UPDATE SET erased_at = excluded.erased_at, seq = excluded.seq`,
          [userId, now, position],
        );
        return { userId, erasedAt: now, seq: position, removed, repeated: false };
      }),

    async pruneStep(cutoff, limit) {
      const rows = (await query<PrunedRecord & { recounted: number }>(pool, PRUNE_STEP, [cutoff, limit, [...KEPT_FOR_FREQUENCY, ...KEPT_FOR_LIFT]])).rows;
      return { deleted: rows.length, userIds: [...new Set(rows.map((row) => row.userId))] };
    },

    async health() {
      try {
        const row = (await query<{ schema: number | null }>(pool, `SELECT max(version) AS schema FROM ${MIGRATIONS_TABLE}`)).rows[0];
        const schema = Number(row?.schema ?? 0);
        const migrated = schema === postgresDeliveryMigrations.length;
        return { engine: 'postgres', reachable: true, migrated, schema, problem: migrated ? null : `the database's schema is ${schema}, not ${postgresDeliveryMigrations.length}` };
      } catch (err) {
        // A database that answers but has no migrations table (undefined_table) is reachable and not migrated.
        const reachable = (err as { code?: unknown }).code === '42P01';
        return { engine: 'postgres', reachable, migrated: false, schema: 0, problem: (err as Error).message };
      }
    },

    async close() {
      await keyedTail;
      if (options.endPool) await pool.end();
    },
  };
}

export interface OpenedPostgresEngine {
  engine: DeliveryEngine;
  /** The engine's pool, for the change feed's notifications (notify.ts); the engine ends it on close. */
  pool: pg.Pool;
  migration: MigrateResult;
}

/** Connects to the delivery database, applies its migrations (once across nodes) and returns the engine, which ends its pool on close. */
export async function openPostgresEngine(
  database: DeliveryDatabase,
  options: { now: number; pool?: PoolOptions; profileEventsPerName?: number; onIdleError?: (err: Error) => void },
): Promise<OpenedPostgresEngine> {
  const pool = createDeliveryPool(database, options.pool, options.onIdleError);
  try {
    const migration = await migratePostgres(pool, postgresDeliveryMigrations, { now: options.now });
    return { engine: createPostgresEngine(pool, { profileEventsPerName: options.profileEventsPerName, endPool: true }), pool, migration };
  } catch (err) {
    await pool.end();
    if (err instanceof ApiError) throw err;
    throw new ApiError('database_error', `Cannot use the delivery database ${database.url.key} (${database.from}): ${(err as Error).message}`);
  }
}
