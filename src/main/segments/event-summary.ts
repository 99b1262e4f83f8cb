/**
 * event_user_summary (migration 0008): per event name and user, the first and last event and how many.
 * It is derived data that no writer maintains (derived.ts), so an import pays nothing for it: before a
 * count the segment service calls refreshEventSummary, which folds in the events appended since the
 * stamp (kv.event_summary_through, the largest event_pk folded in) with one grouped query and an upsert,
 * or rebuilds the table when the stamp is missing (a new cache, or the triggers saw an event deleted or
 * changed).
 */
import type { Db } from '../db/connection';
import { createKvRepo } from '../db/kv';
import { newestEventPk, rebuildRather, writeDerived } from './derived';

const STAMP = 'event_summary_through';

/**
 * Brings the summary up to date with the events table. Returns whether it is (so the compiler may read
 * it); false when it cannot be written: a read-only connection, or another connection is writing (an
 * import in progress), in which case the caller counts from the events alone rather than wait.
 */
export function refreshEventSummary(db: Db): boolean {
  const kv = createKvRepo(db);
  const stamp = (): number | null => {
    const value = kv.get(STAMP);
    return value === undefined ? null : Number(value);
  };
  if (stamp() === newestEventPk(db)) return true;

  return writeDerived(db, () => {
    // Read again under the write lock: another connection may have refreshed in between.
    const folded = stamp();
    const newest = newestEventPk(db);
    if (folded === newest) return;
    if (rebuildRather(folded, newest)) {
      db.exec('DELETE FROM event_user_summary');
      db.exec(
        `INSERT INTO event_user_summary (name_id, user_pk, first_ts, last_ts, events)
         SELECT name_id, user_pk, min(ts), max(ts), count(*) FROM events WHERE name_id <> 0 GROUP BY name_id, user_pk`,
      );
    } else {
      db.prepare(
        `INSERT INTO event_user_summary (name_id, user_pk, first_ts, last_ts, events)
         SELECT name_id, user_pk, min(ts), max(ts), count(*) FROM events WHERE event_pk > ? AND name_id <> 0 GROUP BY name_id, user_pk
         ON CONFLICT (name_id, user_pk) DO UPDATE SET
           first_ts = min(first_ts, excluded.first_ts), last_ts = max(last_ts, excluded.last_ts), events = events + excluded.events`,
      ).run(folded);
    }
    kv.set(STAMP, String(newest));
  });
}
