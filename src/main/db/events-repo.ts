import type { Db } from './connection';
import type { DailyVolumePoint, EventCatalogEntry } from '../../shared/types';
import { DAY_MS } from './rollup';
import { typeNames } from './property-keys';

/** Reads over events, users and the daily rollup. Writers (demo, import, sync) have their own modules. */
export interface EventsRepo {
  countUsers(): number;
  /** Events proper: identify calls are records but not events. */
  countEvents(): number;
  catalog(): EventCatalogEntry[];
  dailyVolume(fromDay: number, toDay: number): DailyVolumePoint[];
  newestEventTs(): number | null;
  /** Ids of the given event names, creating the ones not seen before. */
  ensureEventNames(names: readonly string[]): Map<string, number>;
}

export function createEventsRepo(db: Db): EventsRepo {
  const countUsers = db.prepare<[], number>('SELECT count(*) FROM users').pluck();
  const countEvents = db.prepare<[], number>('SELECT coalesce(sum(events), 0) FROM event_daily WHERE name_id <> 0').pluck();
  const catalogTotals = db.prepare<[], { name_id: number; name: string; count: number; first_seen: number; last_seen: number }>(
    `SELECT d.name_id, n.name, sum(d.events) AS count, min(d.first_ts) AS first_seen, max(d.last_ts) AS last_seen
       FROM event_daily d JOIN event_names n USING (name_id)
      WHERE d.name_id <> 0
      GROUP BY d.name_id
      ORDER BY count DESC, n.name`,
  );
  // Distinct users per name walks the covering (name_id, user_pk, ts) index, never the table.
  const usersPerName = db.prepare<[number], number>(
    'SELECT count(*) FROM (SELECT DISTINCT user_pk FROM events WHERE name_id = ?)',
  ).pluck();
  const propertyKeys = db.prepare<[], { name_id: number; key: string; types: number }>(
    'SELECT name_id, key, types FROM event_property_keys ORDER BY name_id, key',
  );
  const volume = db.prepare<[number, number], { day: number; events: number }>(
    `SELECT day, sum(events) AS events FROM event_daily
      WHERE name_id <> 0 AND day BETWEEN ? AND ? GROUP BY day ORDER BY day`,
  );
  const newest = db.prepare<[], number | null>('SELECT max(last_ts) FROM event_daily').pluck();
  const selectName = db.prepare<[string], number>('SELECT name_id FROM event_names WHERE name = ?').pluck();
  const insertName = db.prepare('INSERT INTO event_names (name) VALUES (?)');

  return {
    countUsers: () => countUsers.get() ?? 0,
    countEvents: () => countEvents.get() ?? 0,
    catalog: () => {
      const keys = new Map<number, { key: string; types: ReturnType<typeof typeNames> }[]>();
      for (const row of propertyKeys.all()) {
        let list = keys.get(row.name_id);
        if (!list) keys.set(row.name_id, (list = []));
        list.push({ key: row.key, types: typeNames(row.types) });
      }
      return catalogTotals.all().map((row) => ({
        name: row.name,
        count: row.count,
        users: usersPerName.get(row.name_id) ?? 0,
        firstSeen: row.first_seen,
        lastSeen: row.last_seen,
        properties: keys.get(row.name_id) ?? [],
      }));
    },
    dailyVolume: (fromDay, toDay) =>
      volume.all(fromDay, toDay).map((row) => ({ day: row.day * DAY_MS, events: row.events })),
    newestEventTs: () => newest.get() ?? null,
    ensureEventNames: (names) => {
      const ids = new Map<string, number>();
      for (const name of names) {
        let id = selectName.get(name);
        if (id === undefined) id = Number(insertName.run(name).lastInsertRowid);
        ids.set(name, id);
      }
      return ids;
    },
  };
}
