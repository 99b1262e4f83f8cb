/**
 * What the derived tables the segment compiler reads (event_user_summary, event_property_values) share:
 * no writer maintains them, so an import pays nothing; before a count the segment service brings them up
 * to date from a stamp, the largest event_pk folded in. Writers only append, and SQLite gives a new row
 * a larger event_pk than any existing one, so "event_pk above the stamp" is exactly what is new; the
 * triggers of migration 0009 delete every stamp when an event is deleted or changed, so the next count
 * rebuilds.
 */
import Database from 'better-sqlite3';
import type { Db } from '../db/connection';

/** The largest event_pk in the cache (0 when there is none): what a fresh stamp equals. */
export function newestEventPk(db: Db): number {
  return db.prepare<[], number | null>('SELECT max(event_pk) FROM events').pluck().get() ?? 0;
}

/**
 * Whether to rebuild rather than fold in the events above the stamp: no stamp (a new cache, or an event
 * was deleted or changed), a stamp above the newest event (the events were replaced), or more new events
 * than were folded in (the first import): folding in costs about 1 µs per new event and rebuilding less
 * per event (measured on the demo cache), so a load larger than what is already there rebuilds.
 */
export function rebuildRather(folded: number | null, newest: number): boolean {
  return folded === null || folded > newest || newest - folded > folded;
}

/**
 * Runs a refresh in one write transaction without waiting for another connection's write lock.
 * Returns false when it cannot write (a read-only connection, another connection writing, a full disk):
 * the transaction rolled back, the derived data is as it was, and the caller counts from the events
 * alone, which is correct, only slower.
 */
export function writeDerived(db: Db, refresh: () => void): boolean {
  const busyTimeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  try {
    db.transaction(refresh).immediate();
    return true;
  } catch (err) {
    if (err instanceof Database.SqliteError) return false;
    throw err;
  } finally {
    db.pragma(`busy_timeout = ${busyTimeout}`);
  }
}
