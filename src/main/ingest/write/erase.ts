/**
 * Erasure in the cache (docs/IMPORT.md, "Erased users"): a delivery server's erase marker, read by sync,
 * removes the user and every id merged into them (identity_links) from the cache, and keeps a tombstone
 * per id (erased_users) so a later import of an old file does not bring them back (the writer skips
 * their records dated at or before the erasure).
 *
 * Like a merge (user-merge.ts), erasure keeps the derived tables exact rather than emptying them: the
 * user's rows of event_user_summary and event_property_values go (both are per user), the daily rollup
 * loses their events, and migration 0014 keeps the events delete trigger quiet while kv.erasing_user
 * is set. Step 3's caches follow kv.users_erased (workshops/usage.ts).
 *
 * Events are stored under a hash key probed linearly on collision (writer.ts): a deleted event's key
 * would end the probe walk of a record stored past it, so each hole is closed by moving the later
 * records of its walk back (the textbook deletion for linear probing).
 */
import { recordKey as defaultRecordKey } from '../../../shared/event-spec';
import type { Db } from '../../db/connection';
import { DAY_MS } from '../../db/rollup';
import { KEY_SPACE, nextKey } from './writer';

export interface CacheErasure {
  /** Every id erased (the user's own and those merged into them), each now tombstoned. */
  ids: string[];
  /** Events and identify calls removed. */
  events: number;
  /** 1 when the user had a row in the cache. */
  users: number;
}

interface ErasedEvent {
  event_pk: number;
  name_id: number;
  ts: number;
}

/**
 * Removes the user known by `userId` (their own id or any id merged into them) from the cache and
 * tombstones every id of theirs at `erasedAt`. Call inside a transaction.
 */
export function eraseUserFromCache(db: Db, userId: string, erasedAt: number, recordKey: (id: string) => number = defaultRecordKey): CacheErasure {
  const pk =
    db.prepare<[string], number>('SELECT user_pk FROM users WHERE id = ?').pluck().get(userId) ??
    db.prepare<[string], number>('SELECT user_pk FROM identity_links WHERE id = ?').pluck().get(userId);
  const ids = new Set<string>([userId]);
  if (pk !== undefined) {
    for (const id of db.prepare<[number], string>('SELECT id FROM identity_links WHERE user_pk = ?').pluck().all(pk)) ids.add(id);
    const own = db.prepare<[number], string>('SELECT id FROM users WHERE user_pk = ?').pluck().get(pk);
    if (own !== undefined) ids.add(own);
  }
  const tombstone = db.prepare<[string, number]>(
    `INSERT INTO erased_users (user_id, erased_at) VALUES (?, ?)
     ON CONFLICT (user_id) DO UPDATE SET erased_at = max(erased_at, excluded.erased_at)`,
  );
  for (const id of ids) tombstone.run(id, erasedAt);
  const bump = db.prepare("INSERT INTO kv (key, value) VALUES ('users_erased', '1') ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1");
  bump.run();
  if (pk === undefined) return { ids: [...ids], events: 0, users: 0 };

  db.prepare("INSERT INTO kv (key, value) VALUES ('erasing_user', '1') ON CONFLICT (key) DO NOTHING").run();
  try {
    const events = deleteEvents(db, pk, recordKey);
    lowerStamps(db);
    db.prepare<[number]>('DELETE FROM account_members WHERE user_pk = ?').run(pk);
    db.prepare<[number]>('DELETE FROM identity_links WHERE user_pk = ?').run(pk);
    const users = db.prepare<[number]>('DELETE FROM users WHERE user_pk = ?').run(pk).changes;
    return { ids: [...ids], events: events.length, users };
  } finally {
    db.prepare("DELETE FROM kv WHERE key = 'erasing_user'").run();
  }
}

/** Deletes the user's events (a seek per event name) and their rows of every table derived from events. */
function deleteEvents(db: Db, pk: number, recordKey: (id: string) => number): ErasedEvent[] {
  const nameIds = db.prepare<[], number>('SELECT name_id FROM event_names').pluck().all();
  const select = db.prepare<[number, number], ErasedEvent>('SELECT event_pk, name_id, ts FROM events WHERE name_id = ? AND user_pk = ?');
  const removeSummary = db.prepare<[number, number]>('DELETE FROM event_user_summary WHERE name_id = ? AND user_pk = ?');
  const events: ErasedEvent[] = [];
  for (const nameId of nameIds) {
    events.push(...select.all(nameId, pk));
    removeSummary.run(nameId, pk);
  }
  const remove = eventRemover(db, recordKey);
  const unmark = db.prepare<[number]>('DELETE FROM replaceable_events WHERE event_pk = ?');
  const perDay = new Map<string, { day: number; nameId: number; events: number }>();
  for (const e of events) {
    remove(e.event_pk);
    unmark.run(e.event_pk);
    const day = Math.floor(e.ts / DAY_MS);
    const cell = perDay.get(`${day}:${e.name_id}`);
    if (cell) cell.events += 1;
    else perDay.set(`${day}:${e.name_id}`, { day, nameId: e.name_id, events: 1 });
  }
  // The rollup's counts drop; a day's first and last instants stay as bounds (docs/IMPORT.md says so).
  const lower = db.prepare<[number, number, number]>('UPDATE event_daily SET events = events - ? WHERE day = ? AND name_id = ?');
  for (const cell of perDay.values()) lower.run(cell.events, cell.day, cell.nameId);
  if (perDay.size > 0) db.exec('DELETE FROM event_daily WHERE events <= 0');
  // No index leads with user_pk: one pass over the table, as a merge does.
  db.prepare<[number]>('DELETE FROM event_property_values WHERE user_pk = ?').run(pk);
  return events;
}

/**
 * The derived tables' stamps are the largest event_pk folded in. SQLite gives a new event max(event_pk) + 1,
 * so when the erased events were the newest, the next events reuse their numbers: a stamp above the
 * largest event_pk left comes down to it, or those events would never be folded in.
 */
function lowerStamps(db: Db): void {
  const last = db.prepare<[], number>('SELECT coalesce(max(event_pk), 0) FROM events').pluck().get() ?? 0;
  db.prepare<[string, number]>("UPDATE kv SET value = ? WHERE key = 'event_summary_through' AND CAST(value AS INTEGER) > ?").run(String(last), last);
  db.prepare<[number, number]>('UPDATE event_property_values_through SET through = ? WHERE through > ?').run(last, last);
}

/** Whether `key` lies on the probe walk from `home` up to (not including) `end`, keys wrapping at KEY_SPACE. */
function onWalk(home: number, key: number, end: number): boolean {
  // Keys reach 2^53 - 1: adding KEY_SPACE before taking the remainder would round past 2^53.
  const distance = (from: number, to: number): number => (to >= from ? to - from : to - from + KEY_SPACE);
  return distance(home, key) < distance(home, end);
}

/**
 * Deletes one event and moves the records stored past its key back into the hole, so every record stays
 * reachable from its own key. One at a time: a walk stops at the first empty key, so a hole must be
 * closed before the next event goes (a moved record's key may change, hence the lookup by event_pk).
 */
function eventRemover(db: Db, recordKey: (id: string) => number): (eventPk: number) => void {
  const keyOf = db.prepare<[number], number>('SELECT event_key FROM events WHERE event_pk = ?').pluck();
  const remove = db.prepare<[number]>('DELETE FROM events WHERE event_pk = ?');
  const at = db.prepare<[number], { event_pk: number; event_id: string }>('SELECT event_pk, event_id FROM events WHERE event_key = ?');
  const move = db.prepare<[number, number]>('UPDATE events SET event_key = ? WHERE event_pk = ?');
  return (eventPk) => {
    const key = keyOf.get(eventPk);
    if (key === undefined) return;
    remove.run(eventPk);
    let hole = key;
    for (let next = nextKey(hole); ; next = nextKey(next)) {
      const row = at.get(next);
      if (!row) break;
      if (onWalk(recordKey(row.event_id), hole, next)) {
        move.run(hole, row.event_pk);
        hole = next;
      }
    }
  };
}
