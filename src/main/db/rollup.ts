import type { Db } from './connection';

export const DAY_MS = 86_400_000;

/**
 * Accumulates per-day, per-event-name counts in memory while a writer inserts events,
 * then folds them into event_daily in one pass. Every writer keeps the rollup, so the
 * catalog and the volume chart never have to scan the events table.
 */
export class DailyRollup {
  private readonly cells = new Map<number, { events: number; first: number; last: number }>();
  /** Whether remove() took an event back since the last flush. */
  private removed = false;

  add(nameId: number, ts: number): void {
    const day = Math.floor(ts / DAY_MS);
    // day fits in 24 bits for any plausible date, name ids in the rest of a safe integer.
    const key = day * 4_194_304 + nameId;
    const cell = this.cells.get(key);
    if (cell) {
      cell.events += 1;
      if (ts < cell.first) cell.first = ts;
      if (ts > cell.last) cell.last = ts;
    } else {
      this.cells.set(key, { events: 1, first: ts, last: ts });
    }
  }

  /**
   * Takes back an event counted under `nameId` at `ts` (a replacement gave it another name): the day's
   * count drops by one; its first and last instants stay, as the other name's event is at the same instant.
   */
  remove(nameId: number, ts: number): void {
    const day = Math.floor(ts / DAY_MS);
    const key = day * 4_194_304 + nameId;
    const cell = this.cells.get(key);
    if (cell) cell.events -= 1;
    else this.cells.set(key, { events: -1, first: ts, last: ts });
    this.removed = true;
  }

  /** Writes the accumulated counts; call inside the writer's transaction. */
  flush(db: Db): void {
    const upsert = db.prepare(
      `INSERT INTO event_daily (day, name_id, events, first_ts, last_ts) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (day, name_id) DO UPDATE SET
         events = events + excluded.events,
         first_ts = min(first_ts, excluded.first_ts),
         last_ts = max(last_ts, excluded.last_ts)`,
    );
    for (const [key, cell] of this.cells) {
      const nameId = key % 4_194_304;
      const day = (key - nameId) / 4_194_304;
      upsert.run(day, nameId, cell.events, cell.first, cell.last);
    }
    this.cells.clear();
    // A day left without events of a name (remove took back its only one) is no row at all.
    if (this.removed) db.exec('DELETE FROM event_daily WHERE events <= 0');
    this.removed = false;
  }
}

/** The page cache while deferred indexes are built, in KiB as PRAGMA cache_size takes it (negative). */
const INDEX_BUILD_CACHE_KIB = -1024;

/**
 * Drops a table's secondary indexes for a bulk load and returns the function that rebuilds them
 * from the definitions SQLite itself recorded: building an index once after the load is several
 * times faster than maintaining it row by row. Use inside a transaction, so a rollback restores them.
 */
export function deferIndexes(db: Db, table: string, which: (indexName: string) => boolean = () => true): () => void {
  const indexes = db
    .prepare<[string], { name: string; sql: string }>(
      "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
    )
    .all(table)
    .filter((index) => which(index.name));
  for (const index of indexes) db.exec(`DROP INDEX "${index.name.replace(/"/g, '""')}"`);
  return () => {
    if (indexes.length === 0) return;
    // SQLite sorts an index's entries in runs as large as the page cache allows (1 MB at least), on its
    // helper threads (PRAGMA threads). Small runs that fit the CPU's caches, merged after, build a
    // million-row index faster than large ones (docs/PERFORMANCE.md, "Import tuning history").
    const cacheSize = db.pragma('cache_size', { simple: true }) as number;
    db.pragma(`cache_size = ${INDEX_BUILD_CACHE_KIB}`);
    try {
      for (const index of indexes) db.exec(index.sql);
    } finally {
      db.pragma(`cache_size = ${cacheSize}`);
    }
  };
}
