/**
 * The delivery database's SQL, as prepared statements: messages and their versions, idempotent
 * answers, the records received (with per-user traits and per-message results kept as they arrive),
 * and the reads the events export and the profile cache need.
 */
import { mergeTrait, type NormalizedRecord } from '../shared/event-spec';
import { fieldOf, npsCategory, npsScore } from '../shared/segments/values';
import type { DeliveryDb } from './db';
import type { JsonObject, MessageState } from './schemas';

export type StoredState = MessageState | 'deleted';

export interface MessageRow {
  id: string;
  version: number;
  body: string;
  state: StoredState;
  published_at: number;
  updated_at: number;
}

export interface IdempotentAnswer {
  request_hash: string;
  status: number;
  body: string;
}

/** The Segment-spec type a record arrived as. */
export type RecordType = 'track' | 'page' | 'screen' | 'identify';

export interface IncomingRecord {
  type: RecordType;
  record: NormalizedRecord;
}

export interface RecordRow {
  seq: number;
  record_id: string;
  type: RecordType;
  user_id: string;
  name: string;
  ts: number;
  data: string | null;
}

export interface ProfileEventRow {
  record_id: string;
  name: string;
  ts: number;
  data: string | null;
}

/** What an accepted record changed, for the profile cache. */
export interface Applied {
  record: NormalizedRecord;
  /** The user's merged traits after an identify call. */
  traits: JsonObject | null;
}

/** The result counters an event moves, when it is about a message. */
function metricsOf(record: NormalizedRecord): { messageId: string; metrics: string[] } | null {
  if (record.kind !== 'event') return null;
  const messageId = fieldOf(record.data, 'message_id');
  if (typeof messageId !== 'string' || messageId === '') return null;
  switch (record.name) {
    case 'message_shown':
      return { messageId, metrics: ['shown'] };
    case 'message_dismissed':
      return { messageId, metrics: ['dismissed'] };
    case 'message_clicked':
      return { messageId, metrics: ['clicked'] };
    case 'survey_answered': {
      const score = npsScore(record.data);
      return { messageId, metrics: score === null ? ['answered'] : ['answered', `${npsCategory(score)}s`] };
    }
    default:
      return null;
  }
}

export const RESULT_METRICS = ['shown', 'dismissed', 'clicked', 'answered', 'promoters', 'passives', 'detractors'] as const;
export type Results = Record<(typeof RESULT_METRICS)[number], number>;

export function createStore(db: DeliveryDb) {
  const s = {
    message: db.prepare<[string], MessageRow>('SELECT * FROM messages WHERE id = ?'),
    messages: db.prepare<[], MessageRow>("SELECT * FROM messages WHERE state <> 'deleted' ORDER BY id"),
    upsertMessage: db.prepare<[string, number, string, string, number, number]>(
      `INSERT INTO messages (id, version, body, state, published_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET version = excluded.version, body = excluded.body, state = excluded.state,
         published_at = excluded.published_at, updated_at = excluded.updated_at`,
    ),
    insertVersion: db.prepare<[string, number, string, number]>(
      'INSERT OR REPLACE INTO message_versions (id, version, body, published_at) VALUES (?, ?, ?, ?)',
    ),
    setState: db.prepare<[StoredState, number, string]>('UPDATE messages SET state = ?, updated_at = ? WHERE id = ?'),
    idempotent: db.prepare<[string], IdempotentAnswer>('SELECT request_hash, status, body FROM idempotency WHERE key = ?'),
    saveIdempotent: db.prepare<[string, string, number, string, number]>(
      'INSERT INTO idempotency (key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    pruneIdempotency: db.prepare<[number]>('DELETE FROM idempotency WHERE created_at < ?'),
    insertRecord: db.prepare<[string, string, string, string, number, string | null, number], number>(
      `INSERT INTO records (record_id, type, user_id, name, ts, data, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (record_id) DO NOTHING RETURNING seq`,
    ),
    profile: db.prepare<[string], { traits: string; trait_times: string }>('SELECT traits, trait_times FROM profiles WHERE user_id = ?'),
    saveProfile: db.prepare<[string, string, string]>(
      `INSERT INTO profiles (user_id, traits, trait_times) VALUES (?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET traits = excluded.traits, trait_times = excluded.trait_times`,
    ),
    bumpResult: db.prepare<[string, string]>(
      'INSERT INTO message_results (message_id, metric, count) VALUES (?, ?, 1) ON CONFLICT DO UPDATE SET count = count + 1',
    ),
    results: db.prepare<[string], { metric: string; count: number }>('SELECT metric, count FROM message_results WHERE message_id = ?'),
    exportPage: db.prepare<[number, number], RecordRow>(
      'SELECT seq, record_id, type, user_id, name, ts, data FROM records WHERE seq > ? ORDER BY seq LIMIT ?',
    ),
    userTimes: db.prepare<[string], number>('SELECT ts FROM records WHERE user_id = ? ORDER BY ts'),
    userEvents: db.prepare<[string, string], ProfileEventRow>(
      `SELECT record_id, name, ts, data FROM records
        WHERE user_id = ? AND name IN (SELECT value FROM json_each(?)) ORDER BY ts`,
    ),
    recordCount: db.prepare<[], number>('SELECT count(*) FROM records'),
  };
  const times = s.userTimes.pluck();
  const insertRecord = s.insertRecord.pluck();
  const recordCount = s.recordCount.pluck();

  return {
    message: (id: string): MessageRow | undefined => s.message.get(id),
    messages: (): MessageRow[] => s.messages.all(),
    /** Stores a newly published version (the caller checked that it is newer). */
    publish(id: string, version: number, body: string, state: StoredState, now: number): void {
      s.upsertMessage.run(id, version, body, state, now, now);
      s.insertVersion.run(id, version, body, now);
    },
    setState(id: string, state: StoredState, now: number): void {
      s.setState.run(state, now, id);
    },
    idempotent: (key: string): IdempotentAnswer | undefined => s.idempotent.get(key),
    saveIdempotent(key: string, requestHash: string, status: number, body: string, now: number): void {
      s.saveIdempotent.run(key, requestHash, status, body, now);
    },
    pruneIdempotency(before: number): number {
      return s.pruneIdempotency.run(before).changes;
    },
    results(messageId: string): Results {
      const results = Object.fromEntries(RESULT_METRICS.map((m) => [m, 0])) as Results;
      for (const row of s.results.all(messageId)) {
        if ((RESULT_METRICS as readonly string[]).includes(row.metric)) results[row.metric as keyof Results] = row.count;
      }
      return results;
    },
    /**
     * Stores one record unless its id is already there. Identify calls merge their traits into the
     * user's profile key by key (the later timestamp wins; on a tie, the later arrival); events about
     * a message move its results. Returns what changed, or null for a duplicate.
     */
    ingest(incoming: IncomingRecord, receivedAt: number): Applied | null {
      const { record, type } = incoming;
      const seq = insertRecord.get(
        record.id,
        type,
        record.userId,
        record.kind === 'identify' ? '' : record.name,
        record.ts,
        record.data ? JSON.stringify(record.data) : null,
        receivedAt,
      );
      if (seq === undefined) return null;
      let traits: JsonObject | null = null;
      if (record.kind === 'identify' && record.data) {
        const row = s.profile.get(record.userId);
        traits = row ? (JSON.parse(row.traits) as JsonObject) : {};
        const traitTimes = row ? (JSON.parse(row.trait_times) as Record<string, number>) : {};
        for (const key of Object.keys(record.data)) mergeTrait(traits, traitTimes, key, record.data[key], record.ts);
        s.saveProfile.run(record.userId, JSON.stringify(traits), JSON.stringify(traitTimes));
      }
      const about = metricsOf(record);
      if (about) for (const metric of about.metrics) s.bumpResult.run(about.messageId, metric);
      return { record, traits };
    },
    exportPage: (after: number, limit: number): RecordRow[] => s.exportPage.all(after, limit),
    traits(userId: string): JsonObject {
      const row = s.profile.get(userId);
      return row ? (JSON.parse(row.traits) as JsonObject) : {};
    },
    userTimes: (userId: string): number[] => times.all(userId),
    userEvents: (userId: string, names: readonly string[]): ProfileEventRow[] => s.userEvents.all(userId, JSON.stringify(names)),
    recordCount: (): number => recordCount.get() ?? 0,
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
  };
}

export type DeliveryStore = ReturnType<typeof createStore>;
