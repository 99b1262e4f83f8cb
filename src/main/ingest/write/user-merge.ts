/**
 * Applies identity merges to the cache (docs/IMPORT.md, "Identity"): every row of a merged user
 * becomes the surviving user's, in place. Events, the user rows (traits key by key, the later time
 * winning; first seen the earliest, last seen the latest), identity links, account membership, and
 * the derived tables the segment service keeps (event_user_summary folded, event_property_values
 * moved), so a merge never makes the next count rebuild them. Migration 0012 keeps a user_pk rewrite
 * of events from wiping the derived tables for that reason.
 */
import { mergeTrait } from '../../../shared/event-spec';
import type { Db } from '../../db/connection';
import { createKvRepo } from '../../db/kv';

/**
 * Per merged user and event name, one indexed UPDATE of events; past this many (merged users × names)
 * against the events stored, one pass over the events table costs less.
 */
const SEEKS_PER_PASS_ROW = 1 / 40;

/** The surviving user_pk of a table's row's user_pk, as an SQL expression. */
const SURVIVOR_OF = (table: string): string => `(SELECT to_pk FROM temp.merge_map WHERE from_pk = ${table}.user_pk)`;

interface UserRow {
  user_pk: number;
  traits: string;
  trait_times: string;
  first_seen: number | null;
  last_seen: number | null;
}

export interface MergeOptions {
  /** The events table's (name_id, user_pk, ts) index is dropped for a bulk load: rewrite events in one pass. */
  eventIndexesDeferred: boolean;
}

/** Rewrites the cache for `merges` (merged user_pk → surviving user_pk; no chains). */
export function mergeUsers(db: Db, merges: ReadonlyMap<number, number>, options: MergeOptions): void {
  if (merges.size === 0) return;
  db.exec('CREATE TEMP TABLE IF NOT EXISTS merge_map (from_pk INTEGER PRIMARY KEY, to_pk INTEGER NOT NULL)');
  db.exec('DELETE FROM temp.merge_map');
  const insert = db.prepare<[number, number]>('INSERT INTO temp.merge_map (from_pk, to_pk) VALUES (?, ?)');
  for (const [from, to] of merges) insert.run(from, to);
  try {
    rewriteEvents(db, merges, options);
    db.exec(`UPDATE identity_links SET user_pk = ${SURVIVOR_OF('identity_links')} WHERE user_pk IN (SELECT from_pk FROM temp.merge_map)`);
    db.exec(
      `INSERT INTO account_members (user_pk, account_pk, since)
         SELECT m.to_pk, a.account_pk, a.since FROM temp.merge_map m JOIN account_members a ON a.user_pk = m.from_pk WHERE true
         ON CONFLICT (user_pk, account_pk) DO UPDATE SET since = min(since, excluded.since)`,
    );
    db.exec('DELETE FROM account_members WHERE user_pk IN (SELECT from_pk FROM temp.merge_map)');
    foldEventSummary(db);
    // No index leads with user_pk: one pass over the table (a join could rescan it per merged user).
    db.exec(`UPDATE event_property_values SET user_pk = ${SURVIVOR_OF('event_property_values')} WHERE user_pk IN (SELECT from_pk FROM temp.merge_map)`);
    mergeUserRows(db, merges);
    const kv = createKvRepo(db);
    // Step 3's caches (workshops/usage.ts) include this counter in their data version.
    kv.set('identity_merges', String(Number(kv.get('identity_merges') ?? 0) + merges.size));
  } finally {
    db.exec('DELETE FROM temp.merge_map');
  }
}

function rewriteEvents(db: Db, merges: ReadonlyMap<number, number>, options: MergeOptions): void {
  const nameIds = db.prepare<[], number>('SELECT name_id FROM event_names').pluck().all();
  const events = db.prepare<[], number>('SELECT coalesce(max(event_pk), 0) FROM events').pluck().get() ?? 0;
  if (options.eventIndexesDeferred || merges.size * nameIds.length > events * SEEKS_PER_PASS_ROW) {
    db.exec(`UPDATE events SET user_pk = ${SURVIVOR_OF('events')} WHERE user_pk IN (SELECT from_pk FROM temp.merge_map)`);
    return;
  }
  // A seek per (name, merged user) in the (name_id, user_pk, ts) index: in proportion to the merged users, not the cache.
  const update = db.prepare<[number, number, number]>('UPDATE events SET user_pk = ? WHERE name_id = ? AND user_pk = ?');
  for (const [from, to] of merges) for (const nameId of nameIds) update.run(to, nameId, from);
}

/** event_user_summary rows of merged users folded into the survivors' (first and last the extremes, counts added). */
function foldEventSummary(db: Db): void {
  db.exec(
    `INSERT INTO event_user_summary (name_id, user_pk, first_ts, last_ts, events)
       SELECT s.name_id, m.to_pk, s.first_ts, s.last_ts, s.events
         FROM temp.merge_map m CROSS JOIN event_names n JOIN event_user_summary s ON s.name_id = n.name_id AND s.user_pk = m.from_pk WHERE true
       ON CONFLICT (name_id, user_pk) DO UPDATE SET
         first_ts = min(first_ts, excluded.first_ts), last_ts = max(last_ts, excluded.last_ts), events = events + excluded.events`,
  );
  db.exec(
    `DELETE FROM event_user_summary WHERE (name_id, user_pk) IN
       (SELECT n.name_id, m.from_pk FROM temp.merge_map m CROSS JOIN event_names n)`,
  );
}

/** The survivors' rows take the merged users' traits, first and last seen; the merged rows go. */
function mergeUserRows(db: Db, merges: ReadonlyMap<number, number>): void {
  const select = db.prepare<[number], UserRow>('SELECT user_pk, traits, trait_times, first_seen, last_seen FROM users WHERE user_pk = ?');
  const update = db.prepare<[string, string, number | null, number | null, number]>(
    'UPDATE users SET traits = ?, trait_times = ?, first_seen = ?, last_seen = ? WHERE user_pk = ?',
  );
  const remove = db.prepare<[number]>('DELETE FROM users WHERE user_pk = ?');
  // A survivor without a row of its own (all its records were duplicates of ones stored under another
  // user since merged) gets one under its known id.
  const insertSurvivor = db.prepare<[number, number]>(
    `INSERT INTO users (user_pk, id) SELECT ?, id FROM identity_links WHERE user_pk = ? ORDER BY known DESC, id LIMIT 1`,
  );
  const bySurvivor = new Map<number, number[]>();
  for (const [from, to] of merges) {
    const merged = bySurvivor.get(to);
    if (merged) merged.push(from);
    else bySurvivor.set(to, [from]);
  }
  for (const [to, froms] of bySurvivor) {
    const rows = froms.map((pk) => select.get(pk)).filter((row): row is UserRow => row !== undefined);
    if (rows.length === 0) continue;
    let survivor = select.get(to);
    if (!survivor) {
      insertSurvivor.run(to, to);
      survivor = select.get(to);
      if (!survivor) throw new Error(`merging users into user ${to}, which has neither a row nor a link`);
    }
    const values: Record<string, unknown> = {};
    const times: Record<string, number> = {};
    let first = survivor.first_seen;
    let last = survivor.last_seen;
    // The survivor's own traits go last, so it keeps a trait set at the same instant.
    for (const row of [...rows, survivor]) {
      const traits = JSON.parse(row.traits) as Record<string, unknown>;
      const traitTimes = JSON.parse(row.trait_times) as Record<string, number>;
      for (const key in traits) mergeTrait(values, times, key, traits[key], traitTimes[key] ?? -8.64e15);
      if (row.first_seen !== null && (first === null || row.first_seen < first)) first = row.first_seen;
      if (row.last_seen !== null && (last === null || row.last_seen > last)) last = row.last_seen;
    }
    for (const row of rows) remove.run(row.user_pk);
    update.run(JSON.stringify(values), JSON.stringify(times), first, last, to);
  }
}
