/**
 * The profile store: what decide knows of one user, kept as records arrive and bounded per user, apart
 * from the raw records (which retention may prune without changing a decision). This file is the one
 * definition: the ProfileStore interface says what an engine keeps and what each operation costs;
 * createSqliteProfileStore is the SQLite engine (tables of migration 0005). A PostgreSQL engine ports
 * the same interface and the same tables.
 *
 * Per user:
 * - first and last seen, two numbers: the earliest and latest instant of the user's events and identify
 *   calls (group calls are not activity; docs/SEGMENTS.md, first_seen / last_seen);
 * - traits (merged by store.ts ingest, key by key, capped there) and the ids of the user's accounts;
 * - per collected event name (the names the live rules count), the newest events of that name, at most
 *   `eventsPerName` of them (DEFAULT_PROFILE_EVENTS_PER_NAME): past the cap the oldest (by instant,
 *   then record id) go first, whatever order they arrived in;
 * - frequency state: per message, times shown and first and last shown; the last show of any message
 *   (the global cooldown). Counted from message_shown records of messages that exist, as they arrive;
 * - the latest NPS answer (the evaluator's nps condition);
 * - per message and question, the latest survey answer (the evaluator's survey condition; migration
 *   0008): answers to messages that exist, at most MAX_SURVEY_QUESTIONS questions per message.
 *
 * Cost: applying a record is a few index writes, O(log n) in the table's size; loading a profile reads
 * at most `eventsPerName` events per collected name. Nothing reads or rewrites a user's whole history.
 */
import type { NormalizedRecord } from '../shared/event-spec';
import { compareCodePoints, type ProfileEvent } from '../shared/segments/evaluate';
import { MAX_SURVEY_QUESTIONS } from '../shared/messages/survey';
import { fieldOf, NPS_EVENT, npsScore } from '../shared/segments/values';
import type { DeliveryDb } from './db';
import type { JsonObject } from './schemas';

/** Events kept per user and collected name unless the server is told otherwise (--profile-events-per-name). */
export const DEFAULT_PROFILE_EVENTS_PER_NAME = 1000;
export const SHOWN_EVENT = 'message_shown';

/** How often one user was shown one message. */
export interface MessageShows {
  times: number;
  firstShown: number;
  lastShown: number;
}

/** A user's latest NPS answer: a tie on the instant goes to the greater record id (by code point). */
export interface NpsAnswer {
  ts: number;
  recordId: string;
  score: number;
}

/**
 * The parts of a survey_answered event's properties a survey condition reads (answerMatches in
 * shared/segments/values.ts), those present, as sent; never the free text.
 */
const ANSWER_KEYS = ['score', 'choice', 'choices'] as const;

/**
 * A survey answer as the store keeps it: null when the record is not one it keeps (not a survey_answered
 * event, or without text message and question ids). `properties` holds the ids and the answer's parts.
 */
export function surveyAnswerOf(record: Pick<NormalizedRecord, 'id' | 'name' | 'ts' | 'data'>): ProfileEvent | null {
  if (record.name !== NPS_EVENT) return null;
  const messageId = fieldOf(record.data, 'message_id');
  const questionId = fieldOf(record.data, 'question_id');
  if (typeof messageId !== 'string' || typeof questionId !== 'string') return null;
  const properties: JsonObject = { message_id: messageId, question_id: questionId };
  for (const key of ANSWER_KEYS) {
    const value = fieldOf(record.data, key);
    if (value !== undefined) properties[key] = value;
  }
  return { id: record.id, name: NPS_EVENT, ts: record.ts, properties };
}

/** The key of a survey answer's (message, question) in a profile's map. */
export function surveyAnswerKey(answer: ProfileEvent): string {
  return `${String(answer.properties?.message_id)}\u0000${String(answer.properties?.question_id)}`;
}

/** One user's profile as stored. */
export interface StoredProfile {
  /** Earliest and latest instant of the user's events and identify calls; null for a user without any. */
  firstSeen: number | null;
  lastSeen: number | null;
  traits: JsonObject;
  /** The groupIds of the user's accounts. */
  accountIds: string[];
  /** Per collected name: the kept events, ascending by instant then record id, at most eventsPerName. */
  events: Map<string, ProfileEvent[]>;
  /** Per message id the user was shown. */
  shows: Map<string, MessageShows>;
  /** The latest show of any message. */
  lastShown: number | null;
  nps: NpsAnswer | null;
  /** Per message and question (surveyAnswerKey): the latest answer (surveyAnswerOf). */
  surveyAnswers: Map<string, ProfileEvent>;
}

/** What one stored record changed in its user's profile (an in-memory copy applies the same). */
export interface ProfileChange {
  /** The event's name is collected: it went into the name's kept events (and may have pushed the oldest out). */
  collected: boolean;
  /** A message_shown of a message that exists: the id whose shows it counted. */
  shownMessageId: string | null;
  /** An NPS answer that became the user's latest. */
  nps: NpsAnswer | null;
  /** A survey answer that became the user's latest to its message and question. */
  surveyAnswer: ProfileEvent | null;
}

/** Which names a change of the collected set started and stopped collecting. */
export interface CollectedChange {
  started: string[];
  stopped: string[];
}

export interface ProfileStore {
  /** The cap: events kept per user and collected name. */
  readonly eventsPerName: number;
  /** The names collected now, sorted. */
  collectedNames(): string[];
  /**
   * Collects exactly these names from now on. A name not collected before starts empty (nothing is read
   * back from the records: a rule that needs it is judged on what arrives from now on). A name no longer
   * needed stops at once and its events are dropped later, in batches (dropRetiredEvents); needed again,
   * it starts afresh. O(changed names).
   */
  collect(names: ReadonlySet<string>, now: number): CollectedChange;
  /** Applies a newly stored event or identify call (never a duplicate, never a group call), inside the ingest transaction. */
  applyRecord(record: NormalizedRecord): ProfileChange;
  /** The user's traits and the time each key was last set (for the merge in store.ts). */
  traitsWithTimes(userId: string): { traits: JsonObject; traitTimes: Record<string, number> } | null;
  saveTraits(userId: string, traitsJson: string, traitTimesJson: string): void;
  load(userId: string): StoredProfile;
  /** Removes the user's profile: traits, first and last seen, account memberships, kept events, frequency state, survey answers. */
  eraseUser(userId: string): void;
  /** Deletes up to `limit` events of stopped collections; returns how many went (0: nothing left). */
  dropRetiredEvents(limit: number): number;
  /**
   * Deletes the kept copies of these records (retention pruned them), keeping the counts true; call it
   * inside the transaction that deleted the records. Returns how many copies went. O(records).
   */
  forgetEvents(records: readonly { userId: string; name: string; ts: number; recordId: string }[]): number;
}

interface ProfileRow {
  traits: string;
  first_seen: number | null;
  last_seen: number | null;
  last_shown: number | null;
  nps_ts: number | null;
  nps_record_id: string | null;
  nps_score: number | null;
}

interface EventRow {
  record_id: string;
  ts: number;
  data: string | null;
}

/** Orders two events as the cap does: by instant, then by record id (code points, as SQLite orders UTF-8 text). */
export function compareEvents(a: ProfileEvent, b: ProfileEvent): number {
  return a.ts - b.ts || compareCodePoints(a.id, b.id);
}

/**
 * Adds an event to an ascending array capped at `cap`, dropping the oldest past it (the new event
 * itself when it is older than all of them). A binary search, and a move of at most `cap` slots.
 */
export function insertCapped(kept: ProfileEvent[], event: ProfileEvent, cap: number): void {
  if (cap <= 0) return;
  if (kept.length >= cap && compareEvents(event, kept[0] as ProfileEvent) < 0) return;
  let lo = 0;
  let hi = kept.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareEvents(kept[mid] as ProfileEvent, event) <= 0) lo = mid + 1;
    else hi = mid;
  }
  kept.splice(lo, 0, event);
  if (kept.length > cap) kept.shift();
}

/** Whether survey answer `a` is later than `b` (the evaluator's latestSurveyAnswer order). */
export function laterAnswer(a: ProfileEvent, b: ProfileEvent | undefined): boolean {
  return b === undefined || compareEvents(a, b) > 0;
}

/** Whether answer `a` is later than `b` (the evaluator's latestNps order). */
export function laterNps(a: NpsAnswer, b: NpsAnswer | null): boolean {
  return b === null || a.ts > b.ts || (a.ts === b.ts && compareCodePoints(a.recordId, b.recordId) > 0);
}

export function createSqliteProfileStore(db: DeliveryDb, options: { eventsPerName?: number } = {}): ProfileStore {
  const cap = options.eventsPerName ?? DEFAULT_PROFILE_EVENTS_PER_NAME;
  if (!Number.isInteger(cap) || cap < 1) throw new Error(`eventsPerName must be a whole number of at least 1, not ${cap}`);
  const s = {
    liveNames: db.prepare<[], { collection: number; name: string }>('SELECT collection, name FROM profile_event_names WHERE retired_at IS NULL'),
    startName: db.prepare<[string, number], number>('INSERT INTO profile_event_names (name, since) VALUES (?, ?) RETURNING collection').pluck(),
    retireName: db.prepare<[number, number]>('UPDATE profile_event_names SET retired_at = ? WHERE collection = ?'),
    retired: db.prepare<[], number>('SELECT collection FROM profile_event_names WHERE retired_at IS NOT NULL ORDER BY collection LIMIT 1').pluck(),
    dropRetiredEvents: db.prepare<[number, number, number]>(
      `DELETE FROM profile_events WHERE collection = ? AND (user_id, ts, record_id) IN
         (SELECT user_id, ts, record_id FROM profile_events WHERE collection = ? LIMIT ?)`,
    ),
    dropRetiredCounts: db.prepare<[number, number, number]>(
      'DELETE FROM profile_event_counts WHERE collection = ? AND user_id IN (SELECT user_id FROM profile_event_counts WHERE collection = ? LIMIT ?)',
    ),
    forgetName: db.prepare<[number]>('DELETE FROM profile_event_names WHERE collection = ?'),
    seen: db.prepare<[string, number, number]>(
      `INSERT INTO profiles (user_id, first_seen, last_seen) VALUES (?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET first_seen = min(coalesce(first_seen, excluded.first_seen), excluded.first_seen),
         last_seen = max(coalesce(last_seen, excluded.last_seen), excluded.last_seen)
       WHERE first_seen IS NULL OR last_seen IS NULL OR excluded.first_seen < first_seen OR excluded.last_seen > last_seen`,
    ),
    keepEvent: db.prepare<[number, string, number, string, string | null]>(
      'INSERT OR IGNORE INTO profile_events (collection, user_id, ts, record_id, data) VALUES (?, ?, ?, ?, ?)',
    ),
    eventCount: db.prepare<[number, string], number>('SELECT count FROM profile_event_counts WHERE collection = ? AND user_id = ?').pluck(),
    // Whether a kept event is older than (ts, record_id): if none is, a new event at the cap would go at once.
    olderKept: db.prepare<[number, string, number, string], number>(
      'SELECT 1 FROM profile_events WHERE collection = ? AND user_id = ? AND (ts, record_id) < (?, ?) LIMIT 1',
    ).pluck(),
    countEvent: db.prepare<[number, string]>(
      `INSERT INTO profile_event_counts (collection, user_id, count) VALUES (?, ?, 1)
       ON CONFLICT (collection, user_id) DO UPDATE SET count = count + 1`,
    ),
    // Usually one row: the count passes the cap by one. More only after the cap was lowered.
    oldest: db.prepare<[number, string], { ts: number; record_id: string }>(
      'SELECT ts, record_id FROM profile_events WHERE collection = ? AND user_id = ? ORDER BY ts, record_id LIMIT 1',
    ),
    dropEvent: db.prepare<[number, string, number, string]>('DELETE FROM profile_events WHERE collection = ? AND user_id = ? AND ts = ? AND record_id = ?'),
    dropOldest: db.prepare<[number, string, number, string, number]>(
      `DELETE FROM profile_events WHERE collection = ? AND user_id = ? AND (ts, record_id) IN
         (SELECT ts, record_id FROM profile_events WHERE collection = ? AND user_id = ? ORDER BY ts, record_id LIMIT ?)`,
    ),
    setCount: db.prepare<[number, number, string]>('UPDATE profile_event_counts SET count = ? WHERE collection = ? AND user_id = ?'),
    uncountEvent: db.prepare<[number, string]>('UPDATE profile_event_counts SET count = count - 1 WHERE collection = ? AND user_id = ? AND count > 0'),
    messageExists: db.prepare<[string], number>('SELECT 1 FROM messages WHERE id = ?').pluck(),
    show: db.prepare<[string, string, number, number]>(
      `INSERT INTO message_shows (user_id, message_id, times, first_shown, last_shown) VALUES (?, ?, 1, ?, ?)
       ON CONFLICT (user_id, message_id) DO UPDATE SET times = times + 1,
         first_shown = min(first_shown, excluded.first_shown), last_shown = max(last_shown, excluded.last_shown)`,
    ),
    lastShown: db.prepare<[{ ts: number; userId: string }]>('UPDATE profiles SET last_shown = max(coalesce(last_shown, @ts), @ts) WHERE user_id = @userId'),
    nps: db.prepare<[{ ts: number; recordId: string; score: number; userId: string }]>(
      `UPDATE profiles SET nps_ts = @ts, nps_record_id = @recordId, nps_score = @score
        WHERE user_id = @userId AND (nps_ts IS NULL OR @ts > nps_ts OR (@ts = nps_ts AND @recordId > nps_record_id))`,
    ),
    profile: db.prepare<[string], ProfileRow>(
      'SELECT traits, first_seen, last_seen, last_shown, nps_ts, nps_record_id, nps_score FROM profiles WHERE user_id = ?',
    ),
    traits: db.prepare<[string], { traits: string; trait_times: string }>('SELECT traits, trait_times FROM profiles WHERE user_id = ?'),
    saveTraits: db.prepare<[string, string, string]>(
      `INSERT INTO profiles (user_id, traits, trait_times) VALUES (?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET traits = excluded.traits, trait_times = excluded.trait_times`,
    ),
    accounts: db.prepare<[string], string>('SELECT group_id FROM account_members WHERE user_id = ? ORDER BY group_id').pluck(),
    events: db.prepare<[number, string, number], EventRow>(
      'SELECT record_id, ts, data FROM profile_events WHERE collection = ? AND user_id = ? ORDER BY ts DESC, record_id DESC LIMIT ?',
    ),
    shows: db.prepare<[string], { message_id: string; times: number; first_shown: number; last_shown: number }>(
      'SELECT message_id, times, first_shown, last_shown FROM message_shows WHERE user_id = ?',
    ),
    surveyQuestions: db.prepare<[string, string], number>('SELECT count(*) FROM survey_answers WHERE user_id = ? AND message_id = ?').pluck(),
    surveyAnswerKept: db.prepare<[string, string, string], number>('SELECT 1 FROM survey_answers WHERE user_id = ? AND message_id = ? AND question_id = ?').pluck(),
    // Inserted, or replacing an earlier answer (a tie on the instant to the greater record id): one change either way.
    surveyAnswer: db.prepare<[{ userId: string; messageId: string; questionId: string; ts: number; recordId: string; answer: string }]>(
      `INSERT INTO survey_answers (user_id, message_id, question_id, ts, record_id, answer) VALUES (@userId, @messageId, @questionId, @ts, @recordId, @answer)
       ON CONFLICT (user_id, message_id, question_id) DO UPDATE SET ts = excluded.ts, record_id = excluded.record_id, answer = excluded.answer
        WHERE excluded.ts > ts OR (excluded.ts = ts AND excluded.record_id > record_id)`,
    ),
    surveyAnswers: db.prepare<[string], { message_id: string; question_id: string; ts: number; record_id: string; answer: string }>(
      'SELECT message_id, question_id, ts, record_id, answer FROM survey_answers WHERE user_id = ?',
    ),
    eraseSurveyAnswers: db.prepare<[string]>('DELETE FROM survey_answers WHERE user_id = ?'),
    eraseProfile: db.prepare<[string]>('DELETE FROM profiles WHERE user_id = ?'),
    eraseShows: db.prepare<[string]>('DELETE FROM message_shows WHERE user_id = ?'),
    eraseMemberships: db.prepare<[string]>('DELETE FROM account_members WHERE user_id = ?'),
    // Every collection, retired ones too: the primary keys lead with the collection, so one seek each.
    eraseEvents: db.prepare<[string]>('DELETE FROM profile_events WHERE collection IN (SELECT collection FROM profile_event_names) AND user_id = ?'),
    eraseCounts: db.prepare<[string]>(
      'DELETE FROM profile_event_counts WHERE collection IN (SELECT collection FROM profile_event_names) AND user_id = ?',
    ),
  };

  /** Collection id per collected name, read once and kept in step by collect(). */
  const live = new Map<string, number>(s.liveNames.all().map((row) => [row.name, row.collection]));

  /**
   * Keeps an event of a collected name: under the cap it is added; at the cap it replaces the oldest, or
   * is dropped at once when it is older than every kept one (two index reads, nothing written: a flood of
   * ever older events costs no writes). Past the cap (lowered since the rows were kept) the extra oldest go too.
   */
  const keep = (collection: number, record: NormalizedRecord): void => {
    const { userId } = record;
    const count = s.eventCount.get(collection, userId) ?? 0;
    if (count >= cap && s.olderKept.get(collection, userId, record.ts, record.id) === undefined) return;
    if (s.keepEvent.run(collection, userId, record.ts, record.id, record.data ? JSON.stringify(record.data) : null).changes === 0) return;
    if (count < cap) {
      s.countEvent.run(collection, userId);
      return;
    }
    if (count === cap) {
      const oldest = s.oldest.get(collection, userId);
      if (oldest) s.dropEvent.run(collection, userId, oldest.ts, oldest.record_id);
      return;
    }
    s.dropOldest.run(collection, userId, collection, userId, count + 1 - cap);
    s.setCount.run(cap, collection, userId);
  };

  /**
   * Keeps a survey answer when it is the latest to its message and question, for a message that exists,
   * within MAX_SURVEY_QUESTIONS questions per user and message. Whether it was kept.
   */
  const keepSurveyAnswer = (userId: string, answer: ProfileEvent): boolean => {
    const messageId = answer.properties?.message_id as string;
    const questionId = answer.properties?.question_id as string;
    if (s.messageExists.get(messageId) === undefined) return false;
    if (s.surveyAnswerKept.get(userId, messageId, questionId) === undefined && (s.surveyQuestions.get(userId, messageId) ?? 0) >= MAX_SURVEY_QUESTIONS) return false;
    const parts: JsonObject = {};
    for (const key of ANSWER_KEYS) if (answer.properties && key in answer.properties) parts[key] = answer.properties[key];
    return s.surveyAnswer.run({ userId, messageId, questionId, ts: answer.ts, recordId: answer.id, answer: JSON.stringify(parts) }).changes === 1;
  };

  return {
    eventsPerName: cap,
    collectedNames: () => [...live.keys()].sort(),
    collect(names, now) {
      const started: string[] = [];
      const stopped: string[] = [];
      db.transaction(() => {
        for (const [name, collection] of live) {
          if (names.has(name)) continue;
          s.retireName.run(now, collection);
          live.delete(name);
          stopped.push(name);
        }
        for (const name of names) {
          if (live.has(name)) continue;
          live.set(name, s.startName.get(name, now) as number);
          started.push(name);
        }
      })();
      return { started: started.sort(), stopped: stopped.sort() };
    },
    applyRecord(record) {
      const change: ProfileChange = { collected: false, shownMessageId: null, nps: null, surveyAnswer: null };
      s.seen.run(record.userId, record.ts, record.ts);
      if (record.kind !== 'event') return change;
      const collection = live.get(record.name);
      if (collection !== undefined) {
        keep(collection, record);
        change.collected = true;
      }
      if (record.name === SHOWN_EVENT) {
        const messageId = fieldOf(record.data, 'message_id');
        if (typeof messageId === 'string' && s.messageExists.get(messageId) !== undefined) {
          s.show.run(record.userId, messageId, record.ts, record.ts);
          s.lastShown.run({ ts: record.ts, userId: record.userId });
          change.shownMessageId = messageId;
        }
      } else if (record.name === NPS_EVENT) {
        const score = npsScore(record.data);
        if (score !== null && s.nps.run({ ts: record.ts, recordId: record.id, score, userId: record.userId }).changes === 1) {
          change.nps = { ts: record.ts, recordId: record.id, score };
        }
        const answer = surveyAnswerOf(record);
        if (answer !== null) change.surveyAnswer = keepSurveyAnswer(record.userId, answer) ? answer : null;
      }
      return change;
    },
    traitsWithTimes(userId) {
      const row = s.traits.get(userId);
      return row ? { traits: JSON.parse(row.traits) as JsonObject, traitTimes: JSON.parse(row.trait_times) as Record<string, number> } : null;
    },
    saveTraits(userId, traitsJson, traitTimesJson) {
      s.saveTraits.run(userId, traitsJson, traitTimesJson);
    },
    load(userId) {
      const row = s.profile.get(userId);
      const events = new Map<string, ProfileEvent[]>();
      for (const [name, collection] of live) {
        const rows = s.events.all(collection, userId, cap);
        rows.reverse();
        events.set(
          name,
          rows.map((r) => ({ id: r.record_id, name, ts: r.ts, properties: r.data === null ? null : (JSON.parse(r.data) as JsonObject) })),
        );
      }
      const surveyAnswers = new Map<string, ProfileEvent>();
      for (const r of s.surveyAnswers.all(userId)) {
        const answer: ProfileEvent = {
          id: r.record_id,
          name: NPS_EVENT,
          ts: r.ts,
          properties: { message_id: r.message_id, question_id: r.question_id, ...(JSON.parse(r.answer) as JsonObject) },
        };
        surveyAnswers.set(surveyAnswerKey(answer), answer);
      }
      const shows = new Map<string, MessageShows>();
      for (const r of s.shows.all(userId)) shows.set(r.message_id, { times: r.times, firstShown: r.first_shown, lastShown: r.last_shown });
      return {
        firstSeen: row?.first_seen ?? null,
        lastSeen: row?.last_seen ?? null,
        traits: row ? (JSON.parse(row.traits) as JsonObject) : {},
        accountIds: s.accounts.all(userId),
        events,
        shows,
        lastShown: row?.last_shown ?? null,
        nps:
          row && row.nps_ts !== null && row.nps_record_id !== null && row.nps_score !== null
            ? { ts: row.nps_ts, recordId: row.nps_record_id, score: row.nps_score }
            : null,
        surveyAnswers,
      };
    },
    eraseUser(userId) {
      db.transaction(() => {
        s.eraseProfile.run(userId);
        s.eraseShows.run(userId);
        s.eraseMemberships.run(userId);
        s.eraseEvents.run(userId);
        s.eraseCounts.run(userId);
        s.eraseSurveyAnswers.run(userId);
      })();
    },
    forgetEvents(records) {
      let forgotten = 0;
      for (const { userId, name, ts, recordId } of records) {
        const collection = live.get(name);
        if (collection === undefined || s.dropEvent.run(collection, userId, ts, recordId).changes === 0) continue;
        s.uncountEvent.run(collection, userId);
        forgotten += 1;
      }
      return forgotten;
    },
    dropRetiredEvents(limit) {
      return db.transaction(() => {
        let dropped = 0;
        while (dropped < limit) {
          const collection = s.retired.get();
          if (collection === undefined) break;
          const events = s.dropRetiredEvents.run(collection, collection, limit - dropped).changes;
          const counts = s.dropRetiredCounts.run(collection, collection, limit).changes;
          if (events === 0 && counts === 0) s.forgetName.run(collection);
          dropped += events;
          if (events === 0 && counts > 0) break;
        }
        return dropped;
      })();
    },
  };
}
