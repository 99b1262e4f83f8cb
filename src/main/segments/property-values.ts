/**
 * event_property_values (migration 0009): per (event name, property key), every event whose value there
 * is a JSON string or number, ordered by value, user and time. A property filter it answers exactly (eq
 * or in, on strings and numbers) is then a range of it instead of a read of each event's row for its
 * JSON. Like the summary it is derived data no writer maintains (derived.ts): a pair's rows are built on
 * the first count whose rule filters on it; before each later count, the events appended since the
 * pair's stamp (event_property_values_through, the largest event_pk folded in) are folded in.
 */
import type { Condition, PropertyFilter, Rule, Scalar } from '../../shared/segments/rule';
import type { Db } from '../db/connection';
import { newestEventPk, rebuildRather, writeDerived } from './derived';

/** The JSON path of a property or trait key (keys hold no quotes or backslashes: rule.ts refuses them). */
export function jsonPath(key: string): string {
  return `$."${key}"`;
}

/** A pair's identity in the set of pairs the compiler may read. */
export function pairKey(event: string, property: string): string {
  return `${event}\u0000${property}`;
}

const stored = (v: Scalar): boolean => typeof v === 'string' || typeof v === 'number';

/**
 * The values of a filter that the table answers exactly, or null. The table holds JSON strings as TEXT
 * and numbers as INTEGER or REAL, each in its own storage class, so "equals one of these strings or
 * numbers" is an equality on it: SQLite never finds text equal to a number, and 1 equals 1.0 as it does
 * in JavaScript. Booleans are not stored (JSON true would extract as 1), nor is JSON null, an array or an
 * object, which no eq/in matches; every other operator reads the events.
 */
export function indexedValues(filter: PropertyFilter): Scalar[] | null {
  const value = filter.value;
  if (filter.op === 'eq' && value !== undefined && !Array.isArray(value) && stored(value)) return [value];
  if (filter.op === 'in' && Array.isArray(value) && value.length > 0 && value.every(stored)) return value;
  return null;
}

/** The (event, property) pairs of a rule's filters that the table would answer. */
function pairsOf(conditions: readonly Condition[], into = new Map<string, { event: string; property: string }>()) {
  for (const c of conditions) {
    if (c.type === 'group') pairsOf(c.conditions, into);
    if (c.type !== 'event') continue;
    for (const f of c.where ?? []) if (indexedValues(f)) into.set(pairKey(c.event, f.property), { event: c.event, property: f.property });
  }
  return into;
}

/**
 * Brings the pairs the rule filters on up to date (building those never built), and returns the ones
 * that are: all of them, or, when the table cannot be written (a read-only connection, another
 * connection writing), those that happen to be current already. The compiler reads the table for these
 * and the events for the rest.
 */
export function refreshPropertyValues(db: Db, rule: Rule): Set<string> {
  const pairs = [...pairsOf(rule.conditions)].flatMap(([key, { event, property }]) => {
    const nameId = db.prepare<[string], number>('SELECT name_id FROM event_names WHERE name = ? AND name_id <> 0').pluck().get(event);
    // An event no one sent: the compiler's range on it is empty without the table.
    return nameId === undefined ? [] : [{ key, nameId, property }];
  });
  if (pairs.length === 0) return new Set();
  const stampOf = db.prepare<[number, string], number>('SELECT through FROM event_property_values_through WHERE name_id = ? AND key = ?').pluck();
  const current = (): Set<string> => {
    const newest = newestEventPk(db);
    return new Set(pairs.filter((p) => stampOf.get(p.nameId, p.property) === newest).map((p) => p.key));
  };
  const fresh = current();
  if (fresh.size === pairs.length) return fresh;

  const clear = db.prepare<[number, string]>('DELETE FROM event_property_values WHERE name_id = ? AND key = ?');
  const columns = `INSERT INTO event_property_values (name_id, key, value, user_pk, ts, event_pk)
    SELECT name_id, @key, json_extract(properties, @path), user_pk, ts, event_pk FROM events`;
  const typed = `json_type(properties, @path) IN ('text', 'integer', 'real')`;
  const build = db.prepare(`${columns} WHERE name_id = @nameId AND ${typed}`);
  // "+name_id": the new events are a range of event_pk, not of the name's index.
  const fold = db.prepare(`${columns} WHERE event_pk > @folded AND +name_id = @nameId AND ${typed}`);
  const stamp = db.prepare<[number, string, number]>(
    `INSERT INTO event_property_values_through (name_id, key, through) VALUES (?, ?, ?)
     ON CONFLICT (name_id, key) DO UPDATE SET through = excluded.through`,
  );
  const written = writeDerived(db, () => {
    // Read again under the write lock: another connection may have refreshed in between.
    const newest = newestEventPk(db);
    for (const { nameId, property } of pairs) {
      const folded = stampOf.get(nameId, property) ?? null;
      if (folded === newest) continue;
      const params = { key: property, path: jsonPath(property), nameId };
      if (rebuildRather(folded, newest)) {
        clear.run(nameId, property);
        build.run(params);
      } else {
        fold.run({ ...params, folded });
      }
      stamp.run(nameId, property, newest);
    }
  });
  return written ? new Set(pairs.map((p) => p.key)) : fresh;
}
