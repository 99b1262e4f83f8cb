/**
 * Events a later record with the same id replaces rather than duplicates: a warehouse `tracks` row
 * lacks the custom properties its per-event table's row has (parse/warehouse.ts). The writer marks
 * such an event when it stores it (table replaceable_events, migration 0013), and on a dedupe hit asks
 * here what the hit is:
 * - the stored event is replaceable and the record is not: the record's properties (and its name,
 *   should it differ) replace the stored ones, and the event is no longer replaceable;
 * - the record is replaceable: a plain duplicate, whatever properties the stored event has;
 * - otherwise the writer's usual duplicate.
 * So a per-event row and its `tracks` row end as the per-event row, whatever order they come in, and
 * importing either again changes nothing. Imports without replaceable records pay nothing here: the
 * lookup runs only while some event is marked.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../db/connection';

export class ReplaceableEvents {
  /** Records that replaced a stored event this run. */
  replaced = 0;
  /** Whether any event is marked (stored before, or this run): otherwise no hit needs a lookup. */
  private any: boolean;
  private readonly markStatement: Statement<[number]>;
  private readonly markedStatement: Statement<[number], number>;
  private readonly unmarkStatement: Statement<[number]>;
  private readonly replaceStatement: Statement<[string | null, number, number]>;
  private readonly pkByKey: Statement<[number], number>;

  constructor(db: Db) {
    this.any = db.prepare<[], number>('SELECT EXISTS (SELECT 1 FROM replaceable_events)').pluck().get() === 1;
    this.markStatement = db.prepare('INSERT OR IGNORE INTO replaceable_events (event_pk) VALUES (?)');
    this.markedStatement = db.prepare<[number], number>('SELECT 1 FROM replaceable_events WHERE event_pk = ?').pluck();
    this.unmarkStatement = db.prepare('DELETE FROM replaceable_events WHERE event_pk = ?');
    this.replaceStatement = db.prepare('UPDATE events SET properties = ?, name_id = ? WHERE event_pk = ?');
    this.pkByKey = db.prepare<[number], number>('SELECT event_pk FROM events WHERE event_key = ?').pluck();
  }

  /** Marks the event just stored as `eventPk` replaceable. */
  mark(eventPk: number): void {
    this.markStatement.run(eventPk);
    this.any = true;
  }

  /** Marks the event stored under `key` (where the key index is live: indexed mode). */
  markKey(key: number): void {
    const pk = this.pkByKey.get(key);
    if (pk !== undefined) this.mark(pk);
  }

  /** Whether the stored event `eventPk` gives way to a fuller record with its id. */
  isReplaceable(eventPk: number): boolean {
    return this.any && this.markedStatement.get(eventPk) !== undefined;
  }

  /** Replaces the stored event's properties and name with the record's, which leaves it replaceable no more. */
  replace(eventPk: number, json: string | null, nameId: number): void {
    this.replaceStatement.run(json, nameId, eventPk);
    this.unmarkStatement.run(eventPk);
    this.replaced += 1;
  }
}
