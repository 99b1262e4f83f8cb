/**
 * The delivery database's SQL, as prepared statements: messages and their versions, idempotent
 * answers, the records received (with per-user traits, accounts from group calls and per-message
 * results kept as they arrive), and the reads the events export and the profile cache need.
 */
import { MAX_RECORD_BYTES, mergeTrait, utf8Length, type NormalizedRecord } from '../shared/event-spec';
import { fieldOf, npsCategory, npsScore } from '../shared/segments/values';
import { ASSIGNED_EVENT, type AssignmentGroup } from '../shared/messages/lift-results';
import type { DeliveryDb } from './db';
import { createSqliteProfileStore, type ProfileChange, type ProfileStore } from './profile-store';
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
export type RecordType = 'track' | 'page' | 'screen' | 'identify' | 'group';

/** Accounts one user may belong to: decide reads every one of them for each account condition. */
export const MAX_ACCOUNTS_PER_USER = 100;
/** An account's merged traits, as compact JSON, may not grow past this (a record's own limit). */
export const MAX_ACCOUNT_TRAITS_BYTES = MAX_RECORD_BYTES;

/** A group call, validated: the user claims membership of the account `groupId` and sets some of its traits. */
export interface GroupCall {
  /** The messageId, or an id derived from the content: the dedupe key. */
  id: string;
  userId: string;
  groupId: string;
  ts: number;
  traits: JsonObject | null;
}

/** What a stored group call changed, for the profile cache; or why it was refused. */
export type GroupApplied = { userId: string; groupId: string; traits: JsonObject } | { refused: string };

export interface IncomingRecord {
  type: RecordType;
  record: NormalizedRecord;
}

export interface RecordRow {
  seq: number;
  record_id: string;
  /** 'erase': an erase marker (erasure.ts), which only the export reads. */
  type: RecordType | 'erase';
  user_id: string;
  name: string;
  ts: number;
  data: string | null;
  /** A group call's groupId; null for every other record. */
  group_id: string | null;
}

/** What an accepted record changed, for the profile cache. */
export interface Applied {
  record: NormalizedRecord;
  /** The user's merged traits after an identify call. */
  traits: JsonObject | null;
  /** What it changed in the user's profile store. */
  profile: ProfileChange;
}

/**
 * A user's merged traits may hold at most this many keys and this many bytes of compact JSON. Each
 * identify reads and writes the user's whole traits, so without a cap one client adding thousands of
 * new keys per call made every later identify of that user slower (1.4 s each, measured).
 */
export const MAX_TRAIT_KEYS = 500;
export const MAX_TRAITS_BYTES = 64 * 1024;

/** An identify call refused because the user's traits would pass a cap; nothing of it is stored. */
export interface TraitsRefused {
  refused: string;
}

/** What an event about a message counts: the user under one metric, and an NPS answer's category. */
interface MessageEvent {
  messageId: string;
  metric: 'shown' | 'dismissed' | 'clicked' | 'answered';
  category: NpsMetric | null;
}

type NpsMetric = 'promoters' | 'passives' | 'detractors';

/** The message an event is about and what it counts, when it is one of the events the SDK sends back. */
function messageEventOf(record: NormalizedRecord): MessageEvent | null {
  if (record.kind !== 'event') return null;
  const messageId = fieldOf(record.data, 'message_id');
  if (typeof messageId !== 'string' || messageId === '') return null;
  switch (record.name) {
    case 'message_shown':
      return { messageId, metric: 'shown', category: null };
    case 'message_dismissed':
      return { messageId, metric: 'dismissed', category: null };
    case 'message_clicked':
      return { messageId, metric: 'clicked', category: null };
    case 'survey_answered': {
      const score = npsScore(record.data);
      return { messageId, metric: 'answered', category: score === null ? null : `${npsCategory(score)}s` };
    }
    default:
      return null;
  }
}

// The record decide writes when it assigns a user to a message's group (issue 19): one name for both sides.
export { ASSIGNED_EVENT, type AssignmentGroup };

/** The deterministic id of a user's message_assigned record: one per message and user. */
export function assignmentRecordId(messageId: string, userId: string): string {
  return `assigned:${messageId}:${userId}`;
}

/**
 * Why a client record may not be stored: message_assigned records are the server's own, so a client
 * cannot forge an assignment, nor take its id first (which would keep decide's from being stored).
 */
export function reservedRecordReason(record: NormalizedRecord): string | null {
  if (record.id.startsWith('assigned:')) return 'a messageId starting with "assigned:" is reserved for the server\'s message_assigned records';
  if (record.kind === 'event' && record.name === ASSIGNED_EVENT) return 'message_assigned events are recorded by the server itself when decide assigns a user';
  return null;
}

/** Traits merged as stored: the object, and its JSON and the per-key times as JSON. */
export interface MergedTraits {
  traits: JsonObject;
  json: string;
  times: string;
}

/**
 * Merges a call's traits into held ones key by key (the later timestamp wins; on a tie, the later call), changing
 * `held` in place, under the caps of a user's traits (an identify call: MAX_TRAIT_KEYS, MAX_TRAITS_BYTES) or an
 * account's (a group call: MAX_ACCOUNT_TRAITS_BYTES). Every engine merges with this (engine/types.ts).
 */
export function mergeTraits(
  held: { traits: JsonObject; traitTimes: Record<string, number> },
  incoming: JsonObject,
  ts: number,
  of: 'user' | 'account',
): MergedTraits | TraitsRefused {
  const { traits, traitTimes } = held;
  for (const key of Object.keys(incoming)) mergeTrait(traits, traitTimes, key, incoming[key], ts);
  const json = JSON.stringify(traits);
  if (of === 'account') {
    const bytes = utf8Length(json);
    if (bytes > MAX_ACCOUNT_TRAITS_BYTES) return { refused: `the account's traits would be ${bytes} bytes of JSON, more than the ${MAX_ACCOUNT_TRAITS_BYTES}-byte limit` };
  } else {
    const keys = Object.keys(traits).length;
    const bytes = Buffer.byteLength(json);
    if (keys > MAX_TRAIT_KEYS) return { refused: `the user's traits would have ${keys} keys, more than the ${MAX_TRAIT_KEYS} a user may have` };
    if (bytes > MAX_TRAITS_BYTES) return { refused: `the user's traits would be ${bytes} bytes of JSON, more than the ${MAX_TRAITS_BYTES}-byte limit` };
  }
  return { traits, json, times: JSON.stringify(traitTimes) };
}

export const RESULT_METRICS = ['shown', 'dismissed', 'clicked', 'answered', 'promoters', 'passives', 'detractors'] as const;
export type Results = Record<(typeof RESULT_METRICS)[number], number>;

export interface StoreOptions {
  /** Events kept per user and collected event name (profile-store.ts DEFAULT_PROFILE_EVENTS_PER_NAME). */
  profileEventsPerName?: number;
}

export function createStore(db: DeliveryDb, options: StoreOptions = {}) {
  const profiles: ProfileStore = createSqliteProfileStore(db, { eventsPerName: options.profileEventsPerName });
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
    bumpResult: db.prepare<[string, string]>(
      'INSERT INTO message_results (message_id, metric, count) VALUES (?, ?, 1) ON CONFLICT DO UPDATE SET count = count + 1',
    ),
    dropResult: db.prepare<[string, string]>('UPDATE message_results SET count = count - 1 WHERE message_id = ? AND metric = ?'),
    countedMessage: db.prepare<[string], number>("SELECT 1 FROM messages WHERE id = ? AND state <> 'deleted'"),
    countUser: db.prepare<[string, string, string]>(
      'INSERT INTO message_result_users (message_id, metric, user_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    npsAnswer: db.prepare<[string, string], { ts: number; category: NpsMetric }>(
      'SELECT ts, category FROM message_nps_answers WHERE message_id = ? AND user_id = ?',
    ),
    saveNpsAnswer: db.prepare<[string, string, number, number, NpsMetric]>(
      `INSERT INTO message_nps_answers (message_id, user_id, ts, seq, category) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (message_id, user_id) DO UPDATE SET ts = excluded.ts, seq = excluded.seq, category = excluded.category`,
    ),
    results: db.prepare<[string], { metric: string; count: number }>('SELECT metric, count FROM message_results WHERE message_id = ?'),
    exportPage: db.prepare<[number, number], RecordRow>(
      'SELECT seq, record_id, type, user_id, name, ts, data, group_id FROM records WHERE seq > ? ORDER BY seq LIMIT ?',
    ),
    recordExists: db.prepare<[string], number>('SELECT 1 FROM records WHERE record_id = ?'),
    insertGroupCall: db.prepare<[string, string, number, string | null, string, number]>(
      `INSERT INTO records (record_id, type, user_id, name, ts, data, group_id, received_at) VALUES (?, 'group', ?, '', ?, ?, ?, ?)`,
    ),
    account: db.prepare<[string], { traits: string; trait_times: string }>('SELECT traits, trait_times FROM accounts WHERE group_id = ?'),
    saveAccount: db.prepare<[string, string, string]>(
      `INSERT INTO accounts (group_id, traits, trait_times) VALUES (?, ?, ?)
       ON CONFLICT (group_id) DO UPDATE SET traits = excluded.traits, trait_times = excluded.trait_times`,
    ),
    isMember: db.prepare<[string, string], number>('SELECT 1 FROM account_members WHERE user_id = ? AND group_id = ?'),
    memberships: db.prepare<[string], number>('SELECT count(*) FROM account_members WHERE user_id = ?'),
    join: db.prepare<[string, string, number]>(
      `INSERT INTO account_members (user_id, group_id, since) VALUES (?, ?, ?)
       ON CONFLICT (user_id, group_id) DO UPDATE SET since = min(since, excluded.since)`,
    ),
    recordCount: db.prepare<[], number>('SELECT count(*) FROM records'),
  };
  const recordExists = s.recordExists.pluck();
  const isMember = s.isMember.pluck();
  const memberships = s.memberships.pluck();
  const readAccount = (groupId: string): { traits: JsonObject; traitTimes: Record<string, number> } => {
    const row = s.account.get(groupId);
    return row ? { traits: JSON.parse(row.traits) as JsonObject, traitTimes: JSON.parse(row.trait_times) as Record<string, number> } : { traits: {}, traitTimes: {} };
  };
  const insertRecord = s.insertRecord.pluck();
  const countedMessage = s.countedMessage.pluck();
  /**
   * Moves a message's results for a newly stored event: each metric counts a user once, and the user's
   * NPS category is that of their latest answer (by instant; on a tie, the later arrival). Events about
   * a message that is not published (unknown or deleted) count nowhere.
   */
  const countResult = (record: NormalizedRecord, seq: number): void => {
    const about = messageEventOf(record);
    if (!about || countedMessage.get(about.messageId) === undefined) return;
    if (s.countUser.run(about.messageId, about.metric, record.userId).changes === 1) s.bumpResult.run(about.messageId, about.metric);
    if (about.category === null) return;
    const previous = s.npsAnswer.get(about.messageId, record.userId);
    if (previous && previous.ts > record.ts) return;
    s.saveNpsAnswer.run(about.messageId, record.userId, record.ts, seq, about.category);
    if (previous?.category === about.category) return;
    if (previous) s.dropResult.run(about.messageId, previous.category);
    s.bumpResult.run(about.messageId, about.category);
  };
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
     * a published message move its results (distinct users, see countResult). Returns what changed,
     * or null for a duplicate.
     */
    ingest(incoming: IncomingRecord, receivedAt: number): Applied | TraitsRefused | null {
      const { record, type } = incoming;
      let merged: MergedTraits | null = null;
      if (record.kind === 'identify' && record.data) {
        const result = mergeTraits(profiles.traitsWithTimes(record.userId) ?? { traits: {}, traitTimes: {} }, record.data, record.ts, 'user');
        if ('refused' in result) return result;
        merged = result;
      }
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
      if (merged) profiles.saveTraits(record.userId, merged.json, merged.times);
      countResult(record, seq);
      return { record, traits: merged?.traits ?? null, profile: profiles.applyRecord(record) };
    },
    /**
     * Stores a group call unless its id is already there (null): the user becomes a member of the account
     * (since the earliest such call) and its traits merge into the account's key by key, the later
     * timestamp winning. Refused, storing nothing, when it would make the user a member of more than
     * MAX_ACCOUNTS_PER_USER accounts or the account's traits larger than MAX_ACCOUNT_TRAITS_BYTES.
     * Call inside a transaction.
     */
    group(call: GroupCall, receivedAt: number): GroupApplied | null {
      if (recordExists.get(call.id) !== undefined) return null;
      if (isMember.get(call.userId, call.groupId) === undefined && (memberships.get(call.userId) ?? 0) >= MAX_ACCOUNTS_PER_USER) {
        return { refused: `the user already belongs to ${MAX_ACCOUNTS_PER_USER} accounts, the most one user may` };
      }
      const merged = mergeTraits(readAccount(call.groupId), call.traits ?? {}, call.ts, 'account');
      if ('refused' in merged) return merged;
      const data = call.traits && Object.keys(call.traits).length > 0 ? JSON.stringify(call.traits) : null;
      s.insertGroupCall.run(call.id, call.userId, call.ts, data, call.groupId, receivedAt);
      s.saveAccount.run(call.groupId, merged.json, merged.times);
      s.join.run(call.userId, call.groupId, call.ts);
      return { userId: call.userId, groupId: call.groupId, traits: merged.traits };
    },
    /** Whether the user was assigned to the message's exposed or holdout group already: their message_assigned record is stored. */
    isAssigned: (messageId: string, userId: string): boolean => recordExists.get(assignmentRecordId(messageId, userId)) !== undefined,
    /**
     * Assigns a user to a message's group once: the message_assigned record that says so is the assignment
     * (record id assignmentRecordId, unique, so it is stored and exported once; migration 0009). Returns what
     * changed for the profile cache, or null when the user was assigned already. Call inside a transaction.
     */
    assign(messageId: string, userId: string, group: AssignmentGroup, now: number): Applied | null {
      const record: NormalizedRecord = {
        kind: 'event',
        id: assignmentRecordId(messageId, userId),
        userId,
        name: ASSIGNED_EVENT,
        ts: now,
        data: { message_id: messageId, group },
      };
      const seq = insertRecord.get(record.id, 'track', userId, ASSIGNED_EVENT, now, JSON.stringify(record.data), now);
      if (seq === undefined) return null;
      return { record, traits: null, profile: profiles.applyRecord(record) };
    },
    /** An account's current merged traits ({} for an account no group call named). */
    accountTraits: (groupId: string): JsonObject => readAccount(groupId).traits,
    exportPage: (after: number, limit: number): RecordRow[] => s.exportPage.all(after, limit),
    /** Per-user profiles: first and last seen, traits, accounts, kept events, frequency state (profile-store.ts). */
    profiles,
    recordCount: (): number => recordCount.get() ?? 0,
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
  };
}

export type DeliveryStore = ReturnType<typeof createStore>;
